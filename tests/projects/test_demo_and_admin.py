"""Demo loader (idempotent, realistic states), Wagtail admin editing of calls, search indexing of calls."""

import pytest
from django.urls import reverse

from projects.models import Application, ProjectCallPage, ReviewAssignment

pytestmark = pytest.mark.django_db


def load_demo():
    from core import demo as core_demo
    from projects import demo

    context = core_demo.load()
    return context, demo.load(context=context)


def test_demo_loader_is_idempotent_and_covers_the_workflow():
    load_demo()
    counts = (ProjectCallPage.objects.count(), Application.objects.count(), ReviewAssignment.objects.count())
    context, result = load_demo()
    assert (ProjectCallPage.objects.count(), Application.objects.count(), ReviewAssignment.objects.count()) == counts
    assert counts[1] >= 15
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {
        "draft",
        "submitted",
        "eligible",
        "under_review",
        "corrections_requested",
        "withdrawn",
        "accepted",
        "rejected",
        "ineligible",
    } <= statuses
    assert result["project_calls"]["open"].is_open()
    assert not result["project_calls"]["closed"].is_open()
    assert Application.objects.laureates().filter(call=result["project_calls"]["closed"]).count() == 3
    reviewer = context["people"]["reviewer"]
    assert ReviewAssignment.objects.filter(reviewer=reviewer, submitted_at__isnull=False).exists()
    assert ReviewAssignment.objects.filter(reviewer=reviewer, conflict_declared_at=None).exists()
    assert all(a.weighted_total is not None for a in ReviewAssignment.objects.filter(submitted_at__isnull=False))


def test_demo_pages_render(client):
    load_demo()
    for path in [
        "/appels-a-projets/",
        "/appels-a-projets/usages-numeriques-associations-patients/",
        "/appels-a-projets/co-innovation-sante-numerique/",
        "/candidatures/laureats/",
    ]:
        assert client.get(path).status_code == 200, path


def test_wagtail_admin_edits_a_call(login, superuser, open_call):
    client = login(superuser)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[open_call.pk])).status_code == 200
    parent = open_call.get_parent()
    url = reverse("wagtailadmin_pages:add", args=["projects", "projectcallpage", parent.pk])
    assert client.get(url).status_code == 200


def test_calls_are_searchable(open_call):
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    backend.add(open_call)
    results = list(ProjectCallPage.objects.live().search("numériques"))
    assert open_call in results
