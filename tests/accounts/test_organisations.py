import pytest
from django.core import mail

from accounts.models import Invitation, Membership, Organisation

pytestmark = pytest.mark.django_db


def test_a_user_creates_an_association_and_becomes_its_admin(login, alice, home_page):
    response = login(alice).post(
        "/compte/organisations/nouvelle/",
        {"name": "Les Amis du Rein", "kind": "association", "rna": "w 751 234 567", "siret": ""},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Les Amis du Rein")
    assert organisation.rna == "W751234567"
    assert organisation.role_of(alice) == Membership.ROLE_ADMIN
    assert not organisation.is_verified


def test_an_association_without_rna_or_siret_is_refused_with_the_text_kept(login, alice, home_page):
    response = login(alice).post(
        "/compte/organisations/nouvelle/", {"name": "Sans numéro", "kind": "association", "rna": "", "siret": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "numéro RNA ou son numéro SIRET" in html
    assert 'value="Sans numéro"' in html


def test_an_invalid_siret_is_refused_with_a_clear_message(login, alice, home_page):
    response = login(alice).post(
        "/compte/organisations/nouvelle/", {"name": "Asso", "kind": "association", "rna": "", "siret": "12345678901234"}
    )
    assert "clé de contrôle" in response.content.decode()


@pytest.mark.parametrize(
    "persona, sees_members",
    [
        ("anonymous", False),
        ("bob", False),
        ("asso_b_admin", False),
        ("asso_member", True),
        ("asso_admin", True),
        ("editor", True),
    ],
)
def test_only_members_and_editors_see_the_private_part(
    client, request, organisation, organisation_b, persona, sees_members, home_page
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    html = client.get(organisation.get_absolute_url()).content.decode()
    assert "Association A" in html
    assert ("Membres de l'organisation" in html) is sees_members


@pytest.mark.parametrize(
    "persona, allowed", [("asso_admin", True), ("asso_member", False), ("bob", False), ("asso_b_admin", False)]
)
def test_only_organisation_admins_edit_it(client, request, organisation, organisation_b, persona, allowed, home_page):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        f"/compte/organisations/{organisation.slug}/modifier/",
        {"name": "Nom changé", "kind": "association", "rna": organisation.rna, "siret": ""},
    )
    organisation.refresh_from_db()
    assert (organisation.name == "Nom changé") is allowed
    assert response.status_code == (302 if allowed else 403)


def test_invitation_by_email_then_acceptance_adds_a_member(
    client, organisation, asso_admin, bob, home_page, django_capture_on_commit_callbacks
):
    client.force_login(asso_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/compte/organisations/{organisation.slug}/inviter/", {"email": bob.email, "role": "member"})
    invitation = Invitation.objects.get(organisation=organisation, email=bob.email)
    assert len(mail.outbox) == 1 and invitation.token in mail.outbox[0].body
    client.force_login(bob)
    client.post(f"/compte/invitations/{invitation.token}/")
    assert organisation.role_of(bob) == Membership.ROLE_MEMBER


def test_an_invitation_cannot_be_used_by_another_address(client, organisation, asso_admin, bob, alice, home_page):
    client.force_login(asso_admin)
    client.post(f"/compte/organisations/{organisation.slug}/inviter/", {"email": bob.email, "role": "member"})
    invitation = Invitation.objects.get(email=bob.email)
    client.force_login(alice)
    response = client.post(f"/compte/invitations/{invitation.token}/", follow=True)
    assert "une autre adresse" in response.content.decode()
    assert organisation.role_of(alice) is None


def test_a_plain_member_cannot_invite(client, organisation, asso_member, home_page):
    client.force_login(asso_member)
    response = client.post(
        f"/compte/organisations/{organisation.slug}/inviter/", {"email": "x@example.org", "role": "admin"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_the_last_admin_cannot_leave(client, organisation, asso_admin, home_page):
    membership = Membership.objects.get(organisation=organisation, user=asso_admin)
    client.force_login(asso_admin)
    client.post(f"/compte/organisations/{organisation.slug}/membres/{membership.pk}/retirer/")
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize(
    "persona, allowed",
    [
        ("editor", True),
        ("superuser", True),
        ("moderator", False),
        ("reviewer", False),
        ("asso_admin", False),
        ("alice", False),
    ],
)
def test_only_staff_with_the_permission_verify_an_organisation(
    client, request, organisation_factory, persona, allowed, home_page
):
    organisation = organisation_factory(verified=False, name="À vérifier")
    user = request.getfixturevalue(persona)
    client.force_login(user)
    client.post(f"/admin/organisations/{organisation.pk}/verifier/")
    organisation.refresh_from_db()
    assert organisation.is_verified is allowed


def test_verified_organisations_show_the_badge(client, organisation, home_page):
    assert "Association vérifiée" in client.get(organisation.get_absolute_url()).content.decode()
