"""Background indexing (django-tasks)."""

import datetime
import logging

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def apply_pending_updates(keys: list[str] | None = None):
    """Apply the given pending updates (or all of them), then everything else still pending.

    On an Elasticsearch failure the rows stay in `PendingUpdate`; when the task backend can defer, the task
    re-enqueues itself a minute later, so indexing resumes on its own once Elasticsearch is back.
    """
    from search import indexing

    result = indexing.apply(keys) if keys else {"error": None}
    if not result["error"]:
        result = indexing.drain()
    if result["error"]:
        backend = apply_pending_updates.get_backend()
        if backend.supports_defer:
            apply_pending_updates.using(run_after=timezone.now() + datetime.timedelta(minutes=1)).enqueue()
    return {k: v for k, v in result.items() if k != "error"} | {"error": result["error"]}
