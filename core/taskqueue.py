"""Task queue upkeep around django-tasks-db: worker heartbeats and the sweep of orphaned RUNNING tasks.

django-tasks-db 0.13 marks a claimed task RUNNING and never looks at it again: a worker killed by SIGKILL (or
a machine lost) leaves it RUNNING forever. Our `db_worker` (core/management/commands/db_worker.py) therefore
records a heartbeat every TASKS_HEARTBEAT_SECONDS (5) and runs `sweep()` at start and every
TASKS_SWEEP_SECONDS (30); `manage.py
tasks_sweep` runs it once (cron).

A RUNNING task is orphaned when the worker that claimed it last (`worker_ids[-1]`) has not beaten for
`TASKS_WORKER_STALE_SECONDS` (default 60), or — for a worker without heartbeats — when it started more than
`TASKS_RUNNING_TIMEOUT_SECONDS` ago (default 3600). The sweep locks the candidate rows with
`SELECT … FOR UPDATE SKIP LOCKED` (several sweepers never take the same row), puts them back to READY, and
marks FAILED a task already claimed `TASKS_MAX_ATTEMPTS` times (default 5: a task that kills its worker
must not loop forever). Tasks must be idempotent: e-mails are (core.models.SentEmail), index updates are
(search.PendingUpdate, idempotent upserts).
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def heartbeat_seconds() -> float:
    return float(getattr(settings, "TASKS_HEARTBEAT_SECONDS", 5))


def sweep_seconds() -> float:
    return float(getattr(settings, "TASKS_SWEEP_SECONDS", 30))


def stale_seconds() -> float:
    return float(getattr(settings, "TASKS_WORKER_STALE_SECONDS", 60))


def running_timeout_seconds() -> float:
    return float(getattr(settings, "TASKS_RUNNING_TIMEOUT_SECONDS", 3600))


def max_attempts() -> int:
    return int(getattr(settings, "TASKS_MAX_ATTEMPTS", 5))


def beat(worker_id: str) -> None:
    from core.models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"beat_at": now})


def forget(worker_id: str) -> None:
    from core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def sweep(now: datetime.datetime | None = None) -> dict:
    """Re-queue the RUNNING tasks of dead workers. Returns {"requeued": n, "failed": n}."""
    from django_tasks_db.models import DBTaskResult

    from core.models import WorkerHeartbeat

    now = now or timezone.now()
    alive = set(
        WorkerHeartbeat.objects.filter(beat_at__gte=now - datetime.timedelta(seconds=stale_seconds())).values_list(
            "worker_id", flat=True
        )
    )
    known = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
    timeout = now - datetime.timedelta(seconds=running_timeout_seconds())
    requeued = failed = 0
    with transaction.atomic():
        rows = list(DBTaskResult.objects.running().select_for_update(skip_locked=True).order_by("started_at"))
        for row in rows:
            worker = row.worker_ids[-1] if row.worker_ids else None
            if worker in alive:
                continue
            if worker not in known and row.started_at and row.started_at > timeout:
                continue  # a worker without heartbeats (not ours): only a very old task is presumed orphaned
            if len(row.worker_ids) >= max_attempts():
                row.status = "FAILED"
                row.finished_at = now
                row.exception_class_path = "core.taskqueue.WorkerLost"
                row.traceback = f"worker lost {len(row.worker_ids)} times while running this task"
                row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                failed += 1
                continue
            row.status = "READY"
            row.started_at = None
            row.save(update_fields=["status", "started_at"])
            requeued += 1
        # Heartbeats of long-dead workers are only noise.
        WorkerHeartbeat.objects.filter(beat_at__lt=now - datetime.timedelta(days=1)).delete()
    if requeued or failed:
        logger.warning(
            "task sweep: %d orphaned task(s) re-queued, %d failed after too many attempts",
            requeued,
            failed,
        )
    return {"requeued": requeued, "failed": failed}


class WorkerLost(Exception):
    """Recorded on a task whose worker died too many times while running it."""
