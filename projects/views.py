"""Views of the applicant side, the staff review area and the public laureates. Thin: load, check, call a service."""

import csv
import html
import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from accounts.roles import REVIEWER, is_reviewer
from core.csvsafe import safe_cell, safe_row
from core.ratelimit import ratelimit
from projects import forms as f
from projects import rules, services
from projects import settings as app_settings
from projects.models import (
    PARTNER_KIND_NAMES,
    REGION_CHOICES,
    REGION_NAMES,
    Application,
    ProjectCallPage,
    ReviewAssignment,
)
from projects.ranking import ranking
from projects.services import ProjectsError

A = Application
STEP_LABELS = {
    "identity": "Identité de l'organisation",
    "project": "Le projet",
    "budget": "Budget",
    "partners": "Partenaires du consortium",
    "attachments": "Pièces jointes",
    "declaration": "Vérification et dépôt",
}


def _application_for(user, pk, *, manage=False):
    application = get_object_or_404(
        Application.objects.select_related("call", "organisation").prefetch_related("assignments"), pk=pk
    )
    allowed = rules.can_manage(user) if manage else rules.can_view(user, application)
    if not allowed:
        raise Http404  # never confirm that someone else's file exists
    return application


def _raw(post) -> dict:
    """The submitted values as plain JSON (what the person typed), without the CSRF token."""
    return {
        key: (values if len(values) > 1 else values[0])
        for key, values in post.lists()
        if key not in ("csrfmiddlewaretoken", "action")
    }


def _rows_from_raw(raw: dict, prefix: str, names) -> list[dict]:
    rows = {}
    for key, value in raw.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == prefix and parts[1].isdigit() and parts[2] in names:
            rows.setdefault(int(parts[1]), {})[parts[2]] = value
    return [rows[i] for i in sorted(rows) if any(v not in ("", None) for v in rows[i].values())]


# --- applicant: dashboard and start ---------------------------------------------------------------------------------


@login_required
def dashboard(request):
    """Mes candidatures: every application of the person's organisations."""
    applications = (
        Application.objects.for_member(request.user).select_related("call", "organisation").order_by("-updated_at")
    )
    return render(
        request,
        "projects/dashboard.html",
        {
            "applications": applications,
            "title": "Mes candidatures",
            "open_calls": ProjectCallPage.objects.live()
            .public()
            .filter(opens_at__lte=timezone.now(), closes_at__gte=timezone.now() - timezone.timedelta(minutes=1)),
            "breadcrumb": [("Mes candidatures", None)],
        },
    )


@login_required
@ratelimit("projects_start", user_rate="20/h", ip_rate="60/h")
def start(request, call_id):
    call = get_object_or_404(ProjectCallPage.objects.live().public(), pk=call_id)
    organisations = Organisation.objects.for_member(request.user)
    if request.method == "POST":
        organisation = organisations.filter(pk=request.POST.get("organisation")).first()
        if organisation is None:
            messages.error(request, "Choisissez l'organisation au nom de laquelle vous candidatez.")
        else:
            try:
                application = services.start_application(call, organisation, request.user)
            except ProjectsError as error:
                messages.error(request, str(error))
            else:
                return redirect("projects:step", application.pk, "identity")
    return render(
        request,
        "projects/start.html",
        {
            "call": call,
            "organisations": organisations,
            "title": f"Candidater : {call.title}",
            "breadcrumb": [("Appels à projets", call.get_parent().url), (call.title, call.url), ("Candidater", None)],
        },
    )


# --- applicant: steps -----------------------------------------------------------------------------------------------


def _step_context(application, step):
    steps = application.steps()
    index = steps.index(step)
    return {
        "application": application,
        "call": application.call,
        "step": step,
        "step_label": STEP_LABELS[step],
        "steps": [
            (
                s,
                STEP_LABELS[s],
                s in application.completed_steps,
                application.section_editable(s) if s != "declaration" else application.status == A.STATUS_DRAFT,
            )
            for s in steps
        ],
        "step_number": index + 1,
        "step_count": len(steps),
        "next_step": steps[index + 1] if index + 1 < len(steps) else None,
        "next_label": STEP_LABELS[steps[index + 1]] if index + 1 < len(steps) else None,
        "previous_step": steps[index - 1] if index else None,
        "autosave_url": reverse("projects:autosave", args=[application.pk, step]),
        "autosave_interval": app_settings.AUTOSAVE_INTERVAL_MS,
        "title": f"{STEP_LABELS[step]} — {application.call.title}",
        "breadcrumb": [
            ("Mes candidatures", reverse("projects:dashboard")),
            (str(application), reverse("projects:application_detail", args=[application.pk])),
            (STEP_LABELS[step], None),
        ],
    }


