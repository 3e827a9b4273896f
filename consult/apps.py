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

        from django.db.models.signals import post_save
        from wagtail.signals import page_published, page_unpublished

        from consult.models import ConsultationEvent, ConsultationPage

        # Every change readers can see writes a ConsultationEvent (consult/services.py): it makes the cached
        # anonymous pages of its consultation stale once committed. So do the editors' publications.
        post_save.connect(_event_saved, sender=ConsultationEvent, dispatch_uid="consult-page-cache-event")
        for signal in (page_published, page_unpublished):
            signal.connect(
                _page_changed,
                sender=ConsultationPage,
                dispatch_uid=f"consult-page-cache-{id(signal)}",
            )


def bump_page_cache_after_commit(consultation_id, additive=False):
    """Make the consultation's cached anonymous pages stale once the current transaction commits."""
    from django.db import transaction

    from consult.models import page_cache_scope
    from core import pagecache

    transaction.on_commit(lambda: pagecache.bump(page_cache_scope(consultation_id), additive=additive))


def _event_saved(sender, instance, created, **kwargs):
    if created:
        additive = (sender.KIND_CREATED, sender.KIND_PUBLISHED, sender.KIND_VOTES)
        # A new or newly published contribution and new vote counts only add to the pages (their previous copy
        # may be served while the next renders); an edit, a hiding or a withdrawal takes something away.
        bump_page_cache_after_commit(instance.consultation_id, additive=instance.kind in additive)


def _page_changed(sender, instance, **kwargs):
    bump_page_cache_after_commit(instance.pk)
