"""Apply the pending search updates now (what the task does; useful after an Elasticsearch outage)."""

from django.core.management.base import BaseCommand, CommandError

from search import indexing


class Command(BaseCommand):
    help = "Apply every pending search update to the database table and Elasticsearch."

    def handle(self, *args, **options):
        result = indexing.drain()
        self.stdout.write(
            f"indexed {result['indexed']}, deleted {result['deleted']}, still pending {indexing.pending_count()}"
        )
        if result["error"]:
            raise CommandError(result["error"])