def _build_forms(application, step, data=None, files=None):
    """Forms of a step: bound to POST data, or prefilled from the model overlaid with the saved raw input."""
    raw = (application.draft_data or {}).get(step) if data is None else None
    call = application.call
    if step == "identity":
        return {"form": f.IdentityForm(data, instance=application, initial=raw or None)}
    if step == "project":
        return {"form": f.ProjectForm(data, instance=application, initial=raw or None)}
    if step == "budget":
        if data is not None:
            return {
                "form": f.BudgetForm(data, instance=application, call=call),
                "formset": f.BudgetLineFormSet(data, prefix="lines"),
            }
        lines = (
            _rows_from_raw(raw, "lines", ("category", "label", "amount"))
            if raw
            else [
                {"category": line.category, "label": line.label, "amount": line.amount}
                for line in application.budget_lines.all()
            ]
        )
        initial = {k: raw[k] for k in ("requested_amount", "co_funding") if raw and k in raw} or None
        return {
            "form": f.BudgetForm(instance=application, call=call, initial=initial),
            "formset": f.BudgetLineFormSet(prefix="lines", initial=lines),
        }
    if step == "partners":
        if data is not None:
            return {"formset": f.PartnerFormSet(data, prefix="partners")}
        partners = (
            _rows_from_raw(raw, "partners", ("name", "kind", "role", "siret"))
            if raw
            else [
                {"name": p.name, "kind": p.kind, "role": p.role, "siret": p.siret} for p in application.partners.all()
            ]
        )
        return {"formset": f.PartnerFormSet(prefix="partners", initial=partners)}
    if step == "attachments":
        return {"form": f.AttachmentForm(data, files)}
    if step == "declaration":
        return {"form": f.DeclarationForm(data)}
    raise Http404


def _save_valid_step(request, application, step, forms):
    """Validate the step; save it through the service. Returns a list of extra (non-field) errors."""
    if step in ("identity", "project"):
        form = forms["form"]
        if not form.is_valid():
            return None
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        services.save_step(application, request.user, step, values)
        return []
    if step == "budget":
        form, formset = forms["form"], forms["formset"]
        if not (form.is_valid() and formset.is_valid()):
            return None
        lines = [
            {k: line.cleaned_data[k] for k in ("category", "label", "amount")}
            for line in formset.forms
            if line.cleaned_data and not line.is_blank
        ]
        requested = form.cleaned_data["requested_amount"] or Decimal("0")
        co_funding = form.cleaned_data["co_funding"] or Decimal("0")
        errors = services.check_budget(application.call, lines, co_funding, requested)
        if errors:
            return errors
        services.save_step(
            application, request.user, step, {"requested_amount": requested, "co_funding": co_funding}, lines=lines
        )
        return []
    if step == "partners":
        formset = forms["formset"]
        if not formset.is_valid():
            return None
        partners = [
            {k: p.cleaned_data[k] for k in ("name", "kind", "role", "siret")}
            for p in formset.forms
            if p.cleaned_data and not p.is_blank
        ]
        missing = services.missing_partner_kinds(application.call, [p["kind"] for p in partners])
        if missing:
            labels = ", ".join(str(PARTNER_KIND_NAMES[k]) for k in missing)
            return [f"Le consortium doit compter au moins un partenaire de chaque type requis ; il manque : {labels}."]
        services.save_step(application, request.user, step, {}, partners=partners)
        return []
    raise Http404


