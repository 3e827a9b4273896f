import pytest
from django.core import mail
from django.core.management import call_command

from livinglabs import services
from livinglabs.models import LivingLabPage
from tests.livinglabs.conftest import days_ago

pytestmark = pytest.mark.django_db


def test_reminder_goes_to_labs_verified_over_a_year_ago_once(lab_factory, django_capture_on_commit_callbacks):
    due = lab_factory("Ancien", last_verified=days_ago(370), contact_email="ancien@lab.example")
    lab_factory("Récent", last_verified=days_ago(200))
    lab_factory("Brouillon ancien", last_verified=days_ago(400), live=False)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("livinglabs_revalidation", stdout=open("/dev/null", "w"))
    assert [m.to for m in mail.outbox] == [["ancien@lab.example"]]
    assert "/labs/verifier/" in mail.outbox[0].body
    due.refresh_from_db()
    assert due.revalidation_sent_at is not None
    assert services.send_revalidation_reminders() == 0  # not twice


def test_signed_link_confirms_and_resets_the_clock(client, lab_factory):
    lab = lab_factory("Ancien", last_verified=days_ago(500))
    LivingLabPage.objects.filter(pk=lab.pk).update(revalidation_sent_at="2026-01-01T00:00:00Z")
    token = services.verification_token(lab)
    assert client.get(f"/labs/verifier/{token}/").status_code == 200
    response = client.post(f"/labs/verifier/{token}/", {"action": "confirm", "status": "en_sommeil"})
    assert response.status_code == 200
    lab.refresh_from_db()
    assert lab.last_verified == days_ago(0) and lab.status == "en_sommeil" and lab.revalidation_sent_at is None
    assert "non vérifiées" not in client.get(lab.url).content.decode()
    # The link cannot be replayed once used.
    assert client.get(f"/labs/verifier/{token}/").status_code == 400


def test_confirmation_survives_a_later_publication(client, lab_factory):
    lab = lab_factory("Ancien", last_verified=days_ago(500))
    client.post(f"/labs/verifier/{services.verification_token(lab)}/", {"action": "confirm", "status": "actif"})
    lab.refresh_from_db()
    lab.get_latest_revision().publish()
    lab.refresh_from_db()
    assert lab.last_verified == days_ago(0)


def test_reported_changes_are_sent_to_editors(client, lab_factory, editor, django_capture_on_commit_callbacks):
    lab = lab_factory("Ancien", last_verified=days_ago(500))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/labs/verifier/{services.verification_token(lab)}/",
            {"action": "changes", "status": "actif", "changes": "Nouvelle adresse : 3 rue Neuve"},
        )
    assert any(editor.email in m.to and "3 rue Neuve" in m.body for m in mail.outbox)


def test_changes_without_description_are_refused(client, lab_factory):
    lab = lab_factory("Ancien", last_verified=days_ago(500))
    response = client.post(
        f"/labs/verifier/{services.verification_token(lab)}/", {"action": "changes", "status": "actif", "changes": ""}
    )
    assert "Décrivez les changements" in response.content.decode()


def test_tampered_link_is_refused(client, lab_factory):
    lab = lab_factory("Ancien")
    response = client.get(f"/labs/verifier/{services.verification_token(lab)}x/")
    assert response.status_code == 400 and "pas valide" in response.content.decode()


def test_editors_see_the_overdue_report(login, lab_factory, editor, alice):
    lab_factory("Très ancien", last_verified=days_ago(500))
    lab_factory("Récent", last_verified=days_ago(10))
    response = login(editor).get("/admin/living-labs/verifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Très ancien" in html and "Récent" not in html


def test_citizens_cannot_see_the_overdue_report(login, lab_index, alice):
    assert login(alice).get("/admin/living-labs/verifications/").status_code in (302, 403)
