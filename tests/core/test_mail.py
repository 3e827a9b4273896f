"""core.mail: e-mails are rendered when decided and queued only once the change is committed."""

from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from core.mail import render_templated, send_templated, send_templated_many

pytestmark = pytest.mark.django_db

TEMPLATE = "consult/email/closing_soon"


@pytest.fixture
def context():
    consultation = SimpleNamespace(
        title="Stratégie du numérique en santé", url="/consultations/strategie/", closes_at=timezone.now()
    )
    return {"consultation": consultation, "site_url": "https://agora.example"}


def test_an_email_is_queued_only_when_the_change_commits(context, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_templated("alice@example.org", TEMPLATE, context)
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


def test_a_batch_of_emails_is_queued_by_one_callback_and_empty_entries_are_skipped(
    context, django_capture_on_commit_callbacks
):
    messages = [
        render_templated("alice@example.org", TEMPLATE, context),
        None,  # e.g. no reply notice: somebody answered themself
        render_templated("bob@example.org", TEMPLATE, context),
        render_templated([], TEMPLATE, context),  # nobody to write to
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send_templated_many(messages)
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "bob@example.org"]
    assert len({m.subject for m in mail.outbox}) == 1 and "agora.example" in mail.outbox[0].body


def test_each_rendered_email_keeps_its_own_key_for_retries(context):
    one = render_templated("alice@example.org", TEMPLATE, context)
    two = render_templated("alice@example.org", TEMPLATE, context)
    assert one["key"] != two["key"] and one["key"].startswith("mail-")
