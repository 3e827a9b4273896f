import json

import pytest

from accounts.models import ANONYMOUS_NAME, Membership, User

pytestmark = pytest.mark.django_db


def test_data_download_contains_my_data_and_nobody_elses(login, alice, bob, organisation, asso_admin, home_page):
    Membership.objects.create(organisation=organisation, user=alice)
    response = login(alice).get("/compte/mes-donnees/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["compte"]["email"] == alice.email
    assert [o["nom"] for o in data["organisations"]] == ["Association A"]
    raw = response.content.decode()
    assert bob.email not in raw and asso_admin.email not in raw


def test_data_download_requires_login(client, home_page):
    assert client.get("/compte/mes-donnees/").status_code == 302


def test_account_deletion_needs_the_password(login, alice, home_page):
    response = login(alice).post("/compte/supprimer/", {"password": "pas-le-bon"})
    assert response.status_code == 200
    assert "Mot de passe incorrect" in response.content.decode()
    assert User.objects.get(pk=alice.pk).is_active


def test_account_deletion_anonymises_and_logs_out(client, alice, organisation, home_page):
    from tests.conftest import PASSWORD

    Membership.objects.create(organisation=organisation, user=alice)
    client.force_login(alice)
    response = client.post("/compte/supprimer/", {"password": PASSWORD})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.public_name == ANONYMOUS_NAME
    assert "alice" not in alice.email and not alice.is_active and not alice.has_usable_password()
    assert not alice.memberships.exists()
    assert "_auth_user_id" not in client.session
    assert client.post("/compte/login/", {"login": "alice@example.org", "password": PASSWORD}).status_code == 200


def test_the_profile_links_to_my_applications_and_declared_labs(login, alice, home_page):
    html = login(alice).get("/compte/profil/").content.decode()
    assert 'href="/candidatures/"' in html and 'href="/labs/mes-living-labs/"' in html
