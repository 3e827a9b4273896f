"""Factories for calls and applications. Private files go to a temporary directory."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects.models import (
    Application,
    Attachment,
    BudgetLine,
    CallCriterion,
    Partner,
    ProjectCallIndexPage,
    ProjectCallPage,
    ReviewAssignment,
)

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PROJECTS_PRIVATE_ROOT = str(tmp_path / "private")


def pdf_upload(name="statuts.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def call_index(home_page):
    existing = ProjectCallIndexPage.objects.first()
    if existing:
        return existing
    index = ProjectCallIndexPage(title="Appels à projets", slug="appels-a-projets")
    home_page.add_child(instance=index)
    index.save_revision().publish()
    return index


@pytest.fixture
def call_factory(call_index):
    counter = {"n": 0}

    def make(status="open", **fields):
        counter["n"] += 1
        now = timezone.now()
        if status == "open":
            fields.setdefault("opens_at", now - datetime.timedelta(days=10))
            fields.setdefault("closes_at", now + datetime.timedelta(days=10))
        elif status == "closed":
            fields.setdefault("opens_at", now - datetime.timedelta(days=30))
            fields.setdefault("closes_at", now - datetime.timedelta(days=5))
        else:
            fields.setdefault("opens_at", now + datetime.timedelta(days=5))
            fields.setdefault("closes_at", now + datetime.timedelta(days=30))
        fields.setdefault("title", f"Appel n°{counter['n']}")
        fields.setdefault("slug", f"appel-{counter['n']}")
        fields.setdefault("intro", "Un appel de test.")
        fields.setdefault("max_grant", Decimal("50000"))
        fields.setdefault("total_budget", Decimal("500000"))
        call = ProjectCallPage(**fields)
        call_index.add_child(instance=call)
        for order, (label, weight) in enumerate([("Utilité", 3), ("Faisabilité", 2), ("Pérennité", 1)]):
            CallCriterion.objects.create(page=call, sort_order=order, label=label, weight=weight)
        call.save_revision().publish()
        return ProjectCallPage.objects.get(pk=call.pk)

    return make


@pytest.fixture
def open_call(call_factory):
    return call_factory(title="Usages numériques", requires_verified_association=True)


@pytest.fixture
def consortium_call(call_factory):
    return call_factory(
        title="Co-innovation",
        call_type=ProjectCallPage.TYPE_CONSORTIUM,
        requires_startup=True,
        requires_health_professional=True,
        blind_review=True,
    )


@pytest.fixture
def closed_call(call_factory):
    return call_factory(status="closed", title="Appel clos")


def fill(application, requested=Decimal("20000"), co_funding=Decimal("5000"), attachment=True):
    """Make a draft complete (every required field, a balanced budget, one attachment)."""
    application.title = "Ateliers numériques"
    application.summary = "Des ateliers pour les patients."
    application.description = "Description détaillée."
    application.target_public = "Patients et aidants."
    application.region = "76"
    application.duration_months = 12
    application.expected_outcomes = "Des patients plus autonomes."
    application.requested_amount = requested
    application.co_funding = co_funding
    application.contact_name = application.contact_name or "Nadia"
    application.contact_email = application.contact_email or "nadia@example.org"
    application.postcode = application.postcode or "31000"
    application.city = application.city or "Toulouse"
    application.save()
    BudgetLine.objects.create(
        application=application, category="staff", label="Animation", amount=requested + co_funding
    )
    if attachment:
        att = Attachment(
            application=application,
            kind="statutes",
            original_name="statuts.pdf",
            size=len(PDF),
            content_type="application/pdf",
        )
        att.file.save("statuts.pdf", ContentFile(PDF), save=False)
        att.save()
    if application.call.is_consortium:
        Partner.objects.create(application=application, name="Medilab SAS", kind="startup", role="Développement")
        Partner.objects.create(
            application=application, name="CHU de Toulouse", kind="health_professional", role="Clinique"
        )
    return application


@pytest.fixture
def application_factory(asso_admin):
    def make(call, organisation, status=Application.STATUS_DRAFT, complete=True, created_by=None, **fields):
        application = Application.objects.create(
            call=call,
            organisation=organisation,
            created_by=created_by or asso_admin,
            status=status,
            legal_name=organisation.name,
            rna=organisation.rna,
            **fields,
        )
        if complete:
            fill(application)
        if status != Application.STATUS_DRAFT:
            application.reference = f"AAP-2026-{application.pk:05d}"
            application.submitted_at = timezone.now()
            application.save(update_fields=["reference", "submitted_at"])
        if status == Application.STATUS_ACCEPTED:
            application.granted_amount = Decimal("15000")
            application.decided_at = timezone.now()
            application.save(update_fields=["granted_amount", "decided_at"])
        return application

    return make


@pytest.fixture
def draft(open_call, organisation, application_factory):
    return application_factory(open_call, organisation)


@pytest.fixture
def assign():
    def make(application, reviewer, declared=True, recused=False):
        return ReviewAssignment.objects.create(
            application=application,
            reviewer=reviewer,
            recused=recused,
            conflict_declared_at=timezone.now() if declared else None,
        )

    return make
