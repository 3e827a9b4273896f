"""Organisations in the Wagtail admin: listing with filters, and the verification action."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from accounts import rules, services
from accounts.models import Organisation


class VerifyColumn(Column):
    def get_value(self, instance):
        if instance.verified_at:
            return format_html(
                '<span class="w-status w-status--primary">Vérifiée le {}</span>',
                instance.verified_at.strftime("%d/%m/%Y"),
            )
        return format_html(
            '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="button button-small" type="submit">Vérifier</button></form>',
            reverse("accounts_admin_verify", args=[instance.pk]),
            self.csrf_token or "",
        )

    def get_cell_context_data(self, instance, parent_context):
        self.csrf_token = parent_context.get("csrf_token")
        return super().get_cell_context_data(instance, parent_context)


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = "Organisations"
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "kind", "rna", "siret", "city", VerifyColumn("verified", label="Vérification")]
    list_filter = {"kind": ["exact"], "verified_at": ["isnull"]}
    search_fields = ["name", "rna", "siret", "city"]
    form_fields = [
        "name",
        "kind",
        "rna",
        "siret",
        "description",
        "website",
        "email",
        "phone",
        "address",
        "postcode",
        "city",
    ]
    ordering = ["-created_at"]


@require_POST
def verify_view(request, pk):
    if not rules.can_verify(request.user):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=pk)
    try:
        services.verify_organisation(organisation, request.user)
        messages.success(request, f"« {organisation.name} » est vérifiée ; ses administrateur·rices sont prévenu·es.")
    except services.AccountsError as error:
        messages.error(request, str(error))
    return redirect("organisation:index")


@hooks.register("register_admin_viewset")
def register_organisation_viewset():
    return OrganisationViewSet("organisation")


@hooks.register("register_admin_urls")
def register_verify_url():
    return [path("organisations/<int:pk>/verifier/", verify_view, name="accounts_admin_verify")]