@login_required
def step(request, pk, step):
    application = _application_for(request.user, pk)
    if step not in application.steps():
        raise Http404
    if not rules.is_applicant(request.user, application):
        raise Http404
    if step == "declaration":
        return declaration(request, application)
    if step == "attachments":
        return attachments_step(request, application)
    editable = application.section_editable(step)
    if not editable:
        messages.info(request, "Cette partie du dossier n'est pas modifiable.")
        return redirect("projects:application_detail", application.pk)
    extra_errors = []
    if request.method == "POST":
        forms = _build_forms(application, step, request.POST)
        try:
            result = _save_valid_step(request, application, step, forms)
        except ProjectsError as error:
            result = [str(error)]
        if result == []:
            messages.success(request, "Étape enregistrée.")
            context = _step_context(application, step)
            target = context["next_step"] if request.POST.get("action") != "stay" else step
            if application.status == A.STATUS_CORRECTIONS_REQUESTED:
                return redirect("projects:application_detail", application.pk)
            return redirect("projects:step", application.pk, target or step)
        # Invalid: keep everything that was typed, show the errors.
        services.save_draft_input(application, request.user, step, _raw(request.POST))
        extra_errors = result or []
    else:
        forms = _build_forms(application, step)
    context = _step_context(application, step)
    context.update(forms, extra_errors=extra_errors, max_grant=application.call.max_grant)
    if step == "budget":
        context["expenses_total"] = application.expenses_total
    if step == "partners":
        context["required_partners"] = application.call.required_partner_labels
    return render(request, "projects/step.html", context, status=200)


@login_required
@ratelimit("projects_upload", user_rate="60/h", ip_rate="200/h")
def attachments_step(request, application):
    form = f.AttachmentForm()
    if request.method == "POST":
        form = f.AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.add_attachment(
                    application, request.user, form.cleaned_data["file"], kind=form.cleaned_data["kind"]
                )
            except ProjectsError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, "Pièce jointe ajoutée.")
                return redirect("projects:step", application.pk, "attachments")
    context = _step_context(application, "attachments")
    context.update(
        form=form,
        attachments=application.attachments.filter(message=None),
        editable=application.section_editable("attachments"),
        max_files=app_settings.MAX_ATTACHMENTS,
    )
    return render(request, "projects/step_attachments.html", context)


def declaration(request, application):
    if application.status != A.STATUS_DRAFT:
        return redirect("projects:application_detail", application.pk)
    form = f.DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit(application, request.user, form.cleaned_data["sworn_declaration"])
        except ProjectsError as error:
            messages.error(request, str(error))
        else:
            return redirect("projects:receipt", application.pk)
    context = _step_context(application, "declaration")
    context.update(
        form=form,
        completeness=services.completeness_errors(application),
        is_open=application.call.is_open(),
        **_recap_context(request.user, application),
    )
    return render(request, "projects/step_declaration.html", context)


@login_required
@require_POST
@ratelimit("projects_autosave", user_rate="60/m", ip_rate="120/m")
def autosave(request, pk, step):
    """Keep the raw input of a step (idempotent: the same payload changes nothing). Used by autosave.js."""
    application = _application_for(request.user, pk)
    if step not in application.steps() or step in ("attachments", "declaration"):
        raise Http404
    try:
        services.save_draft_input(application, request.user, step, _raw(request.POST))
    except ProjectsError as error:
        return JsonResponse({"saved": False, "error": str(error)}, status=409)
    return JsonResponse({"saved": True, "at": timezone.localtime().strftime("%H:%M:%S")})


@login_required
@require_POST
def attachment_delete(request, pk, attachment_id):
    application = _application_for(request.user, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_id)
    try:
        services.remove_attachment(attachment, request.user)
    except ProjectsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Pièce jointe supprimée.")
    return redirect("projects:step", application.pk, "attachments")


# --- applicant: after submission ---------------------------------------------------------------------------------------


def _recap_context(user, application):
    return {
        "show_identity": rules.can_see_identity(user, application),
        "show_attachments": rules.can_view_attachments(user, application),
        "budget_lines": application.budget_lines.all(),
        "partners": application.partners.all(),
        "dossier_attachments": application.attachments.filter(message=None),
        "expenses_total": application.expenses_total,
    }


@login_required
def application_detail(request, pk):
    application = get_object_or_404(
        Application.objects.select_related("call", "organisation").prefetch_related("assignments"), pk=pk
    )
    if not rules.is_applicant(request.user, application):
        # Staff and reviewers have their own page for the file (reviewers: declaration first).
        if rules.can_manage(request.user):
            return redirect("projects:staff_application", pk)
        assignment = rules.active_assignment(request.user, application, declared=False)
        if assignment and application.status not in (A.STATUS_DRAFT, A.STATUS_WITHDRAWN):
            return redirect("projects:review", assignment.pk)
        raise Http404
    context = {
        "application": application,
        "call": application.call,
        "title": str(application),
        "message_form": f.MessageForm(),
        "thread": application.messages.select_related("author").prefetch_related("attachments"),
        "breadcrumb": [("Mes candidatures", reverse("projects:dashboard")), (str(application), None)],
        **_recap_context(request.user, application),
    }
    return render(request, "projects/application_detail.html", context)


