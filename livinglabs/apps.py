from django.apps import AppConfig


class LivinglabsConfig(AppConfig):
    name = "livinglabs"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Living labs"

    def ready(self):
        from accounts.services import PERSONAL_DATA_EXPORTERS
        from livinglabs import signals  # noqa: F401
        from livinglabs.exports import personal_data

        PERSONAL_DATA_EXPORTERS.append(personal_data)
