"""Public consultation views: thin — load, check, call a service, redirect (or answer JSON to fetch)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consult import rules, services
from consult import settings as consult_settings
from consult.forms import ContributionForm, EditForm, FlagForm
from consult.models import ConsultationPage, Contribution, Section
from consult.serializers import contribution_to_dict
from consult.threads import (
    DEFAULT_SORT,
    SORT_LABELS,
    SORTS,
    decorate,
    last_event_id,
    load_threads,
    viewer_votes,
)
from core import pagecache
from core.ratelimit import check_request, too_many_requests


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or request.headers.get("X-Requested-With") == "fetch"


def get_consultation(request, consultation_id) -> ConsultationPage:
    consultation = ConsultationPage.objects.filter(pk=consultation_id).first()
    if consultation is None or not rules.can_view_consultation(request.user, consultation):
        raise Http404("Consultation introuvable.")
    check_view_restrictions(request, consultation)
    return consultation


def check_view_restrictions(request, consultation) -> None:
    """The consultation's Wagtail privacy settings hold for its section and contribution URLs too."""
    if not rules.passes_view_restrictions(request, consultation):
        raise Http404("Consultation introuvable.")


def get_section(consultation, anchor, sections=None) -> Section:
    """The section by its anchor; `sections` (all of them, already read for the side menu) spares the query."""
    if sections is None:
        return get_object_or_404(Section, page_id=consultation.pk, anchor=anchor)
    for section in sections:
        if section.anchor == anchor:
            return section
    raise Http404("Section introuvable.")


def get_contribution(request, pk) -> Contribution:
    contribution = (
        Contribution.objects.select_related("author", "organisation", "section", "consultation").filter(pk=pk).first()
    )
    if contribution is None or not rules.can_see_in_thread(request.user, contribution):
        raise Http404("Contribution introuvable.")
    if not rules.can_view_consultation(request.user, contribution.consultation):
        raise Http404("Contribution introuvable.")
    check_view_restrictions(request, contribution.consultation)
    return contribution


def rate_limited(request, scope) -> bool:
    user_rate, ip_rate = consult_settings.rates()[scope]
    return not check_request(request, f"consult-{scope}", user_rate, ip_rate)


def refuse(request, message, status=403, fallback=None):
    if wants_json(request):
        return JsonResponse({"ok": False, "message": message}, status=status)
    messages.error(request, message)
    return redirect(fallback or "/")


def section_breadcrumb(consultation, section=None):
    url = consultation.url
    # The index is the consultation's parent (parent_page_types) and Wagtail routes a page below its parent's URL:
    # the index's URL is the consultation's without its last segment — no query for the parent page.
    index_url = url[: url.rstrip("/").rfind("/") + 1] if url else consultation.get_parent().url
    crumbs = [("Consultations", index_url), (consultation.title, url)]
    if section is not None:
        crumbs.append((section.title, None))
    return crumbs


# --- section thread -------------------------------------------------------------------------------------


