from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Appels à projets"

    def ready(self):
        from accounts.services import PERSONAL_DATA_EXPORTERS
        from projects.views import export_personal_data

        if export_personal_data not in PERSONAL_DATA_EXPORTERS:
            PERSONAL_DATA_EXPORTERS.append(export_personal_data)
