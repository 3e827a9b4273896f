"""Wagtail admin screens: analysis of a consultation's contributions (editors and moderators)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.roles import is_editor, is_moderator
from search import analysis


def _require_staff(request):
    if not (is_editor(request.user) or is_moderator(request.user)):
        raise PermissionDenied


def _bars(values: dict) -> list[dict]:
    top = max(values.values(), default=0) or 1
    return [{"label": k, "count": v, "percent": round(100 * v / top)} for k, v in values.items()]


def consultations(request):
    from django.db.models import Count

    from consult.models import ConsultationPage
    from search.models import SearchDocument

    _require_staff(request)
    counts = dict(
        SearchDocument.objects.filter(doc_type="contribution")
        .values_list("consultation_id")
        .annotate(n=Count("pk"))
        .values_list("consultation_id", "n")
    )
    pages = list(ConsultationPage.objects.live().order_by("-opens_at"))
    for page in pages:
        page.published_contributions = counts.get(page.pk, 0)
    return render(
        request,
        "search/admin/consultations.html",
        {
            "page_title": "Analyse des consultations",
            "header_title": "Analyse des consultations",
            "pages": pages,
        },
    )


def consultation_analysis(request, consultation_id):
    from consult.models import ConsultationPage, Contribution

    _require_staff(request)
    consultation = get_object_or_404(ConsultationPage, pk=consultation_id)
    sections = list(consultation.sections.order_by("sort_order"))
    stances = analysis.stance_by_section(consultation)
    histogram = analysis.contributions_over_time(consultation)
    stance_names = {"pour": "Pour", "contre": "Contre", "mitige": "Mitigé", "aucune": "Sans position"}
    rows = []
    for section in sections:
        counts = stances["sections"].get(section.pk, {})
        total = sum(counts.values())
        terms = analysis.significant_terms(consultation, section)
        top = max((t["score"] for t in terms["terms"]), default=1) or 1
        for term in terms["terms"]:
            term["percent"] = round(100 * term["score"] / top)
        rows.append(
            {
                "section": section,
                "total": total,
                "terms": terms,
                "stances": [
                    {
                        "key": k,
                        "label": label,
                        "count": counts.get(k, 0),
                        "percent": round(100 * counts.get(k, 0) / total) if total else 0,
                    }
                    for k, label in stance_names.items()
                ],
            }
        )
    recent = (
        Contribution.objects.public()
        .filter(consultation=consultation)
        .select_related("section")
        .order_by("-created_at")[:20]
    )
    return render(
        request,
        "search/admin/consultation.html",
        {
            "page_title": f"Analyse — {consultation.title}",
            "header_title": f"Analyse — {consultation.title}",
            "consultation": consultation,
            "rows": rows,
            "histogram": histogram,
            "days": _bars({b["date"]: b["count"] for b in histogram["buckets"]}),
            "stance_engine": stances,
            "recent": recent,
            "now": timezone.now(),
        },
    )


def similar(request, pk):
    from consult.models import Contribution

    _require_staff(request)
    contribution = get_object_or_404(Contribution.objects.public().select_related("section", "consultation"), pk=pk)
    result = analysis.similar_contributions(contribution, n=10)
    return render(
        request,
        "search/admin/similar.html",
        {
            "page_title": "Contributions similaires",
            "header_title": "Contributions similaires",
            "contribution": contribution,
            "result": result,
        },
    )