@login_required
def receipt(request, pk):
    application = _application_for(request.user, pk)
    if not rules.is_applicant(request.user, application) or not application.reference:
        raise Http404
    return render(
        request,
        "projects/receipt.html",
        {
            "application": application,
            "title": f"Récépissé {application.reference}",
            "breadcrumb": [("Mes candidatures", reverse("projects:dashboard")), ("Récépissé", None)],
        },
    )


@login_required
def recap(request, pk):
    """Printable recap of the whole file (print CSS)."""
    application = _application_for(request.user, pk)
    return render(
        request,
        "projects/recap.html",
        {
            "application": application,
            "call": application.call,
            "title": f"Récapitulatif — {application}",
            "breadcrumb": [(str(application), application.get_absolute_url()), ("Récapitulatif", None)],
            **_recap_context(request.user, application),
        },
    )


@login_required
@require_POST
def withdraw(request, pk):
    application = _application_for(request.user, pk)
    try:
        services.withdraw(application, request.user)
    except ProjectsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Votre candidature a été retirée.")
    return redirect("projects:application_detail", pk)


@login_required
@require_POST
def resubmit(request, pk):
    application = _application_for(request.user, pk)
    try:
        services.resubmit(application, request.user)
    except ProjectsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Votre dossier complété a été transmis au ministère.")
    return redirect("projects:application_detail", pk)


@login_required
@require_POST
@ratelimit("projects_message", user_rate="20/h", ip_rate="60/h")
def post_message(request, pk):
    application = _application_for(request.user, pk)
    if not rules.can_view_messages(request.user, application):
        raise Http404
    form = f.MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.post_message(application, request.user, form.cleaned_data["body"], form.cleaned_data["files"])
        except ProjectsError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Message envoyé.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    target = "projects:staff_application" if rules.can_manage(request.user) else "projects:application_detail"
    return redirect(reverse(target, args=[pk]) + "#messages")


@login_required
def attachment_download(request, pk, attachment_id):
    application = _application_for(request.user, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_id)
    allowed = (
        rules.can_view_messages(request.user, application)
        if attachment.message_id
        else rules.can_view_attachments(request.user, application)
    )
    if not allowed:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def decision_letter(request, pk):
    application = _application_for(request.user, pk)
    if application.status not in (A.STATUS_ACCEPTED, A.STATUS_REJECTED, A.STATUS_INELIGIBLE):
        raise Http404
    if not (rules.is_applicant(request.user, application) or rules.can_manage(request.user)):
        raise Http404
    return render(
        request,
        "projects/decision_letter.html",
        {"application": application, "call": application.call, "title": f"Notification — {application.reference}"},
    )


@login_required
def attestation(request, pk):
    application = _application_for(request.user, pk)
    if application.status != A.STATUS_ACCEPTED:
        raise Http404
    if not (rules.is_applicant(request.user, application) or rules.can_manage(request.user)):
        raise Http404
    return render(
        request,
        "projects/attestation.html",
        {"application": application, "call": application.call, "title": f"Attestation — {application.reference}"},
    )


# --- staff: instruction ------------------------------------------------------------------------------------------------


def _manager_required(request):
    if not request.user.is_authenticated:
        return False
    if not rules.can_manage(request.user):
        raise PermissionDenied
    return True


@login_required
def staff_home(request):
    if not rules.can_manage(request.user):
        if is_reviewer(request.user):
            return redirect("projects:my_reviews")
        raise PermissionDenied
    calls = (
        ProjectCallPage.objects.live()
        .order_by("-closes_at")
        .annotate(
            n_submitted=Count("applications", filter=~Q(applications__status=A.STATUS_DRAFT)),
            n_accepted=Count("applications", filter=Q(applications__status=A.STATUS_ACCEPTED)),
        )
    )
    return render(
        request,
        "projects/staff/home.html",
        {
            "calls": calls,
            "title": "Instruction des candidatures",
            "breadcrumb": [("Instruction des candidatures", None)],
        },
    )


