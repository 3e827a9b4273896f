"""E-mail the followers of consultations closing within the next days (default 3). Idempotent: each
consultation is notified at most once (ConsultationPage.closing_notified_at). Run it daily (cron)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from consult import services
from consult.models import ConsultationPage


class Command(BaseCommand):
    help = "Prévient les personnes qui suivent une consultation qu'elle se termine dans les prochains jours."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3)

    def handle(self, *args, days=3, **options):
        now = timezone.now()
        due = ConsultationPage.objects.live().filter(
            opens_at__lte=now,
            closes_at__gt=now,
            closes_at__lte=now + timedelta(days=days),
            closing_notified_at__isnull=True,
        )
        total = 0
        for consultation in due:
            sent = services.notify_closing(consultation)
            total += sent
            self.stdout.write(f"{consultation.title} : {sent} message(s)")
        self.stdout.write(self.style.SUCCESS(f"{total} message(s) en file d'envoi."))
