"""Results page, suggestions endpoint and the editors' analysis screens."""

import pytest
from django.urls import reverse

from search.models import SearchDocument
from tests.search.conftest import SECRET


def test_results_page_lists_hits_with_highlights_and_facets(engine, corpus, client):
    response = client.get(reverse("search:results"), {"q": "hôpitaux"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Rechercher</h1>" in html
    assert "<mark>hôpitaux</mark>" in html
    assert 'id="search-facets"' in html and "Type de contenu" in html
    assert "2 résultats pour « hôpitaux »" in html
    assert 'id="search-degraded-notice"' not in html
    assert response.context["search_query"] == "hôpitaux"  # echoed in the header box


def test_facet_links_toggle_filters(engine, corpus, client):
    response = client.get(reverse("search:results"), {"q": "", "type": "laureate"})
    result = response.context["result"]
    assert result.total == 2
    type_facet = next(f for f in result.facets if f.name == "type")
    selected = next(v for v in type_facet.values if v.selected)
    assert "type=" not in selected.url  # the selected value's link removes the filter
    # Counts are those of the current results (drill-down): other facets keep the active filter in their links.
    region = next(f for f in result.facets if f.name == "region")
    assert {(v.value, v.count) for v in region.values} == {("84", 1), ("11", 1)}
    assert all("type=laureate" in v.url and f"region={v.value}" in v.url for v in region.values)
    assert "Retirer tous les filtres" in response.content.decode()


def test_results_page_paginates(engine, corpus, client):
    response = client.get(reverse("search:results"), {"page": 2})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page"' in html and "Page précédente" in html


def test_empty_results_page_helps(engine, corpus, client):
    response = client.get(reverse("search:results"), {"q": SECRET})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Aucun contenu public ne correspond" in html


def test_results_page_query_count_is_bounded(engine, corpus, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        client.get(reverse("search:results"), {"q": "santé", "theme": "numérique-en-santé"})


def test_hostile_input_is_escaped(engine, corpus, client):
    response = client.get(reverse("search:results"), {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()


def test_suggestions_endpoint_returns_json(engine, corpus, client):
    response = client.get(reverse("search:suggestions"), {"q": "Télésan"})
    assert response.status_code == 200
    data = response.json()
    assert data["results"][0]["title"] == "Télésanté en EHPAD"
    assert data["results"][0]["url"].endswith("/telesante/")
    assert data["results"][0]["type_label"] == "Appels à projets"


def test_suggestions_need_two_characters(db, client, settings):
    settings.ELASTICSEARCH_URL = ""
    assert client.get(reverse("search:suggestions"), {"q": "t"}).json()["results"] == []


def test_did_you_mean_link_on_elasticsearch(es_only, corpus, client):
    html = client.get(reverse("search:results"), {"q": "hopitla"}).content.decode()
    assert 'id="search-did-you-mean"' in html and "hôpital" in html


# --- analysis for editors ------------------------------------------------------------------------------------


@pytest.fixture
def more_contributions(corpus, alice, bob):
    from consult.models import Contribution
    from search import indexing
    from tests.search.conftest import reindex

    section = corpus["numerique"].sections.order_by("sort_order").first()
    texts = [
        "Les hôpitaux de proximité doivent garder leurs urgences la nuit.",
        "Fermer les urgences des petits hôpitaux met les patients en danger.",
        "Les urgences des hôpitaux ruraux sont indispensables aux patients âgés.",
    ]
    for i, text in enumerate(texts):
        Contribution.objects.create(
            consultation_id=section.page_id, section=section, author=alice if i % 2 else bob, body=text, stance="contre"
        )
    reindex()
    indexing.drain()
    return corpus


def test_significant_terms_name_what_a_section_is_about(engine, more_contributions):
    from search import analysis

    corpus = more_contributions
    section = corpus["numerique"].sections.order_by("sort_order").first()
    result = analysis.significant_terms(corpus["numerique"], section)
    assert result["engine"] == engine
    terms = [t["term"] for t in result["terms"]]
    assert "urgenc" in terms or "urgence" in terms, terms


def test_similar_contributions_find_the_closest_ones(engine, more_contributions):
    from search import analysis

    corpus = more_contributions
    result = analysis.similar_contributions(corpus["c_hopitaux"], n=5)
    assert result["engine"] == engine
    assert len(result["items"]) >= 2
    assert all("urgences" in item["excerpt"] for item in result["items"][:2])


def test_histogram_and_stances(engine, more_contributions):
    from search import analysis

    corpus = more_contributions
    histogram = analysis.contributions_over_time(corpus["numerique"])
    assert sum(b["count"] for b in histogram["buckets"]) == 6
    section = corpus["numerique"].sections.order_by("sort_order").first()
    stances = analysis.stance_by_section(corpus["numerique"])["sections"]
    assert stances[section.pk]["contre"] == 4


def test_analysis_screens_for_editors(engine, more_contributions, editor, client):
    corpus = more_contributions
    client.force_login(editor)
    assert client.get(reverse("search_admin_consultations")).status_code == 200
    response = client.get(reverse("search_admin_consultation", args=[corpus["numerique"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="analysis-histogram"' in html and "Termes significatifs" in html
    assert ("Elasticsearch" if engine == "elasticsearch" else "mode simplifié") in html
    response = client.get(reverse("search_admin_similar", args=[corpus["c_hopitaux"].pk]))
    assert response.status_code == 200 and 'id="similar-contributions"' in response.content.decode()


def test_analysis_screens_refuse_citizens(db, alice, client, corpus):
    client.force_login(alice)
    assert client.get(reverse("search_admin_consultation", args=[corpus["numerique"].pk])).status_code in (302, 403)


def test_similar_refuses_non_public_contributions(db, editor, client, corpus):
    client.force_login(editor)
    assert client.get(reverse("search_admin_similar", args=[corpus["c_hidden"].pk])).status_code == 404


def test_anonymous_results_page_is_served_again_from_the_page_cache(engine, corpus, client, django_assert_num_queries):
    url = reverse("search:results")
    first = client.get(url, {"q": "hôpitaux"})
    with django_assert_num_queries(0):  # neither the database nor the engine: one cache read
        again = client.get(url, {"q": "hôpitaux"})
    assert again.status_code == 200
    assert again.content.count(b"<mark>") == first.content.count(b"<mark>") > 0
    assert client.get(url, {"q": "dossier"}).context is not None  # another query: its own rendering


def test_hidden_contribution_never_comes_back_from_a_cached_results_page(
    engine, corpus, client, moderator, settings, django_capture_on_commit_callbacks
):
    from consult import services

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    target = corpus["c_hopitaux"]
    url = reverse("search:results")
    first = client.get(url, {"q": "hôpitaux"})
    assert f"contribution-{target.pk}" in {h.key for h in first.context["result"].hits}
    assert client.get(url, {"q": "hôpitaux"}).context is None  # served from the copy
    with django_capture_on_commit_callbacks(execute=True):
        services.hide(moderator, target, "Propos hors charte")
    response = client.get(url, {"q": "hôpitaux"})
    assert response.context is not None  # rendered again: the removal bumped the results' version
    assert f"contribution-{target.pk}" not in {h.key for h in response.context["result"].hits}


def test_signed_in_readers_get_a_fresh_results_page(engine, corpus, client, alice):
    client.force_login(alice)
    url = reverse("search:results")
    client.get(url, {"q": "hôpitaux"})
    assert client.get(url, {"q": "hôpitaux"}).context is not None


def test_only_new_documents_bump_the_results_pages_additively(engine, corpus, django_capture_on_commit_callbacks):
    from core import pagecache
    from search import indexing

    scope = "search"
    for name in (pagecache.GLOBAL_SCOPE, scope, pagecache.strict_scope(scope)):
        pagecache.version(name)
    before = pagecache.current_state(scope)
    key = f"contribution-{corpus['c_hopitaux'].pk}"
    SearchDocument.objects.filter(key=key).delete()  # as if never indexed yet
    with django_capture_on_commit_callbacks(execute=True):
        indexing.apply([key])
    after_new = pagecache.current_state(scope)
    assert after_new[0] != before[0] and after_new[1] == before[1]
    with django_capture_on_commit_callbacks(execute=True):
        indexing.apply([key])  # the same document again (e.g. edited): strict
    assert pagecache.current_state(scope)[1] != after_new[1]
