"""Thin views: parse the filters, ask the queryset, shape the answer. The directory page and the lab page are
Wagtail pages whose get_context calls directory_context / detail_context below."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from taggit.models import Tag

from core.ratelimit import ratelimit
from livinglabs import exports, geo, services
from livinglabs import settings as app_settings
from livinglabs.forms import ContactForm, LabFilterForm, LabProposalForm, VerificationForm
from livinglabs.models import LivingLabPage


def published_labs():
    return LivingLabPage.objects.published()


def filtered_labs(params):
    """(form, queryset): the one entry point used by the page, the JSON, the list fragment and exports."""
    form = LabFilterForm(params)
    return form, published_labs().apply_filters(form.filters())


def themes_in_use():
    return list(
        Tag.objects.filter(livinglabs_livinglabtag_items__content_object__in=published_labs())
        .annotate(n=Count("livinglabs_livinglabtag_items"))
        .order_by("name")
        .values("slug", "name", "n")
    )


def list_page(request, qs):
    labs = (
        qs.order_by("title", "pk")
        .only(
            "pk",
            "title",
            "url_path",
            "slug",
            "commune",
            "department",
            "structure_type",
            "status",
            "depth",
            "path",
        )
        .prefetch_related("tags")
    )
    return Paginator(labs, app_settings.page_size()).get_page(request.GET.get("page"))


def query_string_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def directory_context(request, index_page=None):
    form, qs = filtered_labs(request.GET)
    form.set_theme_choices(themes_in_use())
    page_obj = list_page(request, qs)
    return {
        "filter_form": form,
        "page_obj": page_obj,
        "labs_count": page_obj.paginator.count,
        "active_filters": form.filters(),
        "query_string": query_string_without_page(request),
        "map_tile_url": settings.MAP_TILE_URL,
    }


@require_GET
def map_json(request):
    """GeoJSON of the filtered published labs for the map (light properties)."""
    _form, qs = filtered_labs(request.GET)
    return JsonResponse(exports.map_geojson(qs), json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


@require_GET
def list_fragment(request):
    """The accessible list for the current filters (HTML fragment swapped in by the page script)."""
    _form, qs = filtered_labs(request.GET)
    page_obj = list_page(request, qs)
    return render(
        request,
        "livinglabs/includes/lab_list.html",
        {
            "page_obj": page_obj,
            "labs_count": page_obj.paginator.count,
            "query_string": query_string_without_page(request),
            "index_url": index_url(),
        },
    )


def index_url():
    index = services.LivingLabIndexPage.objects.live().first()
    return index.url if index else "/living-labs/"


EXPORT_TYPES = {
    "geojson": "application/geo+json; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


@require_GET
def export(request, fmt):
    if fmt not in EXPORT_TYPES:
        raise Http404
    _form, qs = filtered_labs(request.GET)
    rows = exports.open_data_rows(qs)
    if fmt == "csv":
        body = exports.rows_to_csv(rows)
    elif fmt == "geojson":
        body = json.dumps(exports.rows_to_geojson(rows), ensure_ascii=False)
    else:
        body = json.dumps({"living_labs": rows, "total": len(rows)}, ensure_ascii=False)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="living-labs.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def dcat(request):
    last = published_labs().aggregate(last=Max("last_published_at"))["last"]
    base = request.build_absolute_uri("/").rstrip("/")
    response = JsonResponse(exports.dcat_dataset(base, last), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def statistics(request):
    labs = published_labs()
    regions = geo.regions()
    by_region = [
        {"code": row["region"], "label": regions.get(row["region"], _("Non renseignée")), "n": row["n"]}
        for row in labs.order_by().values("region").annotate(n=Count("pk")).order_by("-n", "region")
    ]
    by_theme = [
        {"slug": t["slug"], "label": t["name"], "n": t["n"]}
        for t in sorted(themes_in_use(), key=lambda t: (-t["n"], t["name"]))
    ]
    total = labs.count()
    for rows in (by_region, by_theme):
        top = max((r["n"] for r in rows), default=1)
        for r in rows:
            r["pct"] = round(100 * r["n"] / top) if top else 0
    return render(
        request,
        "livinglabs/statistics.html",
        {
            "by_region": by_region,
            "by_theme": by_theme,
            "total": total,
            "dormant": labs.filter(status=LivingLabPage.STATUS_DORMANT).count(),
            "index_url": index_url(),
            "breadcrumb": [(_("Carte des living labs"), index_url()), (_("Statistiques"), None)],
        },
    )


# --- detail page ---------------------------------------------------------------------------------------
def nearby_labs(lab, limit=4, published=None):
    """Nearest published labs by great-circle distance. A bounding box around the lab (widened until enough
    candidates) keeps the Python distance computation to a handful of rows even with thousands of labs."""
    published = published if published is not None else published_labs()
    qs = published.exclude(pk=lab.pk)
    candidates = []
    for degrees in (1.0, 3.0, 8.0, None):
        box = qs
        if degrees is not None:
            box = qs.filter(
                latitude__range=(lab.latitude - degrees, lab.latitude + degrees),
                longitude__range=(lab.longitude - degrees * 1.5, lab.longitude + degrees * 1.5),
            )
        candidates = list(box.order_by().values_list("pk", "latitude", "longitude")[:2000])
        if len(candidates) >= limit:
            break
    ranked = sorted((geo.haversine_km(lab.latitude, lab.longitude, lat, lon), pk) for pk, lat, lon in candidates)[
        :limit
    ]
    pages = {
        p.pk: p
        for p in published.filter(pk__in=[pk for _, pk in ranked]).only(
            "pk", "title", "url_path", "slug", "commune", "department", "depth", "path"
        )
    }
    return [(pages[pk], round(distance)) for distance, pk in ranked if pk in pages]


def detail_context(request, lab):
    published = published_labs()  # one view-restriction lookup for both blocks
    return {
        "similar_labs": list(published.similar_to(lab)),
        "nearby_labs": nearby_labs(lab, published=published),
        "contact_form": ContactForm(),
        "overdue_since": lab.verification_overdue_since(),
        "map_tile_url": settings.MAP_TILE_URL,
        "can_update": services.can_propose_update(request.user, lab),
        "themes": list(lab.tags.all()),
    }


@require_POST
@ratelimit("livinglabs-contact", user_rate="5/h", ip_rate="10/h")
def contact(request, pk):
    lab = get_object_or_404(published_labs(), pk=pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        services.relay_contact(lab, form.cleaned_data["name"], form.cleaned_data["email"], form.cleaned_data["message"])
        messages.success(request, _("Votre message a été transmis au living lab. Il vous répondra directement."))
        return redirect(lab.url)
    context = {"page": lab, "self": lab, "request": request, **detail_context(request, lab), "contact_form": form}
    return render(request, "livinglabs/living_lab_page.html", context, status=400)


# --- self-declaration ----------------------------------------------------------------------------------
@login_required
@ratelimit("livinglabs-propose", user_rate="5/h", ip_rate="20/h")
def propose(request):
    form = LabProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_lab(request.user, form.cleaned_data)
        except services.LivingLabError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "Merci ! Votre living lab a été transmis à l'équipe éditoriale. Vous recevrez un e-mail dès qu'il "
                    "aura été validé."
                ),
            )
            return redirect("livinglabs:mine")
    return render(
        request,
        "livinglabs/proposal_form.html",
        {
            "form": form,
            "title": _("Déclarer un living lab"),
            "breadcrumb": [(_("Carte des living labs"), index_url()), (_("Déclarer un living lab"), None)],
        },
    )


@login_required
@ratelimit("livinglabs-propose", user_rate="5/h", ip_rate="20/h")
def update(request, pk):
    lab = get_object_or_404(LivingLabPage, pk=pk)
    if not services.can_propose_update(request.user, lab):
        raise Http404
    latest = lab.get_latest_revision_as_object()
    form = LabProposalForm(request.POST or None, initial=LabProposalForm.initial_from(latest))
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_update(request.user, lab, form.cleaned_data)
        except services.LivingLabError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "Vos modifications ont été transmises à l'équipe éditoriale ; elles seront visibles après validation."
                ),
            )
            return redirect("livinglabs:mine")
    return render(
        request,
        "livinglabs/proposal_form.html",
        {
            "form": form,
            "lab": lab,
            "title": _("Modifier « %(name)s »") % {"name": lab.title},
            "breadcrumb": [(_("Mes living labs"), "/labs/mes-living-labs/"), (_("Modifier"), None)],
        },
    )


@login_required
def mine(request):
    labs = []
    for lab in LivingLabPage.objects.filter(proposed_by=request.user).order_by("title"):
        state = lab.current_workflow_state or lab.workflow_states.order_by("-created_at").first()
        labs.append({"lab": lab, "state": state})
    return render(
        request,
        "livinglabs/mine.html",
        {
            "labs": labs,
            "title": _("Mes living labs"),
            "breadcrumb": [(_("Carte des living labs"), index_url()), (_("Mes living labs"), None)],
        },
    )


# --- yearly verification (signed link, no login) -------------------------------------------------------
@ratelimit("livinglabs-verify", user_rate="20/h", ip_rate="20/h")
def verify(request, token):
    try:
        lab = services.lab_from_token(token)
    except services.LivingLabError as error:
        return render(request, "livinglabs/verify.html", {"error": str(error), "title": _("Vérification")}, status=400)
    form = VerificationForm(request.POST or None, initial={"status": lab.status})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["action"] == VerificationForm.ACTION_CONFIRM:
            services.confirm_verification(lab, form.cleaned_data["status"])
        else:
            services.report_changes(lab, form.cleaned_data["status"], form.cleaned_data["changes"])
        return render(request, "livinglabs/verify.html", {"lab": lab, "done": True, "title": _("Merci")})
    return render(request, "livinglabs/verify.html", {"lab": lab, "form": form, "title": _("Vérification")})


def home_section_context():
    labs = published_labs()
    return {
        "count": labs.count(),
        "regions": labs.order_by().values("region").distinct().count(),
        "latest": list(
            labs.order_by("-first_published_at").only("pk", "title", "url_path", "commune", "depth", "path", "slug")[:3]
        ),
        "index_url": index_url(),
    }
