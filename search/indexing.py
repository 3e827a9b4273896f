"""Keeping the search documents in step with the content, at commit.

Pipeline (see docs/search.md):
1. A model signal (post_save / post_delete of the modules' models, Wagtail's page_published / page_unpublished,
   view restrictions) records a `PendingUpdate` row for every affected document — inside the same transaction
   as the change, so a crash or a rollback cannot desynchronise anything.
2. At commit (`transaction.on_commit`), removals are applied synchronously — database table and Elasticsearch
   (refresh=True) — so no search can return a hidden or deleted item after the request that hid it returns;
   the other updates are handed to the task queue (`search.tasks.apply_pending_updates`, batched).
3. `apply(keys)` rebuilds each document from the database through search.sources (the visibility rules):
   a document that does not build is deleted, one that builds is upserted, in the table and in Elasticsearch.
   A pending row is deleted only when both writes succeeded; if Elasticsearch is down the rows stay (attempts,
   last_error) and are retried by the next drain (next change, `manage.py search_sync`, or rebuild).
"""

import functools
import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from search import settings as conf
from search import sources
from search.models import DocumentTheme, PendingUpdate, SearchDocument
from search.text import fold, normalise

logger = logging.getLogger(__name__)

BATCH = 500


# --- recording ---------------------------------------------------------------------------------------------


def record(pairs, created: bool = False):
    """Record (doc_type, pk) pairs to re-check at commit; call inside the transaction of the change.

    `created`: the objects were just inserted, so no index holds them yet and there is nothing to remove at commit
    (their update is queued like any other).
    """
    pairs = [(t, int(pk)) for t, pk in pairs if pk is not None]
    if not pairs:
        return
    keys = {f"{t}-{pk}": (t, pk) for t, pk in pairs}
    existing = set(PendingUpdate.objects.filter(key__in=list(keys)).values_list("key", flat=True))
    PendingUpdate.objects.bulk_create(
        [PendingUpdate(key=k, doc_type=t, object_id=pk) for k, (t, pk) in keys.items() if k not in existing],
        ignore_conflicts=True,
    )
    _schedule(list(keys), check_removals=not created)


def _schedule(keys, check_removals=True):
    # One callback per recorded batch: a rolled-back transaction simply drops its callbacks.
    transaction.on_commit(functools.partial(_on_commit, keys, check_removals))


def removals_among(keys) -> list[str]:
    """The keys whose object is no longer public (one query per document type)."""
    by_type = {}
    for key in keys:
        doc_type, pk = sources.split_key(key)
        by_type.setdefault(doc_type, set()).add(pk)
    removals = []
    for doc_type, pks in by_type.items():
        public = set(sources.SOURCES[doc_type].queryset().filter(pk__in=pks).values_list("pk", flat=True))
        removals += [f"{doc_type}-{pk}" for pk in sorted(pks - public)]
    return removals


def _on_commit(keys, check_removals=True):
    try:
        removals = removals_among(keys) if check_removals else []
        if removals:
            apply(removals)  # synchronous: gone from every index before the response
    except Exception:  # noqa: BLE001 - never break the request that committed; rows stay pending
        logger.exception("search: could not apply %d removals at commit", len(keys))
        removals = []
    from search.tasks import apply_pending_updates

    rest = [k for k in keys if k not in set(removals)]
    if rest:
        try:
            apply_pending_updates.enqueue(keys=rest)
        except Exception:  # noqa: BLE001 - rows stay pending; the next drain picks them up
            logger.exception("search: could not enqueue %d updates", len(rest))


