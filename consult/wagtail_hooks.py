"""Wagtail integration: moderation menu and screens, synthesis notifications, and the home page teaser."""

from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from consult import admin_views, rules, services
from consult.models import STATUS_OPEN, ConsultationPage


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("consultations/moderation/", admin_views.queue, name="consult_admin_queue"),
        path("consultations/moderation/personne/<int:user_id>/", admin_views.block, name="consult_admin_block"),
        path("consultations/campagnes/", admin_views.campaigns, name="consult_admin_campaigns"),
        path("consultations/syntheses/", admin_views.syntheses, name="consult_admin_syntheses"),
        path(
            "consultations/<int:consultation_id>/synthese/",
            admin_views.synthesis_draft,
            name="consult_admin_synthesis_draft",
        ),
        path(
            "consultations/<int:consultation_id>/synthese/appliquer/",
            admin_views.apply_synthesis_draft,
            name="consult_admin_synthesis_apply",
        ),
    ]


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.can_moderate(request.user)


class EditorMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.can_edit_synthesis(request.user) or rules.can_moderate(request.user)


@hooks.register("register_admin_menu_item")
def register_consult_menu():
    menu = Menu(
        items=[
            ModeratorMenuItem("File de modération", reverse("consult_admin_queue"), icon_name="comment", order=100),
            ModeratorMenuItem("Campagnes", reverse("consult_admin_campaigns"), icon_name="copy", order=200),
            EditorMenuItem("Synthèses", reverse("consult_admin_syntheses"), icon_name="doc-full", order=300),
        ]
    )
    return SubmenuMenuItem("Consultations", menu, icon_name="comment", order=250)


@hooks.register("after_publish_page")
def notify_synthesis_on_publish(request, page):
    """Publishing a consultation whose synthesis is filled tells its followers (once)."""
    specific = page.specific
    if isinstance(specific, ConsultationPage) and specific.synthesis:
        if not specific.synthesis_published_at:
            ConsultationPage.objects.filter(pk=specific.pk).update(synthesis_published_at=timezone.now())
            specific.synthesis_published_at = timezone.now()
        services.notify_synthesis(specific)


@hooks.register("agora_home_sections")
def home_open_consultations(request):
    now = timezone.now()
    open_ones = list(
        ConsultationPage.objects.live().public().filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")[:3]
    )
    if not open_ones:
        return None
    index = open_ones[0].get_parent()
    return {
        "template": "consult/home_section.html",
        "order": 10,
        "consultations": open_ones,
        "index_url": index.url,
        "status_open": STATUS_OPEN,
    }