def render_section(request, consultation, section, form=None, status=200, sections=None):
    user = request.user
    sort = request.GET.get("tri", DEFAULT_SORT)
    sort = sort if sort in SORTS else DEFAULT_SORT
    stance = request.GET.get("position", "")
    page, roots = load_threads(consultation, section, user, request.GET.get("page"), sort, stance)
    refusal = rules.post_refusal(user, consultation)
    if form is None and refusal is None:
        form = ContributionForm(user=user)
    if sections is None:
        sections = list(consultation.sections.all().order_by("sort_order"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "consultation": consultation,
        "section": section,
        "sections": sections,
        "threads": roots,
        "page_obj": page,
        "paginator_query": query.urlencode(),
        "sort": sort,
        "sort_labels": SORT_LABELS,
        "stance": stance,
        "stance_choices": Contribution.STANCE_CHOICES,
        "form": form,
        "post_refusal": refusal,
        "last_event_id": last_event_id(consultation, user),
        "breadcrumb": section_breadcrumb(consultation, section),
        "title": f"{section.title} — {consultation.title}",
    }
    return render(request, "consult/section.html", context, status=status)


@require_GET
def section_view(request, consultation_id, section_anchor):
    consultation = get_consultation(request, consultation_id)
    sections = list(consultation.sections.all().order_by("sort_order"))  # one query: the side menu and this one
    section = get_section(consultation, section_anchor, sections)
    return pagecache.serve(
        request,
        consultation.page_cache_scope,
        lambda: render_section(request, consultation, section, sections=sections),
        consultation.status_valid_until,
    )


def _handle_post(request, consultation, section, parent=None):
    """Shared by top-level posting and replies; plain POST → redirect to the anchor, fetch → JSON."""
    user = request.user
    if not user.is_authenticated:
        if wants_json(request):
            return JsonResponse({"ok": False, "message": "Connectez-vous pour contribuer."}, status=401)
        return redirect_to_login(request.get_full_path())
    if rate_limited(request, "post"):
        return too_many_requests(request)
    form = ContributionForm(request.POST, user=user, is_reply=parent is not None)
    error_status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            contribution, created = services.create_contribution(
                user,
                section,
                data["body"],
                stance=data.get("stance") or "",
                parent=parent,
                organisation=data.get("organisation"),
                interests=data.get("interests", ""),
                no_interests=data.get("no_interests", False),
                idempotency_key=data.get("idempotency_key", ""),
                consultation=consultation,
            )
        except services.ConsultError as exc:
            form.add_error(None, str(exc))
            error_status = 403
        else:
            return _posted(request, contribution, created)
    if wants_json(request):
        return JsonResponse(
            {"ok": False, "message": _form_message(form), "errors": form.errors.get_json_data()}, status=error_status
        )
    if parent is not None:
        return render_reply(request, parent, form, status=error_status)
    return render_section(request, consultation, section, form=form, status=error_status)


def _form_message(form):
    errors = form.non_field_errors()
    return errors[0] if errors else "Vérifiez le formulaire : certains champs sont à corriger."


def _posted(request, contribution, created):
    if contribution.status == Contribution.STATUS_PENDING:
        message = (
            f"Votre contribution est enregistrée sous le numéro {contribution.receipt_number}. "
            "Elle sera publiée après relecture par la modération. Un récépissé vous a été envoyé par courriel."
        )
    else:
        message = (
            f"Votre contribution est publiée. Numéro de récépissé : {contribution.receipt_number} "
            "(également envoyé par courriel)."
        )
    if wants_json(request):
        fresh = ContributionForm(user=None).initial  # a new key and timestamp for the next contribution
        return JsonResponse(
            {
                "ok": True,
                "created": created,
                "message": message,
                "receipt_number": contribution.receipt_number,
                "contribution": contribution_to_dict(contribution, request.user),
                "html": render_fragment(request, contribution, votes={} if created else None),
                "next_form": {"idempotency_key": fresh["idempotency_key"], "rendered_at": fresh["rendered_at"]},
            },
            status=201 if created else 200,
        )
    messages.success(request, message)
    return redirect(contribution.get_absolute_url())


@require_POST
def post_contribution(request, consultation_id, section_anchor):
    consultation = get_consultation(request, consultation_id)
    section = get_section(consultation, section_anchor)
    return _handle_post(request, consultation, section)


def render_reply(request, parent, form=None, status=200):
    consultation = parent.consultation
    decorate([parent], request.user, parent.section, consultation, viewer_votes(request.user, [parent.pk]))
    refusal = rules.post_refusal(request.user, consultation)
    if refusal is None and parent.status != Contribution.STATUS_PUBLISHED:
        refusal = "On ne peut répondre qu'à une contribution publiée."
    if form is None and refusal is None:
        form = ContributionForm(user=request.user, is_reply=True)
    return render(
        request,
        "consult/reply.html",
        {
            "consultation": consultation,
            "section": parent.section,
            "parent": parent,
            "form": form,
            "post_refusal": refusal,
            "breadcrumb": section_breadcrumb(consultation, parent.section),
            "title": "Répondre à une contribution",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def reply(request, pk):
    parent = get_contribution(request, pk)
    if request.method == "POST":
        return _handle_post(request, parent.consultation, parent.section, parent=parent)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render_reply(request, parent)


@require_GET
def contribution_fragment(request, pk):
    """One contribution rendered like on the page (used by the live client to insert new ones)."""
    contribution = get_contribution(request, pk)
    return HttpResponse(render_fragment(request, contribution))


def render_fragment(request, contribution, votes=None):
    """`votes`: the viewer's votes if already known (none on a contribution just created)."""
    if votes is None:
        votes = viewer_votes(request.user, [contribution.pk])
    decorate([contribution], request.user, contribution.section, contribution.consultation, votes)
    return render_to_string("consult/includes/contribution.html", {"contribution": contribution}, request=request)


# --- votes, flags, edits --------------------------------------------------------------------------------


@require_POST
def vote(request, pk):
    contribution = get_contribution(request, pk)
    if not request.user.is_authenticated:
        return refuse(request, "Connectez-vous pour voter.", 401, contribution.get_absolute_url())
    if rate_limited(request, "vote"):
        return too_many_requests(request)
    try:
        value = int(request.POST.get("value", ""))
        services.vote(request.user, contribution, value)
    except ValueError:
        return refuse(request, "Vote inconnu.", 400, contribution.get_absolute_url())
    except services.ConsultError as exc:
        return refuse(request, str(exc), 403, contribution.get_absolute_url())
    if wants_json(request):
        return JsonResponse(
            {"ok": True, "votes_up": contribution.votes_up, "votes_down": contribution.votes_down, "value": value}
        )
    messages.success(request, "Votre vote est enregistré." if value else "Votre vote est retiré.")
    return redirect(contribution.get_absolute_url())


@require_http_methods(["GET", "POST"])
def flag(request, pk):
    contribution = get_contribution(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = FlagForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if rate_limited(request, "flag"):
            return too_many_requests(request)
        if form.is_valid():
            try:
                services.flag(request.user, contribution, form.cleaned_data["reason"], form.cleaned_data["text"])
            except services.ConsultError as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                if wants_json(request):
                    return JsonResponse({"ok": True})
                messages.success(request, "Merci : votre signalement a été transmis à l'équipe de modération.")
                return redirect(contribution.get_absolute_url())
        else:
            status = 400
        if wants_json(request):
            return JsonResponse({"ok": False, "message": _form_message(form)}, status=status)
    elif not rules.can_flag(request.user, contribution):
        return refuse(request, "Vous ne pouvez pas signaler cette contribution.", 403, contribution.get_absolute_url())
    return _render_action(request, "consult/flag.html", contribution, form, status, "Signaler une contribution")


def _render_action(request, template, contribution, form, status, title):
    decorate([contribution], request.user, contribution.section, contribution.consultation, {})
    return render(
        request,
        template,
        {
            "contribution": contribution,
            "consultation": contribution.consultation,
            "section": contribution.section,
            "form": form,
            "title": title,
            "breadcrumb": section_breadcrumb(contribution.consultation, contribution.section),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    contribution = get_contribution(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        form = EditForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.edit_contribution(request.user, contribution, form.cleaned_data["body"])
            except services.ConsultError as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                if wants_json(request):
                    return JsonResponse({"ok": True, "html": render_fragment(request, contribution)})
                messages.success(request, "Votre contribution est modifiée.")
                return redirect(contribution.get_absolute_url())
        if wants_json(request):
            return JsonResponse({"ok": False, "message": _form_message(form)}, status=status)
        return _render_action(request, "consult/edit.html", contribution, form, status, "Modifier ma contribution")
    if not rules.can_edit(request.user, contribution):
        return refuse(request, "Cette contribution ne peut plus être modifiée.", 403, contribution.get_absolute_url())
    form = EditForm(initial={"body": contribution.body})
    return _render_action(request, "consult/edit.html", contribution, form, 200, "Modifier ma contribution")


@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    contribution = get_contribution(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        try:
            services.withdraw_contribution(request.user, contribution)
        except services.ConsultError as exc:
            return refuse(request, str(exc), 403, contribution.get_absolute_url())
        if wants_json(request):
            return JsonResponse({"ok": True})
        messages.success(request, "Votre contribution est retirée.")
        return redirect(contribution.get_absolute_url())
    if not rules.can_withdraw(request.user, contribution):
        return refuse(request, "Vous ne pouvez pas retirer cette contribution.", 403, contribution.get_absolute_url())
    return _render_action(request, "consult/withdraw.html", contribution, None, 200, "Retirer ma contribution")


# --- follow, statistics ---------------------------------------------------------------------------------


@require_POST
def follow(request, consultation_id):
    consultation = get_consultation(request, consultation_id)
    if not request.user.is_authenticated:
        return redirect_to_login(consultation.url)
    if rate_limited(request, "follow"):
        return too_many_requests(request)
    if request.POST.get("follow") == "0":
        services.unfollow(request.user, consultation)
        messages.success(request, "Vous ne suivez plus cette consultation.")
    else:
        services.follow(request.user, consultation)
        messages.success(
            request, "Vous suivez cette consultation : vous serez prévenu·e de sa clôture et de sa synthèse."
        )
    return redirect(consultation.url)


def consultation_stats(consultation) -> dict:
    """Aggregates over published contributions (a handful of GROUP BY queries, independent of N)."""
    public = Contribution.objects.public().filter(consultation=consultation)
    totals = public.aggregate(
        contributions=Count("id"),
        threads=Count("id", filter=Q(parent__isnull=True)),
        participants=Count("author", distinct=True),
        in_campaigns=Count("id", filter=Q(campaign__isnull=False)),
        campaigns=Count("campaign", distinct=True),
        **{
            f"stance_{key}": Count("id", filter=Q(stance=key, parent__isnull=True))
            for key, _ in Contribution.STANCE_CHOICES
        },
    )
    per_day = list(
        public.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    per_section_raw = {
        row["section_id"]: row
        for row in public.values("section_id").annotate(
            n=Count("id"),
            **{key: Count("id", filter=Q(stance=key, parent__isnull=True)) for key, _ in Contribution.STANCE_CHOICES},
        )
    }
    sections = []
    for section in consultation.sections.all().order_by("sort_order"):
        row = per_section_raw.get(section.pk, {})
        sections.append(
            {
                "section": section,
                "n": row.get("n", 0),
                "stances": [(label, row.get(key, 0)) for key, label in Contribution.STANCE_CHOICES],
            }
        )
    stances = [(key, label, totals[f"stance_{key}"]) for key, label in Contribution.STANCE_CHOICES]
    return {"totals": totals, "per_day": per_day, "sections": sections, "stances": stances}


def _with_percent(rows, key):
    top = max([r[key] for r in rows] or [0]) or 1
    for r in rows:
        r["pct"] = round(100 * r[key] / top)
    return rows


@require_GET
def statistics(request, consultation_id):
    consultation = get_consultation(request, consultation_id)
    stats = consultation_stats(consultation)
    _with_percent(stats["per_day"], "n")
    _with_percent(stats["sections"], "n")
    stance_total = sum(n for _, _, n in stats["stances"]) or 1
    stats["stances"] = [
        {"key": k, "label": label, "n": n, "pct": round(100 * n / stance_total)} for k, label, n in stats["stances"]
    ]
    return render(
        request,
        "consult/statistics.html",
        {
            "consultation": consultation,
            "stats": stats,
            "title": f"Statistiques — {consultation.title}",
            "breadcrumb": [
                ("Consultations", consultation.get_parent().url),
                (consultation.title, consultation.url),
                ("Statistiques", None),
            ],
        },
    )
