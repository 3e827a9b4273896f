"""Only public content is ever searchable, on every engine; hiding, withdrawing, unpublishing or deleting removes
an item at commit — before any later search can return it, even with no task worker running."""

import pytest

from search import service
from search.models import SearchDocument
from tests.search.conftest import SECRET

NON_PUBLIC = [
    ("c_pending", "contribution"),
    ("c_hidden", "contribution"),
    ("c_withdrawn", "contribution"),
    ("c_on_draft", "contribution"),
    ("draft_consultation", "consultation"),
    ("call_draft", "call"),
    ("app_draft", "laureate"),
    ("app_submitted", "laureate"),
    ("app_under_review", "laureate"),
    ("app_shortlisted", "laureate"),
    ("app_rejected", "laureate"),
    ("app_withdrawn", "laureate"),
    ("app_ineligible", "laureate"),
    ("laureate_on_draft_call", "laureate"),
    ("lab_draft", "livinglab"),
    ("page_draft", "page"),
]


def all_keys():
    return {h.key for h in service.search("", page_size=100).hits}


def test_secret_word_of_non_public_content_is_never_found(engine, corpus):
    assert service.search(SECRET).total == 0
    assert service.suggestions(SECRET)["results"] == []


@pytest.mark.parametrize("name, doc_type", NON_PUBLIC)
def test_non_public_item_is_not_indexed(engine, corpus, name, doc_type):
    key = f"{doc_type}-{corpus[name].pk}"
    assert key not in all_keys()
    assert not SearchDocument.objects.filter(key=key).exists()


def test_draft_consultation_sections_are_not_indexed(engine, corpus):
    section = corpus["draft_consultation"].sections.get()
    assert f"section-{section.pk}" not in all_keys()


def test_laureates_expose_only_public_fields(engine, corpus):
    corpus["laureate"].contact_email = "secret-contact@example.org"
    corpus["laureate"].description = f"Description détaillée {SECRET}"
    corpus["laureate"].save()
    from search import indexing

    indexing.apply([f"laureate-{corpus['laureate'].pk}"])
    assert service.search(SECRET).total == 0
    assert service.search("secret-contact").total == 0
    assert service.search("tablettes résidents").total == 1


@pytest.fixture
def no_worker(settings):
    """A task backend that never runs anything: only what happens synchronously at commit counts."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_hiding_a_contribution_removes_it_at_commit(
    engine, corpus, moderator, no_worker, django_capture_on_commit_callbacks
):
    from consult import services

    target = corpus["c_hopitaux"]
    assert f"contribution-{target.pk}" in {h.key for h in service.search("hôpitaux").hits}
    with django_capture_on_commit_callbacks(execute=True):
        services.hide(moderator, target, "Propos hors charte")
    assert f"contribution-{target.pk}" not in {h.key for h in service.search("hôpitaux").hits}


def test_withdrawing_a_contribution_removes_it_at_commit(
    engine, corpus, bob, no_worker, django_capture_on_commit_callbacks
):
    from consult.models import Contribution

    target = corpus["c_dmp"]
    with django_capture_on_commit_callbacks(execute=True):
        target.status = Contribution.STATUS_WITHDRAWN
        target.save(update_fields=["status"])
    assert f"contribution-{target.pk}" not in {h.key for h in service.search("dossier médical").hits}


def test_deleting_a_contribution_removes_it_at_commit(engine, corpus, no_worker, django_capture_on_commit_callbacks):
    target = corpus["c_tele"]
    pk = target.pk
    with django_capture_on_commit_callbacks(execute=True):
        target.delete()
    assert f"contribution-{pk}" not in all_keys()


def test_unpublishing_a_consultation_removes_it_its_sections_and_contributions(
    engine, corpus, no_worker, django_capture_on_commit_callbacks
):
    page = corpus["numerique"]
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    remaining = all_keys()
    assert f"consultation-{page.pk}" not in remaining
    assert not {
        k
        for k in remaining
        if k.startswith("section-") and int(k.split("-")[1]) in set(page.sections.values_list("pk", flat=True))
    }
    assert f"contribution-{corpus['c_hopitaux'].pk}" not in remaining
    assert service.search("hôpitaux").total == 0


def test_unpublishing_a_lab_and_a_page_removes_them(engine, corpus, no_worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        corpus["lab"].unpublish()
        corpus["page"].unpublish()
    remaining = all_keys()
    assert f"livinglab-{corpus['lab'].pk}" not in remaining
    assert f"page-{corpus['page'].pk}" not in remaining


def test_unpublishing_a_call_removes_its_laureates(engine, corpus, no_worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        corpus["call_tele"].unpublish()
    remaining = all_keys()
    assert f"call-{corpus['call_tele'].pk}" not in remaining
    assert f"laureate-{corpus['laureate'].pk}" not in remaining


def test_a_laureate_whose_decision_changes_leaves_the_index(
    engine, corpus, no_worker, django_capture_on_commit_callbacks
):
    from projects.models import Application

    app = corpus["laureate"]
    with django_capture_on_commit_callbacks(execute=True):
        app.status = Application.STATUS_WITHDRAWN
        app.save(update_fields=["status"])
    assert f"laureate-{app.pk}" not in all_keys()


def test_a_view_restriction_removes_the_page(engine, corpus, no_worker, django_capture_on_commit_callbacks):
    from wagtail.models import PageViewRestriction

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=corpus["page"], restriction_type=PageViewRestriction.LOGIN)
    assert f"page-{corpus['page'].pk}" not in all_keys()


def test_new_public_content_is_indexed_through_the_task_queue(
    engine, corpus, alice, django_capture_on_commit_callbacks
):
    from consult.models import Contribution

    section = corpus["numerique"].sections.order_by("sort_order").first()
    with django_capture_on_commit_callbacks(execute=True):
        c = Contribution.objects.create(
            consultation_id=section.page_id,
            section=section,
            author=alice,
            body="Les infirmières libérales manquent en zone rurale.",
        )
    assert f"contribution-{c.pk}" in {h.key for h in service.search("infirmières").hits}


def test_publishing_a_pending_contribution_indexes_it(engine, corpus, moderator, django_capture_on_commit_callbacks):
    from consult import services

    target = corpus["c_pending"]
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(moderator, target)
    assert f"contribution-{target.pk}" in {h.key for h in service.search(SECRET).hits}


def test_a_rolled_back_change_leaves_the_index_alone(engine, corpus, django_capture_on_commit_callbacks):
    from django.db import transaction

    from consult.models import Contribution

    target = corpus["c_hopitaux"]
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                Contribution.objects.filter(pk=target.pk).update(status="hidden")
                target.status = "hidden"
                target.save(update_fields=["status"])
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert f"contribution-{target.pk}" in {h.key for h in service.search("hôpitaux").hits}
