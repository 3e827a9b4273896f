"""Ranking of a call's applications from the reviewers' finalised grids, in one aggregate query.

Each finalised grid stores its weighted total (ReviewAssignment.weighted_total, Σ value × weight / Σ weight,
written by services.save_scores). The ranking is then a single GROUP BY over the call's applications and their
assignments: average, highest and lowest total (spread = highest − lowest), active and finalised reviews —
sorted in SQL. The number of queries does not depend on the number of applications.
"""

from dataclasses import dataclass

from django.db.models import Avg, Count, F, FloatField, Max, Min, Q
from django.db.models.functions import Cast

from projects.models import REGION_NAMES, Application


@dataclass(slots=True)
class RankingRow:
    application_id: int
    reference: str
    title: str
    status: str
    status_label: str
    organisation: str
    region: str
    reviews_expected: int
    reviews_done: int
    average: float | None
    spread: float | None
    missing: int

    @property
    def region_name(self) -> str:
        return REGION_NAMES.get(self.region, "")


def ranking(call, statuses=None) -> list[RankingRow]:
    counted = Q(assignments__recused=False)
    done = Q(assignments__recused=False, assignments__submitted_at__isnull=False)
    applications = (
        Application.objects.submitted()
        .filter(call=call)
        .exclude(status=Application.STATUS_WITHDRAWN)
        .annotate(
            active_reviews=Count("assignments", filter=counted),
            done_reviews=Count("assignments", filter=done),
            # Floats straight from SQL: no Decimal conversion for thousands of rows.
            average=Cast(Avg("assignments__weighted_total", filter=done), FloatField()),
            highest=Cast(Max("assignments__weighted_total", filter=done), FloatField()),
            lowest=Cast(Min("assignments__weighted_total", filter=done), FloatField()),
        )
        .order_by(F("average").desc(nulls_last=True), "reference")
        .values_list(
            "id",
            "reference",
            "title",
            "status",
            "organisation__name",
            "region",
            "active_reviews",
            "done_reviews",
            "average",
            "highest",
            "lowest",
        )
    )
    if statuses:
        applications = applications.filter(status__in=statuses)
    labels = {key: str(label) for key, label in Application.STATUS_CHOICES}
    expected_per_call = call.reviewers_per_application
    rows = []
    for pk, reference, title, status, organisation, region, active, done_n, avg, hi, lo in applications:
        expected = max(expected_per_call, active)
        rows.append(
            RankingRow(
                application_id=pk,
                reference=reference or "",
                title=title,
                status=status,
                status_label=labels[status],
                organisation=organisation,
                region=region,
                reviews_expected=expected,
                reviews_done=done_n,
                average=None if avg is None else round(avg, 2),
                spread=None if hi is None else round(hi - lo, 2),
                missing=max(expected - done_n, 0),
            )
        )
    return rows
