from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "agora_search"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Recherche"

    def ready(self):
        from search import indexing

        indexing.connect()
