"""Which search engine answers, and whether it is up (used by /healthz)."""

from search import settings as conf


def engine_status():
    """{"engine": "database"} without Elasticsearch; with it, the node's version and the pending updates, or
    {"engine": "database", "configured": "elasticsearch", "degraded": True, ...} when the node does not answer."""
    from search.models import PendingUpdate

    if not conf.es_url():
        return {"engine": "database"}
    from search import es

    pending = PendingUpdate.objects.count()
    try:
        info = es.client(timeout=min(2.0, conf.timeout())).info()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        es.mark_down()
        return {
            "engine": "database",
            "configured": "elasticsearch",
            "degraded": True,
            "error": type(exc).__name__,
            "pending_updates": pending,
        }
    es.mark_up()
    if pending:
        # The node is back: resume indexing of what piled up while it was away.
        from search.tasks import apply_pending_updates

        try:
            apply_pending_updates.enqueue()
        except Exception:  # noqa: BLE001
            pass
    return {"engine": "elasticsearch", "version": info["version"]["number"], "pending_updates": pending}
