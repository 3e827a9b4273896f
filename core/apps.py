from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Agora Santé"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from dsfr.models import DsfrConfig
        from wagtail.signals import page_published, page_unpublished

        from core import context_processors
        from core.models import bump_home_cache

        for signal in (page_published, page_unpublished):
            signal.connect(bump_home_cache, dispatch_uid=f"home-cache-{id(signal)}")
        post_delete.connect(bump_home_cache, sender="wagtailcore.Page", dispatch_uid="home-cache-delete")
        for signal in (post_save, post_delete):
            signal.connect(
                context_processors.forget_site_config, sender=DsfrConfig, dispatch_uid=f"dsfr-config-{id(signal)}"
            )

        # Anonymous copies are served before URL resolution and permission checks (core/pagecache.py): whatever
        # could change who may see a page, or where it lives, makes every copy stale.
        from wagtail.models import PageViewRestriction, Site
        from wagtail.signals import page_slug_changed, post_page_move

        from core import pagecache

        for signal in (post_page_move, page_slug_changed, page_published, page_unpublished):
            signal.connect(pagecache.bump_everything, dispatch_uid=f"page-cache-{id(signal)}")
        post_delete.connect(pagecache.bump_everything, sender="wagtailcore.Page", dispatch_uid="page-cache-deleted")
        for signal in (post_save, post_delete):
            for sender in (PageViewRestriction, Site, DsfrConfig):
                signal.connect(
                    pagecache.bump_everything, sender=sender, dispatch_uid=f"page-cache-{sender.__name__}-{id(signal)}"
                )
