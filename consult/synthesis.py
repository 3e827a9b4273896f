"""The generated synthesis draft editors start from: counts, stance per section, most-supported contributions,
campaign groups. Everything is computed from published contributions; nothing is invented."""

from django.db.models import Count, Q
from django.template.loader import render_to_string

from consult.models import Campaign, Contribution
from consult.views import consultation_stats

TOP_PER_SECTION = 3


def synthesis_data(consultation) -> dict:
    stats = consultation_stats(consultation)
    public = Contribution.objects.public().filter(consultation=consultation).select_related("author", "organisation")
    top = {}
    for row in stats["sections"]:
        section = row["section"]
        top[section.pk] = list(
            public.filter(section=section, votes_up__gt=0).order_by("-votes_up", "votes_down", "created_at")[
                :TOP_PER_SECTION
            ]
        )
    for row in stats["sections"]:
        row["top"] = top[row["section"].pk]
    campaigns = list(
        Campaign.objects.filter(consultation=consultation)
        .annotate(
            published=Count("contributions", filter=Q(contributions__status=Contribution.STATUS_PUBLISHED)),
            authors=Count("contributions__author", distinct=True),
        )
        .filter(published__gt=0)
        .order_by("-published")
    )
    return {"consultation": consultation, "stats": stats, "campaigns": campaigns}


def synthesis_draft_html(consultation) -> str:
    """Rich-text HTML (Wagtail-compatible tags only: h2, h3, p, ul, li, b) to paste into the synthesis field."""
    return render_to_string("consult/admin/synthesis_draft_body.html", synthesis_data(consultation)).strip()
