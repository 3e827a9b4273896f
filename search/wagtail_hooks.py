"""Wagtail admin: "Analyse des consultations" (significant terms, time, stance, similar contributions)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts.roles import is_editor, is_moderator
from search import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("recherche/analyse/", admin_views.consultations, name="search_admin_consultations"),
        path(
            "recherche/analyse/<int:consultation_id>/",
            admin_views.consultation_analysis,
            name="search_admin_consultation",
        ),
        path("recherche/analyse/contribution/<int:pk>/similaires/", admin_views.similar, name="search_admin_similar"),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_editor(request.user) or is_moderator(request.user)


@hooks.register("register_admin_menu_item")
def register_menu():
    return StaffMenuItem(
        "Analyse des consultations", reverse("search_admin_consultations"), icon_name="table", order=260
    )
