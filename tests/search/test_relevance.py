"""Relevance sanity on the fixed French corpus, on every engine (same expectations for both)."""

import pytest

from search import service


def keys(result):
    return {h.key for h in result.hits}


def key(obj, doc_type):
    return f"{doc_type}-{obj.pk}"


@pytest.mark.parametrize("query", ["hopitaux", "l'hôpital", "HÔPITAL", "hôpitaux", "l’hopital"])
def test_accents_plurals_and_elisions_match(engine, corpus, query):
    result = service.search(query)
    assert key(corpus["c_hopitaux"], "contribution") in keys(result)
    section = corpus["numerique"].sections.order_by("sort_order").first()
    assert f"section-{section.pk}" in keys(result)
    assert result.engine == engine


@pytest.mark.parametrize(
    "query, expected",
    [
        ("DMP", "c_dmp"),  # text says "dossier médical partagé"
        ("dossier médical partagé", "c_dmp"),
        ("ALD", "c_dmp"),  # text says "affection de longue durée"
        ("télémédecine", "c_tele"),  # text says "téléconsultation"
        ("EHPAD", "c_tele"),  # text says "maison de retraite"
    ],
)
def test_synonyms_match(engine, corpus, query, expected):
    assert key(corpus[expected], "contribution") in keys(service.search(query, page_size=50))


def test_synonym_works_the_other_way(engine, corpus):
    # The section body says "DMP"; searching the long form finds it.
    section = corpus["numerique"].sections.order_by("sort_order").last()
    assert f"section-{section.pk}" in keys(service.search("dossier medical partage", page_size=50))


def test_all_words_are_required(engine, corpus):
    result = service.search("hôpitaux psychologues")
    assert result.total == 0


def test_unknown_word_finds_nothing(engine, corpus):
    assert service.search("xylophonique").total == 0


def test_highlights_mark_the_matched_words_and_escape_text(engine, corpus):
    result = service.search("hôpitaux")
    hit = next(h for h in result.hits if h.key == key(corpus["c_hopitaux"], "contribution"))
    assert "<mark>hôpitaux</mark>" in hit.excerpt_html
    section_hit = next(h for h in result.hits if h.doc_type == "section")
    assert "<script" not in section_hit.excerpt_html and "&#x27;" in section_hit.excerpt_html


def test_facet_counts_match_the_corpus(engine, corpus):
    result = service.search("")
    facets = {f.name: {v.value: v.count for v in f.values} for f in result.facets}
    assert facets["type"] == {
        "consultation": 3,
        "section": 4,
        "contribution": 4,
        "call": 1,
        "laureate": 2,
        "livinglab": 1,
        "page": 1,
    }
    assert result.total == 16
    assert facets["region"] == {"84": 2, "11": 1}  # laureate (84) + lab in Lyon (84), laureate (11)
    # consultation, 2 sections, 3 contributions, call of "numérique" + 2 laureates of the call
    assert facets["theme"]["numérique-en-santé"] == 9
    assert facets["status"] == {"open": 7, "upcoming": 2, "closed": 3}
    assert facets["date"]["ancien"] == 3  # closed consultation, its section and its contribution


def test_facet_counts_follow_the_query(engine, corpus):
    result = service.search("téléconsultation")
    facets = {f.name: {v.value: v.count for v in f.values} for f in result.facets}
    assert result.total == sum(facets["type"].values())
    assert facets["type"]["contribution"] == 1


def test_filters_combine(engine, corpus):
    everything = service.search("", {"type": "contribution"})
    assert everything.total == 4
    open_only = service.search("", {"type": "contribution", "status": "open"})
    assert open_only.total == 3
    combined = service.search("", {"type": "contribution", "status": "open", "date": "mois"})
    assert keys(combined) == {key(corpus["c_hopitaux"], "contribution"), key(corpus["c_dmp"], "contribution")}
    themed = service.search("", {"theme": "santé-mentale"})
    assert {h.doc_type for h in themed.hits} == {"consultation", "section", "contribution"}
    region = service.search("", {"region": "84", "type": "laureate"})
    assert keys(region) == {key(corpus["laureate"], "laureate")}
    assert service.search("dmp", {"type": "call"}).total == 0


def test_selected_filter_is_marked_in_facets(engine, corpus):
    result = service.search("", {"type": "laureate"})
    type_facet = next(f for f in result.facets if f.name == "type")
    selected = [v for v in type_facet.values if v.selected]
    assert [(v.value, v.count) for v in selected] == [("laureate", 2)]


def test_unknown_filter_values_are_ignored(engine, corpus):
    result = service.search("", {"type": "secret", "status": "bogus", "date": "x"})
    assert result.filters == {} and result.total == 16


def test_sort_by_date_puts_newest_first(engine, corpus):
    result = service.search("", {"type": "contribution"}, sort="date")
    dates = [h.date for h in result.hits]
    assert dates == sorted(dates, reverse=True)


def test_pagination(engine, corpus):
    first = service.search("", page=1, page_size=5)
    second = service.search("", page=2, page_size=5)
    assert len(first.hits) == 5 and len(second.hits) == 5
    assert not keys(first) & keys(second)
    assert first.num_pages == 4
    assert service.search("", page="abc", page_size=5).page == 1


def test_title_matches_rank_first(engine, corpus):
    result = service.search("santé mentale")
    assert result.hits[0].key == key(corpus["jeunes"], "consultation")


def test_suggestions_complete_titles_from_prefixes(engine, corpus):
    data = service.suggestions("vieil")
    assert [r["title"] for r in data["results"]] == ["Lab Vieillir chez soi"]
    data = service.suggestions("sante ment")
    assert "Santé mentale des jeunes" in [r["title"] for r in data["results"]]
    assert all(r["doc_type"] != "contribution" for r in service.suggestions("contribution")["results"])
    assert service.suggestions("a")["results"] == []


def test_did_you_mean_on_elasticsearch(es_only, corpus):
    result = service.search("hopitla")
    assert result.total == 0
    assert result.suggestion and "hôpital" in result.suggestion


def test_did_you_mean_degrades_to_nothing_on_the_database(engine, corpus):
    if engine != "database":
        pytest.skip("database engine behaviour")
    result = service.search("hopitla")
    assert result.total == 0 and result.suggestion is None
