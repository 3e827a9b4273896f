"""Read-only JSON API: consultations, sections and contributions, paginated, with the page's visibility rules.

Anonymous readers get published contributions only; a logged-in reader also gets their own pending ones;
moderators get everything (hidden ones with their moderation fields). The shape of a contribution is
consult.serializers.contribution_to_dict — the same as on the socket.
"""

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.http import JsonResponse as _JsonResponse
from django.views.decorators.http import require_GET

from consult.models import ConsultationPage, Contribution
from consult.serializers import contribution_to_dict

MAX_PAGE_SIZE = 100


def JsonResponse(data):
    return _JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _paginate(request, queryset, default_size=20):
    try:
        size = max(1, min(MAX_PAGE_SIZE, int(request.GET.get("page_size", default_size))))
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        size, number = default_size, 1
    paginator = Paginator(queryset, size)
    try:
        page = paginator.page(number)
    except EmptyPage:
        page = None
    base = request.build_absolute_uri(request.path)

    def link(n):
        query = request.GET.copy()
        query["page"] = n
        query["page_size"] = size
        return f"{base}?{query.urlencode()}"

    meta = {
        "count": paginator.count,
        "page": number,
        "page_size": size,
        "next": link(number + 1) if page and page.has_next() else None,
        "previous": link(number - 1) if page and number > 1 else None,
    }
    return (list(page.object_list) if page else []), meta


def _consultations(user):
    qs = ConsultationPage.objects.live().public()
    return qs


def _consultation_dict(page, request, count=None):
    return {
        "id": page.pk,
        "title": page.title,
        "url": request.build_absolute_uri(page.url) if page.url else None,
        "summary": page.summary,
        "easy_read_summary": page.easy_read_summary or None,
        "status": page.status,
        "opens_at": page.opens_at.isoformat(),
        "closes_at": page.closes_at.isoformat(),
        "directorate": page.directorate,
        "moderation_mode": page.moderation_mode,
        "contributions_count": count,
        "synthesis_published": bool(page.synthesis_published_at and page.synthesis),
    }


def _get(consultation_id):
    page = _consultations(None).filter(pk=consultation_id).first()
    if page is None:
        raise Http404
    return page


@require_GET
def consultations(request):
    qs = (
        _consultations(request.user)
        .annotate(n=Count("contributions", filter=Q(contributions__status=Contribution.STATUS_PUBLISHED)))
        .order_by("-opens_at", "pk")
    )
    items, meta = _paginate(request, qs)
    return JsonResponse({**meta, "results": [_consultation_dict(p, request, p.n) for p in items]})


@require_GET
def consultation_detail(request, consultation_id):
    page = _get(consultation_id)
    count = Contribution.objects.public().filter(consultation=page).count()
    data = _consultation_dict(page, request, count)
    data["sections"] = [_section_dict(s, request, page) for s in page.sections.all().order_by("sort_order")]
    if data["synthesis_published"]:
        data["synthesis_html"] = page.synthesis
    return JsonResponse(data)


def _section_dict(section, request, page):
    from django.urls import reverse

    return {
        "anchor": section.anchor,
        "title": section.title,
        "body_html": section.body,
        "url": request.build_absolute_uri(reverse("consult:section", args=[page.pk, section.anchor])),
        "outcome": section.outcome or None if page.synthesis_published_at else None,
        "outcome_motivation": (section.outcome_motivation or None) if page.synthesis_published_at else None,
    }


@require_GET
def sections(request, consultation_id):
    page = _get(consultation_id)
    items, meta = _paginate(request, page.sections.all().order_by("sort_order"), 50)
    return JsonResponse({**meta, "results": [_section_dict(s, request, page) for s in items]})


@require_GET
def contributions(request, consultation_id):
    page = _get(consultation_id)
    qs = (
        Contribution.objects.visible_to(request.user)
        .filter(consultation=page)
        .select_related("author", "organisation", "section")
        .order_by("created_at", "id")
    )
    if request.GET.get("section"):
        qs = qs.filter(section__anchor=request.GET["section"])
    if request.GET.get("stance") in dict(Contribution.STANCE_CHOICES):
        qs = qs.filter(stance=request.GET["stance"])
    items, meta = _paginate(request, qs, 50)
    for c in items:
        c.consultation = page
    return JsonResponse({**meta, "results": [contribution_to_dict(c, request.user) for c in items]})
