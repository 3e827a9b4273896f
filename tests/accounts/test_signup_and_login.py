import re

import pytest
from django.core import mail

from accounts.models import User

pytestmark = pytest.mark.django_db


def link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def test_signup_sends_a_verification_email_then_login_reaches_the_profile(
    client, home_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/compte/signup/",
            {
                "email": "nouvelle@example.org",
                "password1": "un-mot-de-passe-solide",
                "password2": "un-mot-de-passe-solide",
                "display_name": "Nouvelle",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@example.org")
    assert user.display_name == "Nouvelle"
    assert len(mail.outbox) == 1
    confirm_url = link_in(mail.outbox[0])

    # Not verified yet: login is held at the verification step.
    client.logout()
    response = client.post("/compte/login/", {"login": "nouvelle@example.org", "password": "un-mot-de-passe-solide"})
    assert "_auth_user_id" not in client.session

    client.post(confirm_url)
    response = client.post(
        "/compte/login/", {"login": "nouvelle@example.org", "password": "un-mot-de-passe-solide"}, follow=True
    )
    assert response.request["PATH_INFO"] == "/compte/profil/"
    assert "Mon profil" in response.content.decode()


def test_signup_form_errors_are_in_french_and_keep_the_email(client, home_page):
    response = client.post("/compte/signup/", {"email": "x@example.org", "password1": "court", "password2": "court"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "trop court" in html
    assert 'value="x@example.org"' in html


def test_password_reset_sends_a_link_that_sets_a_new_password(
    client, alice, home_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/compte/password/reset/", {"email": alice.email})
    assert len(mail.outbox) == 1
    reset_url = link_in(mail.outbox[0])
    response = client.get(reset_url, follow=True)
    form_url = response.request["PATH_INFO"]
    response = client.post(form_url, {"password1": "tout-nouveau-secret-42", "password2": "tout-nouveau-secret-42"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("tout-nouveau-secret-42")


def test_login_is_rate_limited_after_repeated_failures(client, alice, home_page):
    statuses = [
        client.post("/compte/login/", {"login": alice.email, "password": "mauvais"}).status_code for _ in range(12)
    ]
    assert 429 in statuses or any(
        "Trop de tentatives" in client.post("/compte/login/", {"login": alice.email, "password": "x"}).content.decode()
        for _ in range(1)
    )


def test_profile_requires_login(client, home_page):
    response = client.get("/compte/profil/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")


def test_profile_updates_the_display_name(login, alice, home_page):
    client = login(alice)
    response = client.post("/compte/profil/", {"display_name": "Alice B.", "first_name": "", "last_name": ""})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.display_name == "Alice B."
