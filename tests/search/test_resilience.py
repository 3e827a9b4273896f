"""Elasticsearch down or slow: search answers from the database with a notice, /healthz says so, nothing is lost,
and indexing resumes when the node is back."""

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from search import engine as search_engine
from search import es, indexing, service
from search.models import PendingUpdate, SearchDocument
from tests.search.conftest import ES_URL, NO_ES_REASON

CLOSED_PORT_URL = "http://127.0.0.1:9"  # discard port: nothing listens, connections are refused at once
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def es_down(settings):
    settings.ELASTICSEARCH_URL = CLOSED_PORT_URL
    settings.SEARCH_TIMEOUT = 1
    es.reset_state()
    yield
    es.reset_state()


@pytest.fixture
def db_corpus(settings, request):
    """The corpus indexed in the database table only (built before Elasticsearch 'goes down')."""
    settings.ELASTICSEARCH_URL = ""
    return request.getfixturevalue("corpus")


def test_search_falls_back_to_the_database_when_elasticsearch_is_down(db_corpus, es_down):
    result = service.search("hôpitaux")
    assert result.engine == "database" and result.degraded is True
    assert f"contribution-{db_corpus['c_hopitaux'].pk}" in {h.key for h in result.hits}


def test_results_page_shows_a_discreet_notice_not_an_error(db_corpus, es_down, client):
    response = client.get(reverse("search:results"), {"q": "hôpitaux"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="search-degraded-notice"' in content and "mode simplifié" in content
    assert "hôpitaux" in content


def test_suggestions_fall_back_too(db_corpus, es_down, client):
    response = client.get(reverse("search:suggestions"), {"q": "vieil"})
    assert response.status_code == 200
    assert response.json()["engine"] == "database"
    assert [r["title"] for r in response.json()["results"]] == ["Lab Vieillir chez soi"]


def test_engine_status_and_healthz_report_degraded(db, es_down, client):
    status = search_engine.engine_status()
    assert status["degraded"] is True and status["engine"] == "database"
    from core.health import run_checks

    assert run_checks()["search"]["status"] == "degraded"


def test_engine_status_without_elasticsearch_is_plain_database(db, settings):
    settings.ELASTICSEARCH_URL = ""
    assert search_engine.engine_status() == {"engine": "database"}


def test_a_slow_node_times_out_into_the_fallback(db_corpus, settings):
    """A listening socket that never answers: the client gives up after SEARCH_TIMEOUT."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    try:
        settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{server.getsockname()[1]}"
        settings.SEARCH_TIMEOUT = 0.5
        es.reset_state()
        result = service.search("hôpitaux")
        assert result.degraded and result.total >= 1
        # The circuit breaker spares the next searches the timeout.
        assert es.is_marked_down()
    finally:
        server.close()
        es.reset_state()


def test_updates_made_while_down_stay_pending_and_the_table_is_current(
    db_corpus, es_down, alice, moderator, django_capture_on_commit_callbacks
):
    from consult import services
    from consult.models import Contribution

    section = db_corpus["numerique"].sections.order_by("sort_order").first()
    with django_capture_on_commit_callbacks(execute=True):
        new = Contribution.objects.create(
            consultation_id=section.page_id, section=section, author=alice, body="Les kinésithérapeutes se font rares."
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.hide(moderator, db_corpus["c_hopitaux"], "Hors charte")
    pending = dict(PendingUpdate.objects.values_list("key", "attempts"))
    assert pending.get(f"contribution-{new.pk}", 0) >= 1
    assert pending.get(f"contribution-{db_corpus['c_hopitaux'].pk}", 0) >= 1
    # The database engine is already up to date: degraded search is correct.
    assert SearchDocument.objects.filter(key=f"contribution-{new.pk}").exists()
    assert not SearchDocument.objects.filter(key=f"contribution-{db_corpus['c_hopitaux'].pk}").exists()
    assert service.search("kinésithérapeutes").total == 1
    assert service.search("hôpitaux ruraux").total == 0


def test_indexing_resumes_when_elasticsearch_is_back(
    es_only, corpus, settings, alice, moderator, django_capture_on_commit_callbacks
):
    from consult import services
    from consult.models import Contribution

    real_url = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = CLOSED_PORT_URL
    es.reset_state()
    section = corpus["numerique"].sections.order_by("sort_order").first()
    with django_capture_on_commit_callbacks(execute=True):
        Contribution.objects.create(
            consultation_id=section.page_id, section=section, author=alice, body="Les kinésithérapeutes se font rares."
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.hide(moderator, corpus["c_hopitaux"], "Hors charte")
    assert PendingUpdate.objects.count() >= 2

    settings.ELASTICSEARCH_URL = real_url  # the node is back
    es.reset_state()
    # Even before the drain, the hidden item (still in Elasticsearch) is never shown.
    assert f"contribution-{corpus['c_hopitaux'].pk}" not in {h.key for h in service.search("hôpitaux").hits}
    status = search_engine.engine_status()  # /healthz sees the node back and resumes indexing
    assert status["engine"] == "elasticsearch"
    assert PendingUpdate.objects.count() == 0
    assert es.counts_by_type()["contribution"] == 4  # 4 public - 1 hidden + 1 new
    result = service.search("kinésithérapeutes")
    assert result.engine == "elasticsearch" and result.total == 1


def test_search_sync_command_reports_pending_failures(db_corpus, es_down):
    corpus = db_corpus
    from django.core.management import CommandError, call_command

    indexing.record([("contribution", corpus["c_dmp"].pk)])
    with pytest.raises(CommandError):
        call_command("search_sync")
    assert PendingUpdate.objects.filter(key=f"contribution-{corpus['c_dmp'].pk}").exists()


@pytest.mark.skipif(not ES_URL, reason=NO_ES_REASON)
@pytest.mark.engines
@pytest.mark.serial  # stops the node every other worker's search tests use
def test_real_node_stop_and_start(settings, request, alice, django_capture_on_commit_callbacks):
    """Stops the real node (scripts/elasticsearch/stop.sh), edits content, starts it again: search degrades, then
    catches up. Only runs when ELASTICSEARCH_URL is set (make test-all)."""
    from consult.models import Contribution

    settings.ELASTICSEARCH_URL = ES_URL
    settings.SEARCH_INDEX_PREFIX = f"test_{uuid.uuid4().hex[:12]}"
    settings.SEARCH_REFRESH = "wait_for"
    settings.SEARCH_TIMEOUT = 2
    es.reset_state()
    corpus = request.getfixturevalue("corpus")  # indexed in both engines

    env = {**os.environ}
    subprocess.run(["bash", str(ROOT / "scripts/elasticsearch/stop.sh")], check=True, env=env, capture_output=True)
    try:
        result = service.search("hôpitaux")
        assert result.degraded and result.total >= 1
        section = corpus["numerique"].sections.order_by("sort_order").first()
        with django_capture_on_commit_callbacks(execute=True):
            new = Contribution.objects.create(
                consultation_id=section.page_id, section=section, author=alice, body="Les orthophonistes manquent."
            )
        assert PendingUpdate.objects.filter(key=f"contribution-{new.pk}").exists()
    finally:
        subprocess.run(["bash", str(ROOT / "scripts/elasticsearch/start.sh")], check=True, env=env, capture_output=True)
    es.reset_state()
    assert search_engine.engine_status()["engine"] == "elasticsearch"
    assert PendingUpdate.objects.count() == 0
    result = service.search("orthophonistes")
    assert result.engine == "elasticsearch" and not result.degraded and result.total == 1
    es.drop_all()


def test_results_answered_by_the_fallback_engine_are_not_cached(db_corpus, es_down, client):
    url = reverse("search:results")
    client.get(url, {"q": "hôpitaux"})
    again = client.get(url, {"q": "hôpitaux"})
    assert again.context is not None and again.context["result"].degraded  # rendered, not a kept copy
