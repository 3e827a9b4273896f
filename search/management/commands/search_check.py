"""Compare, per document type, the public objects in the database with the search table and Elasticsearch."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from search import indexing
from search import settings as conf
from search.models import PendingUpdate, SearchDocument


class Command(BaseCommand):
    help = "Compare database and index counts per content type; exits with an error on a difference."

    def handle(self, *args, **options):
        expected = indexing.count_public()
        table = dict(
            SearchDocument.objects.values_list("doc_type").annotate(n=Count("pk")).values_list("doc_type", "n")
        )
        es_counts, es_error = None, None
        if conf.es_url():
            from search import es

            try:
                es_counts = es.counts_by_type()
            except Exception as exc:  # noqa: BLE001
                es_error = type(exc).__name__
        header = f"{'type':<14}{'database':>10}{'table':>10}" + (f"{'elasticsearch':>15}" if conf.es_url() else "")
        self.stdout.write(header)
        mismatches = []
        for doc_type, n in expected.items():
            line = f"{doc_type:<14}{n:>10}{table.get(doc_type, 0):>10}"
            if table.get(doc_type, 0) != n:
                mismatches.append(f"{doc_type}: table")
            if es_counts is not None:
                line += f"{es_counts.get(doc_type, 0):>15}"
                if es_counts.get(doc_type, 0) != n:
                    mismatches.append(f"{doc_type}: elasticsearch")
            self.stdout.write(line)
        self.stdout.write(f"pending updates: {PendingUpdate.objects.count()}")
        if es_error:
            raise CommandError(f"Elasticsearch unreachable ({es_error})")
        if mismatches:
            raise CommandError("Differences: " + ", ".join(mismatches) + " — run `manage.py search_rebuild`.")
        self.stdout.write(self.style.SUCCESS("Index and database agree."))
