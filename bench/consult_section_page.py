"""consult_section_page: server time to render the first page (20 threads + their replies) of a section holding
1,000 contributions (300 threads, 700 replies on two levels) on PostgreSQL, as a logged-in citizen who voted;
then, on a second line, the same page for an anonymous reader (served from the page cache, core/pagecache.py).

Method: dedicated database agora_bench_consult (reused if present), Django test client (full middleware stack,
templates, no network), 200 requests after 20 warm-up requests; queries counted on one extra request.
"""

from bench.common import emit, log, start_services, summary, time_calls, use_database

CONTRIBUTIONS = 1000
THREADS = 300


def setup():
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from consult.bulk import bulk_threads
    from consult.demo import index_page
    from consult.models import ConsultationPage, Contribution, Section, Vote
    from core import demo as core_demo

    home = core_demo.home_page()
    index = index_page(home)
    page = ConsultationPage.objects.filter(slug="bench-section-page").first()
    if page is None:
        now = timezone.now()
        page = ConsultationPage(
            title="Consultation de mesure",
            slug="bench-section-page",
            summary="Mesure.",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=3650),
        )
        page.sections.add(Section(title="Section mesurée", anchor="mesure", body="<p>Texte.</p>"))
        index.add_child(instance=page)
        page.save_revision().publish()
    section = page.sections.get()
    authors = []
    for i in range(20):
        user, _ = User.objects.get_or_create(
            email=f"bench{i}@example.org", defaults={"username": f"bench{i}", "display_name": f"Personne {i}"}
        )
        authors.append(user)
    if Contribution.objects.filter(section=section).count() != CONTRIBUTIONS:
        Contribution.objects.filter(section=section).delete()
        bulk_threads(section, authors, CONTRIBUTIONS, threads=THREADS)
        viewer = authors[0]
        for c in Contribution.objects.filter(section=section).exclude(author=viewer)[:200]:
            Vote.objects.get_or_create(contribution=c, user=viewer, defaults={"value": 1})
    return page, section, authors[0]


def main():
    start_services()
    use_database("agora_bench_consult")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    page, section, viewer = setup()
    client = Client()
    client.force_login(viewer)
    url = reverse("consult:section", args=[page.pk, section.anchor])

    def get():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    durations = time_calls(get, 200, warmup=20)
    with CaptureQueriesContext(connection) as captured:
        get()
    # Read now: every later request resets connection.queries (request_started), emptying `captured`.
    queries = len(captured)
    log(f"consult_section_page: {queries} queries")
    # Context for reading the figure on a shared machine: the site's bare 404 page (base template only).
    baseline = summary(time_calls(lambda: client.get("/page-inexistante/"), 100, warmup=10))
    log(f"consult_section_page: baseline 404 page p50 {baseline['p50_ms']} ms (same process, same load)")
    emit(bench="consult_section_page", contributions=CONTRIBUTIONS, **summary(durations), queries=queries)

    # The same page for readers who are not logged in (a flash crowd): served from the page cache
    # (core/pagecache.py) once rendered for the current version of the consultation.
    anonymous = Client()
    anonymous.get(url)
    anonymous_durations = time_calls(lambda: anonymous.get(url), 200, warmup=20)
    with CaptureQueriesContext(connection) as captured:
        anonymous.get(url)
    emit(
        bench="consult_section_page",
        reader="anonymous (page cache)",
        contributions=CONTRIBUTIONS,
        **summary(anonymous_durations),
        queries=len(captured),
    )


if __name__ == "__main__":
    main()
