"""Pending (a priori) and hidden contributions: visible only to their author and moderators, everywhere."""

import json

import pytest
from django.urls import reverse

from consult import services
from consult.models import ConsultationPage, Contribution

SECRET = "Texte en attente de relecture très reconnaissable"


@pytest.fixture
def pending(alice, consultation_factory):
    consultation = consultation_factory(mode=ConsultationPage.MODERATION_A_PRIORI)
    section = consultation.sections.first()
    contribution, _ = services.create_contribution(alice, section, SECRET, "pour", no_interests=True)
    assert contribution.status == Contribution.STATUS_PENDING
    return contribution


def urls(c):
    return {
        "section": reverse("consult:section", args=[c.consultation_id, c.section.anchor]),
        "api": reverse("consult:api_contributions", args=[c.consultation_id]),
        "csv": reverse("consult:export", args=[c.consultation_id, "csv"]),
        "json": reverse("consult:export", args=[c.consultation_id, "json"]),
        "rss": reverse("consult:contributions_rss", args=[c.consultation_id]),
    }


def body_of(response):
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("where", ["section", "api", "csv", "json", "rss"])
def test_pending_is_invisible_to_anonymous_and_other_citizens(client, bob, pending, where):
    url = urls(pending)[where]
    assert SECRET not in body_of(client.get(url))
    client.force_login(bob)
    assert SECRET not in body_of(client.get(url))


@pytest.mark.parametrize("where", ["section", "api"])
def test_pending_is_visible_to_its_author_and_moderators(client, alice, moderator, pending, where):
    url = urls(pending)[where]
    client.force_login(alice)
    assert SECRET in body_of(client.get(url))
    client.force_login(moderator)
    assert SECRET in body_of(client.get(url))


@pytest.mark.parametrize("where", ["csv", "json", "rss"])
def test_public_exports_and_feeds_never_carry_pending_even_for_the_author(client, alice, pending, where):
    client.force_login(alice)
    assert SECRET not in body_of(client.get(urls(pending)[where]))


def test_fragment_of_pending_is_404_for_others(client, bob, pending, alice):
    url = reverse("consult:contribution_fragment", args=[pending.pk])
    assert client.get(url).status_code == 404
    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.force_login(alice)
    assert SECRET in client.get(url).content.decode()


def test_public_queryset_for_search_excludes_pending_and_hidden(pending, moderator, section, bob):
    shown, _ = services.create_contribution(bob, section, "Publique", "pour", no_interests=True)
    hidden, _ = services.create_contribution(bob, section, "À masquer", "contre", no_interests=True)
    services.hide(moderator, hidden, "hors sujet")
    assert list(Contribution.objects.public()) == [shown]


def test_hidden_contribution_shows_a_tombstone_with_the_reason(client, alice, moderator, section):
    contribution, _ = services.create_contribution(alice, section, "Texte injurieux", "contre", no_interests=True)
    services.hide(moderator, contribution, "propos injurieux")
    page = client.get(contribution.get_absolute_url()).content.decode()
    assert "Contribution masquée par la modération : propos injurieux" in page
    assert "Texte injurieux" not in page
    client.force_login(alice)
    assert "Texte injurieux" in client.get(contribution.get_absolute_url()).content.decode()  # its author still sees it
    api = client.logout() or client.get(reverse("consult:api_contributions", args=[section.page_id])).json()
    assert all("injurieux" not in json.dumps(item) for item in api["results"])


def test_serializer_gives_the_receipt_only_to_author_and_moderators(alice, bob, moderator, section):
    from consult.serializers import contribution_to_dict

    contribution, _ = services.create_contribution(alice, section, "Texte", "pour", no_interests=True)
    assert "receipt_number" in contribution_to_dict(contribution, alice)
    assert "receipt_number" in contribution_to_dict(contribution, moderator)
    assert "receipt_number" not in contribution_to_dict(contribution, bob)
    assert "receipt_number" not in contribution_to_dict(contribution, None)
