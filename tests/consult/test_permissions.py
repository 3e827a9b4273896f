"""Role × action matrix over the HTTP views, the API and the exports (open, a posteriori consultation).

Roles: anonymous, citizen (alice), association member, moderator, editor. The target contribution belongs to
bob, so "edit" and "withdraw" test acting on someone else's contribution; acting on one's own is tested below.
"""

import pytest
from django.urls import reverse

from consult import rules
from consult.models import Contribution
from tests.consult.conftest import post_data

FETCH = {"HTTP_ACCEPT": "application/json", "HTTP_X_REQUESTED_WITH": "fetch"}
ROLES = ["anonymous", "citizen", "asso_member", "moderator", "editor"]

# action -> expected status per role (same order as ROLES)
MATRIX = {
    "view_section": [200, 200, 200, 200, 200],
    "view_fragment": [200, 200, 200, 200, 200],
    "post": [401, 201, 201, 201, 201],
    "reply": [401, 201, 201, 201, 201],
    "vote": [401, 200, 200, 200, 200],
    "flag": [302, 200, 200, 200, 200],
    "edit_other": [302, 403, 403, 403, 403],
    "withdraw_other": [302, 403, 403, 403, 403],
    "moderate_queue": [302, 302, 302, 200, 302],  # Wagtail turns PermissionDenied into a redirect to /admin/
    "api_contributions": [200, 200, 200, 200, 200],
    "export_public": [200, 200, 200, 200, 200],
    "export_staff": [302, 403, 403, 200, 200],
}


@pytest.fixture
def actor(request, client, alice, asso_member, organisation, moderator, editor):
    role = request.param
    user = {"anonymous": None, "citizen": alice, "asso_member": asso_member, "moderator": moderator, "editor": editor}[
        role
    ]
    if user:
        client.force_login(user)
    return role, user


@pytest.fixture
def target(bob, section):
    from consult import services

    return services.create_contribution(bob, section, "Avis de Bob", "pour", no_interests=True)[0]


def perform(client, action, target):
    c = target
    section_url = reverse("consult:section", args=[c.consultation_id, c.section.anchor])
    if action == "view_section":
        return client.get(section_url)
    if action == "view_fragment":
        return client.get(reverse("consult:contribution_fragment", args=[c.pk]))
    if action == "post":
        return client.post(reverse("consult:post", args=[c.consultation_id, c.section.anchor]), post_data(), **FETCH)
    if action == "reply":
        return client.post(reverse("consult:reply", args=[c.pk]), post_data(stance=""), **FETCH)
    if action == "vote":
        return client.post(reverse("consult:vote", args=[c.pk]), {"value": 1}, **FETCH)
    if action == "flag":
        return client.post(reverse("consult:flag", args=[c.pk]), {"reason": "spam"}, **FETCH)
    if action == "edit_other":
        return client.post(reverse("consult:edit", args=[c.pk]), {"body": "Texte modifié"}, **FETCH)
    if action == "withdraw_other":
        return client.post(reverse("consult:withdraw", args=[c.pk]), **FETCH)
    if action == "moderate_queue":
        return client.get(reverse("consult_admin_queue"))
    if action == "api_contributions":
        return client.get(reverse("consult:api_contributions", args=[c.consultation_id]))
    if action == "export_public":
        return client.get(reverse("consult:export", args=[c.consultation_id, "csv"]))
    if action == "export_staff":
        return client.get(reverse("consult:export_staff", args=[c.consultation_id, "csv"]))
    raise AssertionError(action)


@pytest.mark.parametrize("actor", ROLES, indirect=True)
@pytest.mark.parametrize("action", list(MATRIX))
def test_role_action_matrix(client, actor, action, target):
    role, _ = actor
    expected = MATRIX[action][ROLES.index(role)]
    response = perform(client, action, target)
    assert response.status_code == expected, (role, action, response.status_code)


@pytest.mark.parametrize("actor", ROLES[1:], indirect=True)
def test_everyone_edits_and_withdraws_their_own_contribution(client, actor, section):
    role, user = actor
    from consult import services

    own = services.create_contribution(user, section, "Mon avis", "pour", no_interests=True)[0]
    response = client.post(reverse("consult:edit", args=[own.pk]), {"body": "Mon avis corrigé"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.body == "Mon avis corrigé" and own.revisions.get().body == "Mon avis"
    assert client.post(reverse("consult:withdraw", args=[own.pk])).status_code == 302
    own.refresh_from_db()
    assert own.status == Contribution.STATUS_WITHDRAWN


def test_edit_after_the_window_is_refused(client, alice, section, settings):
    from consult import services

    own = services.create_contribution(alice, section, "Mon avis", "pour", no_interests=True)[0]
    settings.CONSULT_EDIT_WINDOW_MINUTES = 0
    Contribution.objects.filter(pk=own.pk).update(created_at=own.created_at.replace(year=own.created_at.year - 1))
    own.refresh_from_db()
    assert not rules.can_edit(alice, own)
    client.force_login(alice)
    response = client.post(reverse("consult:edit", args=[own.pk]), {"body": "Trop tard"})
    assert response.status_code == 403
    assert "Trop tard" in response.content.decode()  # the text typed is kept in the form


def test_vote_is_unique_and_changeable(bob, alice, target):
    from consult import services

    services.vote(alice, target, 1)
    services.vote(alice, target, 1)
    target.refresh_from_db()
    assert (target.votes_up, target.votes_down) == (1, 0)
    services.vote(alice, target, -1)
    target.refresh_from_db()
    assert (target.votes_up, target.votes_down) == (0, 1)
    services.vote(alice, target, 0)
    target.refresh_from_db()
    assert (target.votes_up, target.votes_down) == (0, 0)


def test_voting_on_ones_own_contribution_is_refused(bob, target):
    from consult import services

    with pytest.raises(services.ConsultError):
        services.vote(bob, target, 1)


@pytest.mark.parametrize("state", ["closed", "upcoming"])
@pytest.mark.parametrize("predicate", ["can_post", "can_reply", "can_vote", "can_edit", "can_withdraw"])
def test_writes_are_refused_outside_the_dates(consultation_factory, alice, bob, state, predicate):
    from tests.consult.conftest import force_create

    consultation = consultation_factory(state=state)
    contribution = force_create(alice, consultation.sections.first())
    contribution.consultation = consultation
    who = alice if predicate in ("can_edit", "can_withdraw") else bob
    fn = getattr(rules, predicate)
    subject = consultation if predicate == "can_post" else contribution
    if predicate == "can_withdraw" and state == "upcoming":
        return  # cannot exist: nobody posts before the opening
    assert fn(who, subject) is False
