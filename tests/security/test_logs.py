"""Logs carry no personal data (e-mail addresses, names) and no contribution or message text.

Every log record emitted while people sign up, post, declare a living lab and write to one is captured at
DEBUG level (production logs at INFO) and searched for what they typed.
"""

import logging

import pytest
from django.urls import reverse

from tests.consult.conftest import post_data

pytestmark = pytest.mark.django_db

SECRET_TEXTS = {
    "email": "camille.secret@example.org",
    "display_name": "Camille Secrète",
    "body": "Mon fils diabétique attend un rendez-vous depuis six mois",
    "contact": "Je souhaite tester votre dispositif pour ma mère",
    "contact_email": "visiteuse.privee@example.org",
    "lab_email": "porteur.prive@example.org",
}


@pytest.fixture
def all_logs(caplog):
    caplog.set_level(logging.DEBUG)
    # SQL statements are logged only when DEBUG is on (never in production); templates' debug noise too.
    for noisy in ("django.db.backends", "django.template", "asyncio", "faker", "factory"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return caplog


def rendered(records) -> str:
    lines = []
    for record in records:
        lines.append(f"{record.name} {record.getMessage()}")
        if record.exc_text:
            lines.append(record.exc_text)
    return "\n".join(lines)


def test_signing_up_posting_declaring_and_writing_log_nothing_personal(
    client, all_logs, section, lab_factory, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flows(client, section, lab_factory)
    assert mailoutbox, "the flows send e-mails (through the task queue)"
    logs = rendered(all_logs.records)
    print(f"{len(all_logs.records)} log records captured, e.g.:\n" + "\n".join(logs.splitlines()[:8]))
    for label, text in SECRET_TEXTS.items():
        assert text not in logs, f"{label} appears in the logs"
        assert text.lower() not in logs.lower(), f"{label} appears in the logs"


def flows(client, section, lab_factory):
    from accounts.models import User

    response = client.post(
        reverse("account_signup"),
        {
            "email": SECRET_TEXTS["email"],
            "password1": "un-mot-de-passe-solide-2026",
            "password2": "un-mot-de-passe-solide-2026",
            "display_name": SECRET_TEXTS["display_name"],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email=SECRET_TEXTS["email"])
    user.emailaddress_set.update(verified=True)
    client.force_login(user)
    response = client.post(
        reverse("consult:post", args=[section.page_id, section.anchor]),
        post_data(body=SECRET_TEXTS["body"] + " et rien ne bouge."),
    )
    assert response.status_code == 302
    response = client.post(
        reverse("livinglabs:propose"),
        {
            "title": "Lab privé",
            "description": "Un lab.",
            "structure_type": "association",
            "postcode": "69003",
            "commune": "Lyon",
            "latitude": "45.76",
            "longitude": "4.85",
            "contact_email": SECRET_TEXTS["lab_email"],
            "publics": ["patients"],
            "services": ["tests_usage"],
            "equipment": "",
            "tags": "",
            "website_url": "",
        },
    )
    assert response.status_code in (200, 302)
    lab = lab_factory(contact_email=SECRET_TEXTS["lab_email"])
    client.post(
        reverse("livinglabs:contact", args=[lab.pk]),
        {
            "name": SECRET_TEXTS["display_name"],
            "email": SECRET_TEXTS["contact_email"],
            "message": SECRET_TEXTS["contact"],
            "website_url": "",
        },
    )
    client.post(
        reverse("accounts:profile"),
        {
            "display_name": SECRET_TEXTS["display_name"] + " bis",
            "first_name": "Camille",
            "last_name": "Secret",
        },
    )


def test_the_email_task_logs_a_count_not_addresses(all_logs, mailoutbox):
    from core.tasks import send_email

    send_email.enqueue(to=[SECRET_TEXTS["email"]], subject="Objet", text=SECRET_TEXTS["body"])
    assert len(mailoutbox) == 1
    logs = rendered(all_logs.records)
    assert SECRET_TEXTS["email"] not in logs and SECRET_TEXTS["body"] not in logs
    assert "sent e-mail to 1 recipient(s)" in logs
