"""Index lifecycle: full rebuild behind an alias (zero downtime), counts check, progress bar, task batches."""

import io
import threading

import pytest
from django.core.management import CommandError, call_command

from search import es, indexing, service
from search.models import PendingUpdate, SearchDocument


def test_search_check_agrees_after_a_rebuild(engine, corpus):
    out = io.StringIO()
    call_command("search_check", stdout=out)
    assert "Index and database agree" in out.getvalue()
    assert "contribution" in out.getvalue()


def test_search_check_reports_a_missing_document(engine, corpus):
    SearchDocument.objects.filter(key=f"contribution-{corpus['c_dmp'].pk}").delete()
    with pytest.raises(CommandError, match="contribution: table"):
        call_command("search_check", stdout=io.StringIO())


def test_search_check_reports_a_document_missing_from_elasticsearch(es_only, corpus):
    es.client().delete(index=es.conf.alias_name(), id=f"laureate-{corpus['laureate'].pk}", refresh=True)
    with pytest.raises(CommandError, match="laureate: elasticsearch"):
        call_command("search_check", stdout=io.StringIO())


def test_search_rebuild_shows_progress_and_restores_missing_documents(engine, corpus):
    SearchDocument.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()
    call_command("search_rebuild", stdout=out, stderr=err)
    assert "100%" in err.getvalue() and "16/16" in err.getvalue()
    assert "database: 16 documents" in out.getvalue()
    assert SearchDocument.objects.count() == 16
    call_command("search_check", stdout=io.StringIO())


def test_rebuild_swaps_the_alias_to_a_new_index_and_drops_the_old_one(es_only, corpus):
    before = es.current_indices()
    call_command("search_rebuild", "--skip-database", "--no-progress", stdout=io.StringIO())
    after = es.current_indices()
    assert len(after) == 1 and after != before
    assert not es.client().indices.exists(index=before[0])
    assert service.search("hôpitaux").total == 2


def test_searches_keep_answering_during_rebuilds(es_only, corpus):
    """Rebuilds run in a thread (with 3,000 extra documents so they take a while) while searches run here."""
    docs = list(indexing.iter_all_docs())
    filler = [
        {
            **docs[0],
            "key": f"contribution-{10_000_000 + i}",
            "title": f"Remplissage {i}",
            "body": "Texte de remplissage sans rapport avec la question posée.",
            "themes": [],
        }
        for i in range(3000)
    ]
    errors, done = [], threading.Event()

    def rebuild():
        try:
            for _ in range(3):
                es.rebuild(docs + filler)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=rebuild)
    thread.start()
    answers = 0
    try:
        while not done.is_set() or answers < 5:
            result = service.search("hôpitaux")
            assert result.engine == "elasticsearch" and not result.degraded
            assert result.total == 2, result.total
            answers += 1
    finally:
        thread.join()
    assert not errors
    assert answers >= 5
    assert len(es.current_indices()) == 1


def test_apply_batches_upserts_and_deletes_in_both_engines(engine, corpus):
    from consult.models import Contribution

    Contribution.objects.filter(pk=corpus["c_tele"].pk).update(status=Contribution.STATUS_HIDDEN)
    Contribution.objects.filter(pk=corpus["c_pending"].pk).update(status=Contribution.STATUS_PUBLISHED)
    indexing.record([("contribution", corpus["c_tele"].pk), ("contribution", corpus["c_pending"].pk)])
    result = indexing.drain()
    assert (result["indexed"], result["deleted"], result["error"]) == (1, 1, None)
    assert PendingUpdate.objects.count() == 0
    keys = {h.key for h in service.search("", {"type": "contribution"}, page_size=50).hits}
    assert f"contribution-{corpus['c_pending'].pk}" in keys
    assert f"contribution-{corpus['c_tele'].pk}" not in keys


def test_the_task_applies_pending_updates(engine, corpus):
    from search.tasks import apply_pending_updates

    SearchDocument.objects.filter(key=f"laureate-{corpus['laureate'].pk}").delete()
    indexing.record([("laureate", corpus["laureate"].pk)])
    apply_pending_updates.call()
    assert SearchDocument.objects.filter(key=f"laureate-{corpus['laureate'].pk}").exists()
    assert PendingUpdate.objects.count() == 0


def test_demo_loader_builds_the_index(engine, corpus):
    from search import demo

    SearchDocument.objects.all().delete()
    out = io.StringIO()
    demo.load(stdout=out)
    assert SearchDocument.objects.count() == 16
    assert "16 documents" in out.getvalue()