def on_save(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    keys = sources.keys_for(instance)
    # A new object is not in any index yet: nothing to remove (only its own key: no dependants to re-check).
    record(keys, created=bool(kwargs.get("created")) and len(keys) == 1)


def on_delete(sender, instance, **kwargs):
    record(sources.keys_for(instance))


def on_page_event(sender, instance, **kwargs):
    record(sources.keys_for(instance.specific))


def on_restriction_change(sender, instance, **kwargs):
    page = instance.page
    pairs = []
    for p in page.get_descendants(inclusive=True).specific().iterator():
        pairs += sources.keys_for(p)
    record(pairs)


def connect():
    from wagtail.models import PageViewRestriction
    from wagtail.signals import page_published, page_unpublished

    from consult.models import ConsultationPage, Contribution, Section
    from core.models import ContentPage, NewsPage
    from livinglabs.models import LivingLabPage
    from projects.models import Application, ProjectCallPage

    for model in (Contribution, Section, Application):
        post_save.connect(on_save, sender=model, dispatch_uid=f"search-save-{model._meta.label}")
        post_delete.connect(on_delete, sender=model, dispatch_uid=f"search-delete-{model._meta.label}")
    for model in (ConsultationPage, ProjectCallPage, LivingLabPage, ContentPage, NewsPage):
        page_published.connect(on_page_event, sender=model, dispatch_uid=f"search-pub-{model._meta.label}")
        page_unpublished.connect(on_page_event, sender=model, dispatch_uid=f"search-unpub-{model._meta.label}")
        post_delete.connect(on_delete, sender=model, dispatch_uid=f"search-delete-{model._meta.label}")
    post_save.connect(on_restriction_change, sender=PageViewRestriction, dispatch_uid="search-restriction-save")
    post_delete.connect(on_restriction_change, sender=PageViewRestriction, dispatch_uid="search-restriction-del")


# --- applying ----------------------------------------------------------------------------------------------


def db_row(doc: dict) -> SearchDocument:
    return SearchDocument(
        key=doc["key"],
        doc_type=doc["doc_type"],
        object_id=doc["object_id"],
        title=doc["title"],
        body=doc["body"],
        url=doc["url"],
        date=doc["date"],
        region=doc["region"],
        opens_at=doc["opens_at"],
        closes_at=doc["closes_at"],
        consultation_id=doc["consultation_id"],
        section_id=doc["section_id"],
        stance=doc["stance"],
        search_text=normalise(f"{doc['title']} {doc['title']} {doc['body']}"),
        title_text=(" " + " ".join(fold(doc["title"]).replace("'", " ").split()) + " ")[:400],
    )


def write_db(upserts: list[dict], deletes: list[str], attempts: int = 3):
    """Replace rows for `upserts` and drop `deletes`, in one transaction.

    Two writers may index the same document at once (two requests touching one contribution): both delete
    nothing, the second insert then waits for the first and fails on the unique key. Its retry deletes the row
    the first one committed and writes the newer state.
    """
    for attempt in range(attempts):
        try:
            return _write_db(upserts, deletes)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
            logger.info("search: concurrent write on the same document, retrying")


def _write_db(upserts: list[dict], deletes: list[str]):
    with transaction.atomic():
        SearchDocument.objects.filter(key__in=[d["key"] for d in upserts] + list(deletes)).delete()
        rows = SearchDocument.objects.bulk_create([db_row(d) for d in upserts])
        if rows and rows[0].pk is None:  # backends without RETURNING: read the ids back
            ids = dict(SearchDocument.objects.filter(key__in=[r.key for r in rows]).values_list("key", "pk"))
            for row in rows:
                row.pk = ids[row.key]
        themes = [
            DocumentTheme(document_id=row.pk, slug=t["slug"], name=t["name"])
            for row, doc in zip(rows, upserts, strict=True)
            for t in doc["themes"]
        ]
        DocumentTheme.objects.bulk_create(themes)


def _index_changed(additive: bool = False):
    """Cached results pages are stale from the commit of any write to the index (core.pagecache). `additive`:
    nothing was removed, so a previous copy may be served while the next one renders."""
    from core import pagecache

    transaction.on_commit(lambda: pagecache.bump(conf.PAGE_CACHE_SCOPE, additive=additive))


def apply(keys: list[str]) -> dict:
    """Rebuild `keys` from the database and write them to both engines; clear the pending rows that made it."""
    upserts, deletes = [], []
    cache = {}
    for key in keys:
        doc_type, pk = sources.split_key(key)
        doc = sources.SOURCES[doc_type].build(pk, cache)
        (upserts.append(doc) if doc else deletes.append(key))
    # Only new documents: a results page behind on them may still be served while its next version renders.
    # A removal or a changed document (an edit may take text away) may not.
    additive = not deletes and not SearchDocument.objects.filter(key__in=[d["key"] for d in upserts]).exists()
    write_db(upserts, deletes)
    es_error = None
    if conf.es_url():
        from search import es

        try:
            # Visible before the results pages' version is bumped below, or a page rendered in between would
            # be kept without the change (background tasks: waiting for the next refresh costs nobody).
            es.write(upserts, deletes, refresh=conf.refresh_policy() or "wait_for")
            es.mark_up()
        except Exception as exc:  # noqa: BLE001 - keep the rows, retry later
            es_error = f"{type(exc).__name__}: {exc}"[:300]
            es.mark_down()
            logger.warning("search: Elasticsearch write failed, %d updates kept pending: %s", len(keys), es_error)
    _index_changed(additive)  # after both writes: a page rendered from now on sees them
    if es_error:
        PendingUpdate.objects.filter(key__in=keys).update(attempts=F("attempts") + 1, last_error=es_error)
    else:
        PendingUpdate.objects.filter(key__in=keys).delete()
    return {"indexed": len(upserts), "deleted": len(deletes), "error": es_error}


def drain(limit: int | None = None) -> dict:
    """Apply every pending update (oldest first, in batches). Stops at the first Elasticsearch failure."""
    total = {"indexed": 0, "deleted": 0, "error": None}
    seen = 0
    while True:
        keys = list(PendingUpdate.objects.order_by("created_at", "pk").values_list("key", flat=True)[:BATCH])
        if not keys:
            break
        result = apply(keys)
        total["indexed"] += result["indexed"]
        total["deleted"] += result["deleted"]
        seen += len(keys)
        if result["error"]:
            total["error"] = result["error"]
            break
        if limit and seen >= limit:
            break
    return total


def pending_count() -> int:
    return PendingUpdate.objects.count()


# --- full rebuilds -----------------------------------------------------------------------------------------


def iter_all_docs(types=None):
    for doc_type, source in sources.SOURCES.items():
        if types and doc_type not in types:
            continue
        yield from source.iter_docs()


def count_public(types=None) -> dict[str, int]:
    return {t: s.queryset().count() for t, s in sources.SOURCES.items() if not types or t in types}


def rebuild_database(progress=None) -> int:
    """Rebuild the table in one transaction (readers keep seeing the old rows until commit)."""
    n = 0
    with transaction.atomic():
        DocumentTheme.objects.all().delete()
        SearchDocument.objects.all().delete()
        batch = []
        for doc in iter_all_docs():
            batch.append(doc)
            if len(batch) >= BATCH:
                write_db(batch, [])
                n += len(batch)
                batch = []
                if progress:
                    progress(n)
        if batch:
            write_db(batch, [])
            n += len(batch)
    _index_changed()
    if progress:
        progress(n)
    return n


def rebuild_elasticsearch(progress=None, docs=None) -> tuple[str, int]:
    """New index behind the alias, atomic swap (zero downtime), then replay what changed meanwhile."""
    from search import es

    name, n = es.rebuild(docs if docs is not None else iter_all_docs(), progress=progress)
    es.mark_up()
    _index_changed()
    # Changes committed while the new index was filling may be missing from it: replay everything pending.
    drain()
    return name, n
