from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Comptes et organisations"

    def ready(self):
        from django.db.models.signals import post_save

        from accounts.models import Organisation

        # Contributions show their organisation's name and badge: cached public pages must not keep old ones.
        post_save.connect(
            _organisation_saved,
            sender=Organisation,
            dispatch_uid="accounts-page-cache-organisation",
        )


def _organisation_saved(**kwargs):
    from django.db import transaction

    from core import pagecache

    transaction.on_commit(lambda: pagecache.bump(pagecache.GLOBAL_SCOPE))
