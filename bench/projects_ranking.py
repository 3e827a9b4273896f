"""projects_ranking: server-side time of the ranking table of a call with 2,000 applications × 3 reviewers ×
6 criteria (PostgreSQL). The data set is bulk-created once in its own database, then reused.

Output: {"bench": "projects_ranking", "applications": N, "p50_ms": …, "p95_ms": …, "queries": …}
"""

import datetime
import os
import random

from bench.common import emit, log, start_services, summary, time_calls, use_database

APPLICATIONS = int(os.environ.get("BENCH_PROJECTS_APPLICATIONS", "2000"))
REVIEWERS = 3
CRITERIA = 6
CALL_SLUG = "bench-ranking"


def build():
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from accounts import roles
    from accounts.models import Organisation, User
    from core.demo import child_page, home_page
    from projects.models import (
        Application,
        CallCriterion,
        ProjectCallIndexPage,
        ProjectCallPage,
        ReviewAssignment,
        Score,
    )

    existing = ProjectCallPage.objects.filter(slug=CALL_SLUG).first()
    if (
        existing
        and existing.applications.count() == APPLICATIONS
        and ReviewAssignment.objects.filter(application__call=existing, weighted_total__isnull=False).exists()
    ):
        return existing
    log(f"projects_ranking: building {APPLICATIONS} applications × {REVIEWERS} reviewers × {CRITERIA} criteria…")
    rng = random.Random(42)
    with transaction.atomic():
        if existing:
            Application.objects.filter(call=existing).delete()
            existing.delete()
        home = home_page()
        index = child_page(home, ProjectCallIndexPage, "appels-a-projets", title="Appels à projets")
        now = timezone.now()
        call = ProjectCallPage(
            title="Appel de mesure",
            slug=CALL_SLUG,
            intro="Mesure.",
            opens_at=now - datetime.timedelta(days=90),
            closes_at=now - datetime.timedelta(days=30),
            max_grant=100000,
            reviewers_per_application=REVIEWERS,
        )
        index.add_child(instance=call)
        criteria = [
            CallCriterion.objects.create(page=call, sort_order=i, label=f"Critère {i + 1}", weight=1 + i % 3)
            for i in range(CRITERIA)
        ]
        reviewer_group, _ = Group.objects.get_or_create(name=roles.REVIEWER)
        editor_group, _ = Group.objects.get_or_create(name=roles.EDITOR)
        reviewers = []
        for i in range(REVIEWERS):
            user, _ = User.objects.get_or_create(
                email=f"bench-reviewer-{i}@bench.local", defaults={"username": f"bench-reviewer-{i}"}
            )
            user.groups.add(reviewer_group)
            reviewers.append(user)
        editor, _ = User.objects.get_or_create(email="bench-editor@bench.local", defaults={"username": "bench-editor"})
        editor.groups.add(editor_group)
        orgs = []
        for i in range(50):
            org, _ = Organisation.objects.get_or_create(
                rna=f"W{990000000 + i:09d}", defaults={"name": f"Association de mesure {i}", "slug": f"bench-asso-{i}"}
            )
            orgs.append(org)
        statuses = [Application.STATUS_UNDER_REVIEW, Application.STATUS_SHORTLISTED, Application.STATUS_RESUBMITTED]
        applications = Application.objects.bulk_create(
            [
                Application(
                    call=call,
                    organisation=orgs[i % len(orgs)],
                    status=statuses[i % 3],
                    reference=f"AAP-BENCH-{i:05d}",
                    title=f"Projet de mesure n°{i}",
                    region="76",
                    requested_amount=10000 + i,
                    submitted_at=now,
                )
                for i in range(APPLICATIONS)
            ],
            batch_size=1000,
        )
        grids = [[rng.randint(0, 5) for _ in criteria] for _ in range(len(applications) * len(reviewers))]
        total_weight = sum(c.weight for c in criteria)
        assignments = ReviewAssignment.objects.bulk_create(
            [
                ReviewAssignment(
                    application=a,
                    reviewer=r,
                    conflict_declared_at=now,
                    submitted_at=now if rng.random() < 0.9 else None,
                    weighted_total=round(
                        sum(v * c.weight for v, c in zip(grids[n], criteria, strict=True)) / total_weight, 3
                    ),
                )
                for n, (a, r) in enumerate((a, r) for a in applications for r in reviewers)
            ],
            batch_size=2000,
        )
        Score.objects.bulk_create(
            [
                Score(assignment=s, criterion=c, value=v)
                for s, grid in zip(assignments, grids, strict=True)
                for c, v in zip(criteria, grid, strict=True)
            ],
            batch_size=5000,
        )
        call.save_revision().publish()
    return ProjectCallPage.objects.get(slug=CALL_SLUG)


def main():
    if "DATABASE_URL" not in os.environ or not os.environ["DATABASE_URL"].startswith("postgres"):
        start_services()
    use_database("agora_bench_projects")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User

    call = build()
    client = Client()
    client.force_login(User.objects.get(email="bench-editor@bench.local"))
    url = reverse("projects:staff_ranking", args=[call.pk])

    def get():
        response = client.get(url, HTTP_HOST="localhost")
        assert response.status_code == 200, response.status_code

    durations = time_calls(get, 30, warmup=3)
    with CaptureQueriesContext(connection) as queries:
        get()
    log(f"projects_ranking: {len(queries)} queries")
    emit(bench="projects_ranking", applications=APPLICATIONS, **summary(durations), queries=len(queries))


if __name__ == "__main__":
    main()