@login_required
def staff_call(request, call_id):
    _manager_required(request)
    call = get_object_or_404(ProjectCallPage, pk=call_id)
    applications = (
        Application.objects.submitted().filter(call=call).select_related("organisation").order_by("reference")
    )
    status = request.GET.get("statut", "")
    if status in dict(A.STATUS_CHOICES):
        applications = applications.filter(status=status)
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    counts = dict(Application.objects.submitted().filter(call=call).values_list("status").annotate(n=Count("id")))
    return render(
        request,
        "projects/staff/call.html",
        {
            "call": call,
            "page_obj": page,
            "status": status,
            "title": f"Instruction — {call.title}",
            "statuses": [(key, label, counts.get(key, 0)) for key, label in A.STATUS_CHOICES if key != A.STATUS_DRAFT],
            "breadcrumb": [("Instruction", reverse("projects:staff_home")), (call.title, None)],
        },
    )


@login_required
def staff_ranking(request, call_id):
    """Ranking table: averages, spread and missing reviews, in a constant number of queries."""
    _manager_required(request)
    call = get_object_or_404(ProjectCallPage, pk=call_id)
    rows = ranking(call)
    return render(
        request,
        "projects/staff/ranking.html",
        {
            "call": call,
            "rows": rows,
            "rows_html": ranking_rows_html(rows),
            "title": f"Classement — {call.title}",
            "breadcrumb": [
                ("Instruction", reverse("projects:staff_home")),
                (call.title, reverse("projects:staff_call", args=[call.pk])),
                ("Classement", None),
            ],
        },
    )


