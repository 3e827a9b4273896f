"""Home teaser (open calls) and a link from the Wagtail admin menu to the DSFR review area."""

from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts.roles import is_reviewer
from projects import rules


@hooks.register("agora_home_sections")
def open_calls_section(request):
    from projects.models import ProjectCallIndexPage, ProjectCallPage

    now = timezone.now()
    calls = [
        c
        for c in ProjectCallPage.objects.live()
        .public()
        .filter(opens_at__lte=now, closes_at__gte=now - timezone.timedelta(minutes=1))
        .order_by("closes_at")[:3]
        if c.is_open(now)
    ]
    if not calls:
        return None
    index = ProjectCallIndexPage.objects.live().first()
    return {
        "template": "projects/home_section.html",
        "order": 20,
        "calls": calls,
        "index_url": index.url if index else "/appels-a-projets/",
    }


@hooks.register("register_admin_menu_item")
def review_area_menu_item():
    class ReviewMenuItem(MenuItem):
        def is_shown(self, request):
            # Editors land on the calls; reviewers are redirected to their own assignments.
            return rules.can_manage(request.user) or is_reviewer(request.user)

    return ReviewMenuItem("Instruction des candidatures", reverse("projects:staff_home"), icon_name="form", order=350)


@hooks.register("after_publish_page")
def recompute_scores_after_weights_change(request, page):
    from projects.models import ProjectCallPage
    from projects.services import recompute_weighted_totals

    if isinstance(page.specific, ProjectCallPage):
        recompute_weighted_totals(page.specific)
