"""The section page and the API load in a number of queries that does not grow with the contributions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consult.bulk import bulk_threads
from consult.models import Vote


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    # These tests count the queries of *rendering* the page (bulk_threads writes no events, so an anonymous
    # cached copy would be served instead); the page cache has its own tests (test_page_cache.py).
    settings.PAGE_CACHE_SECONDS = 0


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("viewer", [None, "alice", "moderator"])
def test_section_page_queries_are_constant_in_n(
    client, request, section, alice, bob, viewer, django_assert_max_num_queries
):
    url = reverse("consult:section", args=[section.page_id, section.anchor])
    if viewer:
        client.force_login(request.getfixturevalue(viewer))
    roots = bulk_threads(section, [alice, bob], 10, threads=4)
    Vote.objects.create(contribution_id=roots[0], user=alice, value=1)
    small = count_queries(client, url)
    bulk_threads(section, [alice, bob], 990, threads=296)
    with django_assert_max_num_queries(small):
        large_response = client.get(url)
    assert large_response.content.decode().count('class="agora-contribution ') > 20


@pytest.mark.parametrize("endpoint", ["api_contributions", "api_consultations"])
def test_api_queries_are_constant_in_n(client, section, alice, bob, endpoint, django_assert_max_num_queries):
    args = [section.page_id] if endpoint == "api_contributions" else []
    url = reverse(f"consult:{endpoint}", args=args) + "?page_size=100"
    bulk_threads(section, [alice, bob], 10, threads=4)
    small = count_queries(client, url)
    bulk_threads(section, [alice, bob], 990, threads=296)
    with django_assert_max_num_queries(small):
        client.get(url)


def test_consultation_page_queries_are_constant_in_n(client, section, alice, bob, django_assert_max_num_queries):
    url = section.page.url
    bulk_threads(section, [alice, bob], 10, threads=4)
    small = count_queries(client, url)
    bulk_threads(section, [alice, bob], 990, threads=296)
    with django_assert_max_num_queries(small):
        client.get(url)