def ranking_rows_html(rows):
    """The ranking's table body as one escaped string.

    A call can have thousands of files: one {% for %} iteration per row through the template engine costs
    about 0.3 ms, which made the page take 700 ms for 2,000 files. Text values go through html.escape;
    the other cells are numbers we produced.
    """
    base = reverse("projects:staff_application", args=[0])[:-2]  # ".../dossier/"
    parts = []
    for rank, r in enumerate(rows, 1):
        parts.append(
            f'<tr><td>{rank}</td><td><a href="{base}{r.application_id}/">{html.escape(r.reference)}</a></td>'
            f"<td>{html.escape(r.title)}</td><td>{html.escape(r.organisation)}</td>"
            f"<td>{html.escape(r.status_label)}</td><td>{'—' if r.average is None else r.average}</td>"
            f"<td>{'—' if r.spread is None else r.spread}</td><td>{r.reviews_done}/{r.reviews_expected}</td>"
            f"<td>{r.missing}</td></tr>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 — every text value above is escaped


EXPORT_HEADERS = [
    "Référence",
    "Statut",
    "Organisation",
    "RNA",
    "SIRET",
    "Titre",
    "Région",
    "Montant demandé",
    "Cofinancements",
    "Montant accordé",
    "Déposée le",
    "Évaluations attendues",
    "Évaluations faites",
    "Note moyenne",
    "Écart",
]


@login_required
def staff_export(request, call_id, fmt):
    """CSV or XLSX of the call's applications and scores: editors only."""
    if not rules.can_export(request.user):
        raise PermissionDenied
    call = get_object_or_404(ProjectCallPage, pk=call_id)
    # ranking() loads only the columns it needs; reload identity fields in one query.
    stamp = timezone.localdate().isoformat()
    filename = f"candidatures-{call.slug}-{stamp}"
    rows = list(_export_rows_full(call))
    review_headers, review_rows = _review_rows(call)
    if fmt == "evaluations.csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(review_headers)
        writer.writerows(safe_row(row) for row in review_rows)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="evaluations-{call.slug}-{stamp}.csv"'
        return response
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(EXPORT_HEADERS)
        writer.writerows(safe_row(row) for row in rows)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Candidatures"
        sheet.append(EXPORT_HEADERS)
        for row in rows:
            sheet.append(safe_row(float(v) if isinstance(v, Decimal) else v for v in row))
        reviews = workbook.create_sheet("Évaluations")
        reviews.append(review_headers)
        for row in review_rows:
            reviews.append(safe_row(float(v) if isinstance(v, Decimal) else v for v in row))
        output = io.BytesIO()
        workbook.save(output)
        response = HttpResponse(
            output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    raise Http404


def _export_rows_full(call):
    details = {
        a.pk: a
        for a in Application.objects.filter(call=call).only(
            "id", "rna", "siret", "requested_amount", "co_funding", "granted_amount", "submitted_at"
        )
    }
    for row in ranking(call):
        d = details[row.application_id]
        yield [
            row.reference,
            row.status_label,
            row.organisation,
            d.rna,
            d.siret,
            row.title,
            row.region_name,
            d.requested_amount,
            d.co_funding,
            d.granted_amount if d.granted_amount is not None else "",
            timezone.localtime(d.submitted_at).strftime("%d/%m/%Y %H:%M") if d.submitted_at else "",
            row.reviews_expected,
            row.reviews_done,
            row.average if row.average is not None else "",
            row.spread if row.spread is not None else "",
        ]


def _review_rows(call):
    """One line per assignment: reviewer, conflict status, the mark of each criterion, weighted total, comment."""
    criteria = call.criteria_list
    headers = [
        "Référence",
        "Évaluateur·rice",
        "Déport",
        "Transmise le",
        *[c.label for c in criteria],
        "Total pondéré",
        "Commentaire privé",
    ]
    assignments = (
        ReviewAssignment.objects.filter(application__call=call)
        .exclude(application__status__in=[A.STATUS_DRAFT, A.STATUS_WITHDRAWN])
        .select_related("application", "reviewer")
        .prefetch_related("scores")
        .order_by("application__reference", "pk")
    )
    rows = []
    for a in assignments:
        marks = {score.criterion_id: score.value for score in a.scores.all()}
        rows.append(
            [
                a.application.reference,
                str(a.reviewer),
                "oui" if a.recused else "non",
                timezone.localtime(a.submitted_at).strftime("%d/%m/%Y %H:%M") if a.submitted_at else "",
                *[marks.get(c.pk, "") for c in criteria],
                a.weighted_total if a.weighted_total is not None else "",
                a.private_comment,
            ]
        )
    return headers, rows


STAFF_ACTIONS = {
    "eligible": lambda a, u, d: services.declare_eligible(a, u),
    "ineligible": lambda a, u, d: services.declare_ineligible(a, u, d.get("reason", "")),
    "start_review": lambda a, u, d: services.start_review(a, u),
    "corrections": lambda a, u, d: services.request_corrections(a, u, d.getlist("sections"), d.get("message", "")),
    "shortlist": lambda a, u, d: services.shortlist(a, u),
    "accept": lambda a, u, d: services.accept(a, u, d.get("granted_amount", ""), d.get("motivation", "")),
    "reject": lambda a, u, d: services.reject(a, u, d.get("motivation", "")),
}


@login_required
def staff_application(request, pk):
    _manager_required(request)
    application = _application_for(request.user, pk, manage=True)
    if application.status == A.STATUS_DRAFT:
        raise Http404
    reviewers = get_user_model().objects.filter(groups__name=REVIEWER, is_active=True).order_by("display_name")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "assign":
                reviewer = reviewers.filter(pk=request.POST.get("reviewer")).first()
                if reviewer is None:
                    raise ProjectsError("Choisissez un·e évaluateur·rice.")
                assignment = services.assign_reviewer(application, reviewer, request.user)
                if assignment.recused:
                    messages.warning(
                        request, f"{reviewer} est membre d'une organisation liée au dossier : déport automatique."
                    )
                else:
                    messages.success(request, f"Dossier confié à {reviewer}.")
            elif action in STAFF_ACTIONS:
                STAFF_ACTIONS[action](application, request.user, request.POST)
                messages.success(request, "Le dossier a été mis à jour.")
            else:
                raise ProjectsError("Action inconnue.")
        except ProjectsError as error:
            messages.error(request, str(error))
        return redirect("projects:staff_application", pk)
    assignments = application.assignments.select_related("reviewer").prefetch_related("scores__criterion")
    context = {
        "application": application,
        "call": application.call,
        "assignments": assignments,
        "assign_form": f.AssignForm(reviewers=reviewers),
        "reason_form": f.ReasonForm(),
        "corrections_form": f.CorrectionsForm(),
        "accept_form": f.AcceptForm(initial={"granted_amount": application.requested_amount}),
        "reject_form": f.RejectForm(),
        "message_form": f.MessageForm(),
        "thread": application.messages.select_related("author").prefetch_related("attachments"),
        "audit": application.audit_entries.select_related("actor"),
        "title": f"Dossier {application.reference}",
        "can_assign": application.status in [A.STATUS_ELIGIBLE, *A.REVIEWABLE_STATUSES],
        "can_reject": application.status in [A.STATUS_UNDER_REVIEW, A.STATUS_RESUBMITTED, A.STATUS_SHORTLISTED],
        "breadcrumb": [
            ("Instruction", reverse("projects:staff_home")),
            (application.call.title, reverse("projects:staff_call", args=[application.call_id])),
            (application.reference, None),
        ],
        **_recap_context(request.user, application),
    }
    return render(request, "projects/staff/application.html", context)


# --- reviewers ---------------------------------------------------------------------------------------------------------


@login_required
def my_reviews(request):
    if not is_reviewer(request.user):
        raise PermissionDenied
    assignments = (
        ReviewAssignment.objects.filter(reviewer=request.user)
        .exclude(application__status__in=[A.STATUS_DRAFT, A.STATUS_WITHDRAWN])
        .select_related("application__call", "application__organisation")
        .order_by("-assigned_at")
    )
    return render(
        request,
        "projects/review/list.html",
        {"assignments": assignments, "title": "Mes évaluations", "breadcrumb": [("Mes évaluations", None)]},
    )


@login_required
def review(request, assignment_id):
    assignment = get_object_or_404(
        ReviewAssignment.objects.select_related("application__call", "application__organisation"),
        pk=assignment_id,
        reviewer=request.user,
    )
    if not is_reviewer(request.user):
        raise Http404
    application = assignment.application
    if application.status in (A.STATUS_DRAFT, A.STATUS_WITHDRAWN):
        raise Http404
    partners = list(application.partners.all())
    criteria = application.call.criteria_list
    conflict_form = f.ConflictForm(partners=partners)
    existing = {s.criterion_id: s.value for s in assignment.scores.all()}
    score_form = f.ScoreForm(
        criteria=criteria,
        scale=application.call.score_scale,
        initial={**{f"criterion_{k}": v for k, v in existing.items()}, "private_comment": assignment.private_comment},
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "declare":
                conflict_form = f.ConflictForm(request.POST, partners=partners)
                if conflict_form.is_valid():
                    services.declare_conflicts(
                        assignment,
                        request.user,
                        conflict_form.cleaned_data["linked_to_applicant"],
                        conflict_form.cleaned_data.get("partners") or [],
                        conflict_form.cleaned_data["note"],
                    )
                    return redirect("projects:review", assignment.pk)
            else:
                score_form = f.ScoreForm(request.POST, criteria=criteria, scale=application.call.score_scale)
                if score_form.is_valid():
                    final = request.POST.get("action") == "submit"
                    services.save_scores(
                        assignment,
                        request.user,
                        score_form.score_values(),
                        score_form.cleaned_data["private_comment"],
                        final=final,
                    )
                    messages.success(request, "Évaluation transmise." if final else "Notes enregistrées.")
                    return redirect("projects:review", assignment.pk)
        except ProjectsError as error:
            messages.error(request, str(error))
    assignment.refresh_from_db()
    can_read = assignment.conflict_declared_at and not assignment.recused
    weighted = None
    if existing and len(existing) == len(criteria):
        total_weight = sum(c.weight for c in criteria) or 1
        weighted = round(sum(existing[c.pk] * c.weight for c in criteria) / total_weight, 2)
    context = {
        "assignment": assignment,
        "application": application,
        "call": application.call,
        "conflict_form": conflict_form,
        "score_form": score_form,
        "can_read": can_read,
        "weighted": weighted,
        "title": f"Évaluation — {application.reference}",
        "breadcrumb": [("Mes évaluations", reverse("projects:my_reviews")), (application.reference, None)],
    }
    if can_read:
        context.update(_recap_context(request.user, application))
    return render(request, "projects/review/detail.html", context)


# --- public: laureates and open data -----------------------------------------------------------------------------------


PUBLIC_FIELDS = ("reference", "title", "organisation", "region", "granted_amount", "summary", "call")


def _laureates(request):
    qs = (
        Application.objects.laureates()
        .select_related("organisation", "call")
        .only(
            "id",
            "reference",
            "title",
            "summary",
            "region",
            "granted_amount",
            "decided_at",
            "organisation__name",
            "call__title",
            "call__url_path",
            "call__id",
            "call__call_type",
        )
    )
    call_id = request.GET.get("appel", "")
    region = request.GET.get("region", "")
    call_type = request.GET.get("type", "")
    if call_id.isdigit():
        qs = qs.filter(call_id=int(call_id))
    if region in REGION_NAMES:
        qs = qs.filter(region=region)
    if call_type in dict(ProjectCallPage.TYPE_CHOICES):
        qs = qs.filter(call__call_type=call_type)
    return qs.order_by("-decided_at", "reference"), {"appel": call_id, "region": region, "type": call_type}


def public_record(application) -> dict:
    """The only fields of an accepted project the public sees (pages, CSV, JSON)."""
    return {
        "reference": application.reference,
        "titre": application.title,
        "organisation": application.organisation.name,
        "region_code": application.region,
        "region": application.region_name,
        "montant_accorde": str(application.granted_amount),
        "resume": application.summary,
        "appel": application.call.title,
        "date_decision": timezone.localtime(application.decided_at).date().isoformat()
        if application.decided_at
        else None,
    }


def laureates(request):
    qs, filters = _laureates(request)
    by_region = list(
        qs.order_by().values("region").annotate(n=Count("id"), amount=Sum("granted_amount")).order_by("-n", "region")
    )
    top = max((r["amount"] or 0 for r in by_region), default=0) or 1
    for r in by_region:
        r["name"] = REGION_NAMES.get(r["region"], "—")
        r["percent"] = round(100 * (r["amount"] or 0) / top)  # bar length: amount granted
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    calls = (
        ProjectCallPage.objects.live()
        .public()
        .filter(pk__in=Application.objects.laureates().values("call_id"))
        .order_by("-closes_at")
    )
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(
        request,
        "projects/public/laureates.html",
        {
            "page_obj": page,
            "filters": filters,
            "by_region": by_region,
            "regions": REGION_CHOICES,
            "calls": calls,
            "call_types": ProjectCallPage.TYPE_CHOICES,
            "query": query,
            "total": sum(r["amount"] or 0 for r in by_region),
            "title": "Projets lauréats",
            "breadcrumb": [("Appels à projets", "/appels-a-projets/"), ("Projets lauréats", None)],
        },
    )


def laureate_detail(request, reference):
    application = get_object_or_404(
        Application.objects.laureates().select_related("organisation", "call"), reference=reference
    )
    return render(
        request,
        "projects/public/laureate_detail.html",
        {
            "project": application,
            "record": public_record(application),
            "title": application.title,
            "breadcrumb": [("Projets lauréats", reverse("projects:laureates")), (application.title, None)],
        },
    )


def open_data(request, fmt):
    qs, _ = _laureates(request)
    records = [public_record(a) for a in qs]
    if fmt == "json":
        response = JsonResponse(
            {
                "licence": "Licence Ouverte / Open Licence 2.0 (Etalab)",
                "genere_le": timezone.now().isoformat(),
                "projets": records,
            },
            json_dumps_params={"ensure_ascii": False, "indent": 2},
        )
    elif fmt == "csv":
        buffer = io.StringIO()
        columns = [
            "reference",
            "titre",
            "organisation",
            "region_code",
            "region",
            "montant_accorde",
            "resume",
            "appel",
            "date_decision",
        ]
        writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=";")
        writer.writeheader()
        writer.writerows({key: safe_cell(value) for key, value in record.items()} for record in records)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="projets-laureats.csv"'
    else:
        raise Http404
    response["Access-Control-Allow-Origin"] = "*"
    return response


def export_personal_data(user):
    """RGPD export: the applications of the person's organisations that they created or can see."""
    data = []
    mine = Application.objects.filter(Q(created_by=user) | Q(contact_email__iexact=user.email))
    for a in mine.select_related("call", "organisation").prefetch_related("budget_lines", "partners", "attachments"):
        data.append(
            {
                "reference": a.reference,
                "appel": a.call.title,
                "organisation": a.organisation.name,
                "statut": a.get_status_display(),
                "titre": a.title,
                "resume": a.summary,
                "description": a.description,
                "public_vise": a.target_public,
                "region": a.region_name,
                "departements": a.departments,
                "duree_mois": a.duration_months,
                "resultats_attendus": a.expected_outcomes,
                "contact": {"nom": a.contact_name, "email": a.contact_email, "telephone": a.contact_phone},
                "montant_demande": str(a.requested_amount),
                "cofinancements": str(a.co_funding),
                "montant_accorde": str(a.granted_amount) if a.granted_amount is not None else None,
                "lignes_budget": [
                    {"categorie": line.get_category_display(), "intitule": line.label, "montant": str(line.amount)}
                    for line in a.budget_lines.all()
                ],
                "partenaires": [
                    {"nom": p.name, "type": str(PARTNER_KIND_NAMES.get(p.kind, p.kind)), "role": p.role}
                    for p in a.partners.all()
                ],
                "pieces_jointes": [att.original_name for att in a.attachments.all()],
                "deposee_le": a.submitted_at.isoformat() if a.submitted_at else None,
                "cree_par_moi": a.created_by_id == user.pk,
            }
        )
    return "candidatures", data
