import sys

from django.core.management.base import BaseCommand, CommandError

from livinglabs.importer import import_file


class Command(BaseCommand):
    help = (
        "Import living labs from a CSV file (columns in docs/livinglabs.md). Matches rows on `identifiant` "
        "so re-importing updates instead of duplicating. By default any invalid row aborts the whole import."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and report the invalid ones instead of aborting.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def progress(self, done, total):
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()

    def handle(self, *args, file, skip_invalid, no_progress, **options):
        try:
            handle = open(file, "rb")
        except OSError as error:
            raise CommandError(f"Impossible d'ouvrir {file} : {error}") from error
        with handle:
            report = import_file(handle, skip_invalid=skip_invalid, progress=None if no_progress else self.progress)
        if not no_progress:
            sys.stderr.write("\n")
        if report.errors:
            self.stdout.write("ligne;colonne;erreur")
            for error in report.errors:
                self.stdout.write(f"{error.line};{error.column};{error.message}")
        if report.aborted:
            raise CommandError(f"{len(report.errors)} erreur(s) : aucune ligne importée.")
        self.stdout.write(
            f"{report.created} créé(s), {report.updated} mis à jour, {report.unchanged} inchangé(s), "
            f"{report.skipped} ligne(s) ignorée(s)."
        )
