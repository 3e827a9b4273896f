"""Admin integration: the overdue-verification report for editors and the home page teaser."""

from django.contrib.auth.decorators import user_passes_test
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts.roles import is_editor


def overdue_report(request):
    from livinglabs.models import LivingLabPage
    from livinglabs.settings import overdue_cutoff, revalidation_cutoff

    labs = LivingLabPage.objects.live().filter(last_verified__lte=revalidation_cutoff()).order_by("last_verified")
    return render(
        request,
        "livinglabs/admin/overdue_report.html",
        {
            "labs": labs.only("pk", "title", "commune", "last_verified", "revalidation_sent_at", "status"),
            "overdue_cutoff": overdue_cutoff(),
        },
    )


@hooks.register("register_admin_urls")
def admin_urls():
    return [path("living-labs/verifications/", user_passes_test(is_editor)(overdue_report), name="livinglabs_overdue")]


class EditorMenuItem(MenuItem):
    def is_shown(self, request):
        return is_editor(request.user)


@hooks.register("register_reports_menu_item")
def overdue_menu_item():
    return EditorMenuItem(
        _("Living labs à revérifier"),
        reverse("livinglabs_overdue"),
        name="livinglabs-overdue",
        icon_name="date",
        order=900,
    )


@hooks.register("agora_home_sections")
def home_section(request):
    from livinglabs.views import home_section_context

    context = home_section_context()
    if not context["count"]:
        return None
    return {"template": "livinglabs/home_section.html", "order": 30, **context}
