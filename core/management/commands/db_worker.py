"""`manage.py db_worker`: django-tasks-db's worker plus a heartbeat and the sweep of orphaned tasks.

Same options as django-tasks-db's command (this one overrides it: `core` comes first in INSTALLED_APPS). A
daemon thread records this worker's heartbeat every TASKS_HEARTBEAT_SECONDS and runs the sweep (core/taskqueue.py)
at start and every TASKS_SWEEP_SECONDS, so the RUNNING tasks of a killed worker are re-queued by the survivors (or by
the same worker once restarted).
"""

import logging
import threading

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as BaseCommand

from core import taskqueue

logger = logging.getLogger("core.taskqueue")


class Upkeep(threading.Thread):
    def __init__(self, worker_id: str):
        super().__init__(name="task-upkeep", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self):
        since_sweep = taskqueue.sweep_seconds()  # sweep at once
        while not self.stopped.is_set():
            try:
                close_old_connections()
                taskqueue.beat(self.worker_id)
                if since_sweep >= taskqueue.sweep_seconds():
                    taskqueue.sweep()
                    since_sweep = 0
            except Exception:  # the database may be restarting: try again at the next beat
                logger.warning("task upkeep failed; retrying", exc_info=True)
                connection.close()
            self.stopped.wait(taskqueue.heartbeat_seconds())
            since_sweep += taskqueue.heartbeat_seconds()
        connection.close()


class Command(BaseCommand):
    help = "Run the task worker (django-tasks-db), with heartbeats and the sweep of orphaned RUNNING tasks."

    def handle(self, *args, worker_id: str, **options):
        taskqueue.beat(worker_id)
        taskqueue.sweep()  # before the first claim: what a dead worker left is run again first
        upkeep = Upkeep(worker_id)
        upkeep.start()
        try:
            return super().handle(*args, worker_id=worker_id, **options)
        finally:
            upkeep.stopped.set()
            upkeep.join(timeout=10)
            try:
                taskqueue.forget(worker_id)
            except Exception:  # noqa: BLE001 - the sweep ignores a heartbeat that stopped anyway
                pass
