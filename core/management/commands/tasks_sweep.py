"""`manage.py tasks_sweep`: re-queue the RUNNING tasks of dead workers once (core/taskqueue.py).

`db_worker` already does it at start and every 30 s; this is for a cron when no worker is left running.
"""

from django.core.management.base import BaseCommand

from core import taskqueue


class Command(BaseCommand):
    help = "Re-queue RUNNING tasks whose worker stopped beating (killed worker, lost machine)."

    def handle(self, *args, **options):
        result = taskqueue.sweep()
        self.stdout.write(f"{result['requeued']} re-queued, {result['failed']} failed after too many attempts")
