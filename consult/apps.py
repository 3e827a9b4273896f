from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "consult"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Consultations"

    def ready(self):
        from accounts.services import PERSONAL_DATA_EXPORTERS
        from consult.personal_data import personal_data

        if personal_data not in PERSONAL_DATA_EXPORTERS:
            PERSONAL_DATA_EXPORTERS.append(personal_data)
