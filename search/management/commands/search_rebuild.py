"""Rebuild the search documents: the database table (one transaction) and, when ELASTICSEARCH_URL is set, a new
Elasticsearch index behind the alias, swapped atomically (searches keep answering during the whole rebuild)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from search import indexing
from search import settings as conf


class ProgressBar:
    def __init__(self, label, total, stream=None, width=30):
        self.label, self.total, self.width = label, max(total, 1), width
        self.stream = stream or sys.stderr  # a file, or a command's OutputWrapper
        self.started = time.monotonic()

    def __call__(self, done):
        ratio = min(1.0, done / self.total)
        filled = int(ratio * self.width)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self._write(
            f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {ratio:4.0%} "
            f"{done}/{self.total} ({rate:,.0f}/s)"
        )

    def _write(self, text):
        if hasattr(self.stream, "style_func"):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()

    def finish(self):
        self._write("\n")


class Command(BaseCommand):
    help = "Rebuild the search index (database table, then Elasticsearch with a zero-downtime alias swap)."

    def add_arguments(self, parser):
        parser.add_argument("--skip-database", action="store_true", help="Only rebuild Elasticsearch.")
        parser.add_argument("--skip-elasticsearch", action="store_true", help="Only rebuild the database table.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")

    def handle(self, *args, **options):
        total = sum(indexing.count_public().values())
        quiet = options["no_progress"]
        if not options["skip_database"]:
            bar = ProgressBar("base de données", total, self.stderr)
            n = indexing.rebuild_database(progress=None if quiet else bar)
            if not quiet:
                bar.finish()
            self.stdout.write(f"database: {n} documents")
        if conf.es_url() and not options["skip_elasticsearch"]:
            bar = ProgressBar("elasticsearch   ", total, self.stderr)
            try:
                name, n = indexing.rebuild_elasticsearch(progress=None if quiet else bar)
            except Exception as exc:
                raise CommandError(
                    f"Elasticsearch rebuild failed ({type(exc).__name__}: {exc}); "
                    "the previous index is still in service."
                ) from exc
            finally:
                if not quiet:
                    bar.finish()
            self.stdout.write(f"elasticsearch: {n} documents in {name} (alias {conf.alias_name()})")
        elif not conf.es_url():
            self.stdout.write("elasticsearch: not configured (ELASTICSEARCH_URL is empty)")
