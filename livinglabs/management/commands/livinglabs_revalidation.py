from django.core.management.base import BaseCommand

from livinglabs.services import send_revalidation_reminders


class Command(BaseCommand):
    help = "E-mail each published living lab verified more than 12 months ago a signed link to confirm or update."

    def handle(self, *args, **options):
        sent = send_revalidation_reminders()
        self.stdout.write(f"{sent} relance(s) envoyée(s).")
