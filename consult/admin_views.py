"""Moderation and synthesis screens in the Wagtail admin (moderators; editors for syntheses)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from consult import rules, services
from consult.forms import BlockForm, ModerationForm
from consult.models import Campaign, ConsultationPage, Contribution, Flag, ParticipationBlock
from consult.synthesis import synthesis_data, synthesis_draft_html

STATUS_FILTERS = [
    ("a_traiter", "À traiter (en attente ou masquées après signalements)"),
    (Contribution.STATUS_PENDING, "En attente"),
    (Contribution.STATUS_PUBLISHED, "Publiées"),
    (Contribution.STATUS_HIDDEN, "Masquées"),
    (Contribution.STATUS_WITHDRAWN, "Retirées"),
    ("toutes", "Toutes"),
]


def _require_moderator(request):
    if not rules.can_moderate(request.user):
        raise PermissionDenied


def _require_editor(request):
    if not (rules.can_edit_synthesis(request.user) or rules.can_moderate(request.user)):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def queue(request):
    _require_moderator(request)
    if request.method == "POST":
        form = ModerationForm(request.POST)
        if form.is_valid():
            done, errors = services.bulk_moderate(
                request.user, form.cleaned_data["ids"], form.cleaned_data["action"], form.cleaned_data["reason"]
            )
            if done:
                messages.success(request, f"{done} contribution(s) traitée(s).")
            for error in errors[:20]:
                messages.error(request, error)
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect(request.get_full_path())

    qs = Contribution.objects.select_related(
        "author", "organisation", "section", "consultation", "campaign", "moderated_by"
    )
    status = request.GET.get("statut", "a_traiter")
    if status == "a_traiter":
        qs = qs.moderation_queue()
    elif status in dict(Contribution.STATUS_CHOICES):
        qs = qs.filter(status=status)
    consultation_id = request.GET.get("consultation", "")
    if consultation_id.isdigit():
        qs = qs.filter(consultation_id=int(consultation_id))
    if request.GET.get("signalees"):
        qs = qs.filter(flags_count__gt=0)
    campaign_id = request.GET.get("campagne", "")
    if campaign_id == "toutes":
        qs = qs.filter(campaign__isnull=False)
    elif campaign_id.isdigit():
        qs = qs.filter(campaign_id=int(campaign_id))
    qs = qs.prefetch_related(Prefetch("flags", queryset=Flag.objects.order_by("created_at")))
    qs = qs.order_by("-flags_count", "created_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    blocked = set(
        ParticipationBlock.objects.filter(user_id__in={c.author_id for c in page}).values_list("user_id", flat=True)
    )
    return render(
        request,
        "consult/admin/queue.html",
        {
            "page_title": "File de modération",
            "header_icon": "comment",
            "page_obj": page,
            "query": query.urlencode(),
            "status": status,
            "status_filters": STATUS_FILTERS,
            "consultations": ConsultationPage.objects.order_by("-opens_at").only("id", "title"),
            "consultation_id": consultation_id,
            "campaigns": Campaign.objects.select_related("consultation").order_by("-size")[:100],
            "campaign_id": campaign_id,
            "flagged": bool(request.GET.get("signalees")),
            "blocked": blocked,
        },
    )


@require_http_methods(["GET", "POST"])
def block(request, user_id):
    _require_moderator(request)
    person = get_object_or_404(User, pk=user_id)
    existing = ParticipationBlock.objects.filter(user=person).first()
    form = BlockForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("unblock"):
                services.unblock_user(request.user, person)
                messages.success(request, f"{person.public_name} peut de nouveau participer.")
                return redirect("consult_admin_queue")
            if form.is_valid():
                services.block_user(request.user, person, form.cleaned_data["reason"])
                messages.success(request, f"{person.public_name} ne peut plus contribuer.")
                return redirect("consult_admin_queue")
        except services.ConsultError as exc:
            messages.error(request, str(exc))
    recent = (
        Contribution.objects.filter(author=person)
        .select_related("consultation", "section")
        .order_by("-created_at")[:20]
    )
    return render(
        request,
        "consult/admin/block.html",
        {
            "page_title": f"Suspendre la participation de {person.public_name}",
            "header_icon": "lock",
            "person": person,
            "existing": existing,
            "form": form,
            "recent": recent,
        },
    )


def campaigns(request):
    _require_moderator(request)
    items = (
        Campaign.objects.select_related("consultation")
        .annotate(authors=Count("contributions__author", distinct=True), total=Count("contributions"))
        .order_by("-total")
    )
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "consult/admin/campaigns.html",
        {
            "page_title": "Campagnes (textes identiques)",
            "header_icon": "copy",
            "page_obj": page,
        },
    )


def syntheses(request):
    _require_editor(request)
    consultations = ConsultationPage.objects.annotate(n=Count("contributions")).order_by("-closes_at")
    return render(
        request,
        "consult/admin/syntheses.html",
        {
            "page_title": "Synthèses des consultations",
            "header_icon": "doc-full",
            "consultations": consultations,
        },
    )


def synthesis_draft(request, consultation_id):
    _require_editor(request)
    consultation = get_object_or_404(ConsultationPage, pk=consultation_id)
    data = synthesis_data(consultation)
    return render(
        request,
        "consult/admin/synthesis_draft.html",
        {
            **data,
            "page_title": f"Brouillon de synthèse — {consultation.title}",
            "header_icon": "doc-full",
            "draft_html": synthesis_draft_html(consultation),
            "edit_url": reverse("wagtailadmin_pages:edit", args=[consultation.pk]),
        },
    )


@require_POST
def apply_synthesis_draft(request, consultation_id):
    """Copy the generated draft into the page's synthesis field as a new draft revision (not published)."""
    _require_editor(request)
    consultation = get_object_or_404(ConsultationPage, pk=consultation_id)
    if not consultation.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    latest = consultation.get_latest_revision_as_object()
    latest.synthesis = synthesis_draft_html(consultation)
    latest.save_revision(user=request.user, log_action=True)
    messages.success(
        request,
        "Le brouillon est copié dans le champ « synthèse » (révision non publiée) : "
        "relisez-le et complétez-le avant de publier.",
    )
    return redirect("wagtailadmin_pages:edit", consultation.pk)
