"""Ranking of a call's applications from the reviewers' finalised grids, in a constant number of queries.

Three aggregate queries whatever the number of applications:
1. applications of the call (not drafts), with counts of active and finalised assignments (annotations);
2. one weighted total per finalised review: SUM(value × weight) grouped by assignment (done in SQL);
3. the sum of the criteria weights.
Averages and spread (max − min) per application are then folded in Python over those rows.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from projects.models import Application, CallCriterion, Score


@dataclass
class RankingRow:
    application: Application
    reviews_expected: int
    reviews_done: int
    totals: list = field(default_factory=list)  # weighted totals of the finalised reviews, on the call's scale

    @property
    def average(self):
        return round(sum(self.totals) / len(self.totals), 2) if self.totals else None

    @property
    def spread(self):
        return round(max(self.totals) - min(self.totals), 2) if len(self.totals) > 1 else (0 if self.totals else None)

    @property
    def missing(self) -> int:
        return max(self.reviews_expected - self.reviews_done, 0)


def ranking(call, statuses=None) -> list[RankingRow]:
    applications = (
        Application.objects.submitted().filter(call=call)
        .exclude(status=Application.STATUS_WITHDRAWN)
        .select_related("organisation")
        .only("id", "reference", "title", "status", "requested_amount", "region", "call_id",
              "organisation__id", "organisation__name")
        .annotate(
            active_reviews=Count("assignments", filter=Q(assignments__recused=False), distinct=True),
            done_reviews=Count("assignments", filter=Q(assignments__recused=False,
                                                       assignments__submitted_at__isnull=False), distinct=True),
        )
    )
    if statuses:
        applications = applications.filter(status__in=statuses)
    total_weight = CallCriterion.objects.filter(page=call).aggregate(w=Sum("weight"))["w"] or 1
    per_review = (
        Score.objects.filter(assignment__application__call=call, assignment__recused=False,
                             assignment__submitted_at__isnull=False)
        .values("assignment_id", "assignment__application_id")
        .annotate(points=Sum(F("value") * F("criterion__weight")))
        .values_list("assignment__application_id", "points")
    )
    totals: dict[int, list] = {}
    for application_id, points in per_review:
        totals.setdefault(application_id, []).append(round(points / total_weight, 2))
    rows = [
        RankingRow(application=a, reviews_expected=max(call.reviewers_per_application, a.active_reviews),
                   reviews_done=a.done_reviews, totals=totals.get(a.pk, []))
        for a in applications
    ]
    # Best average first; unscored files last, by reference.
    rows.sort(key=lambda r: (r.average is None, -(r.average or 0), r.application.reference or ""))
    return rows
