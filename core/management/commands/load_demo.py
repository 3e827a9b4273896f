import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

MODULES = ["core", "consult", "projects", "livinglabs", "search"]


class Command(BaseCommand):
    help = "Load the demo content of every module (idempotent: safe to run at every start)."

    def handle(self, *args, **options):
        context = {}
        for name in MODULES:
            module = importlib.import_module(f"{name}.demo")
            with transaction.atomic():
                result = (
                    module.load(stdout=self.stdout)
                    if name == "core"
                    else module.load(stdout=self.stdout, context=context)
                )
            if isinstance(result, dict):
                context.update(result)
            self.stdout.write(f"demo: {name} ok")
