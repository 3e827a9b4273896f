from django.core.management.base import BaseCommand

from core.demo import DEMO_PASSWORD, user


class Command(BaseCommand):
    help = "Create the local administrator account (development only) and print its login."

    def handle(self, *args, **options):
        user("admin@agora-sante.local", "Administration", superuser=True)
        self.stdout.write(
            self.style.SUCCESS(
                "Administration : http://127.0.0.1:8000/admin/  —  identifiant : admin@agora-sante.local  "
                f"—  mot de passe : {DEMO_PASSWORD}\n"
                f"Comptes de démonstration (même mot de passe) : edition@, moderation@, instruction@, "
                "citoyenne@, asso@agora-sante.local"
            )
        )
