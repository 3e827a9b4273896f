from django.apps import AppConfig


class LivinglabsConfig(AppConfig):
    name = "livinglabs"
    default_auto_field = "django.db.models.BigAutoField"
