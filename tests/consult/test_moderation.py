"""Moderation: one test per allowed and refused transition, flags threshold, blocks, the admin queue."""

import pytest
from django.urls import reverse

from consult import services
from consult.models import ConsultationEvent, ConsultationPage, Contribution, ParticipationBlock
from tests.consult.conftest import force_create


@pytest.fixture
def published(alice, section):
    return services.create_contribution(alice, section, "Un avis publié", "pour", no_interests=True)[0]


@pytest.fixture
def pending(alice, consultation_factory):
    section = consultation_factory(mode=ConsultationPage.MODERATION_A_PRIORI).sections.first()
    return services.create_contribution(alice, section, "Un avis en attente", "pour", no_interests=True)[0]


def test_moderator_publishes_a_pending_contribution(moderator, pending, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(moderator, pending)
    pending.refresh_from_db()
    assert pending.status == Contribution.STATUS_PUBLISHED and pending.moderated_by == moderator
    assert ConsultationEvent.objects.filter(kind=ConsultationEvent.KIND_PUBLISHED, audience="public").exists()
    assert any("publiée" in m.subject for m in mailoutbox)


def test_moderator_restores_a_hidden_contribution(moderator, published):
    services.hide(moderator, published, "erreur")
    services.publish(moderator, published)
    published.refresh_from_db()
    assert published.status == Contribution.STATUS_PUBLISHED and published.hidden_reason == ""


def test_publishing_an_already_published_contribution_is_refused(moderator, published):
    with pytest.raises(services.ConsultError):
        services.publish(moderator, published)


def test_publishing_a_withdrawn_contribution_is_refused(moderator, alice, published):
    services.withdraw_contribution(alice, published)
    with pytest.raises(services.ConsultError):
        services.publish(moderator, published)


def test_moderator_hides_a_published_contribution_with_a_public_reason(
    moderator, published, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.hide(moderator, published, "propos injurieux")
    published.refresh_from_db()
    assert published.status == Contribution.STATUS_HIDDEN and published.hidden_reason == "propos injurieux"
    assert any("masquée" in m.subject and "propos injurieux" in m.body for m in mailoutbox)
    event = ConsultationEvent.objects.filter(kind=ConsultationEvent.KIND_HIDDEN).get()
    assert event.audience == ConsultationEvent.AUDIENCE_PUBLIC


def test_moderator_hides_a_pending_contribution(moderator, pending):
    services.hide(moderator, pending, "hors sujet")
    pending.refresh_from_db()
    assert pending.status == Contribution.STATUS_HIDDEN


def test_moderator_confirms_hiding_after_flags(moderator, published, bob, user_factory, settings):
    settings.CONSULT_FLAGS_TO_HIDE = 1
    services.flag(bob, published, "spam")
    published.refresh_from_db()
    assert published.status == Contribution.STATUS_HIDDEN and published.moderated_by is None
    services.hide(moderator, published, "spam")
    published.refresh_from_db()
    assert published.moderated_by == moderator and published.flags.filter(resolved_at__isnull=True).count() == 0


def test_hiding_an_already_hidden_contribution_is_refused(moderator, published):
    services.hide(moderator, published, "spam")
    with pytest.raises(services.ConsultError):
        services.hide(moderator, published, "autre motif")


def test_hiding_a_withdrawn_contribution_is_refused(moderator, alice, published):
    services.withdraw_contribution(alice, published)
    with pytest.raises(services.ConsultError):
        services.hide(moderator, published, "spam")


def test_hiding_without_a_reason_is_refused(moderator, published):
    with pytest.raises(services.ConsultError):
        services.hide(moderator, published, "  ")


@pytest.mark.parametrize("who", ["bob", "editor"])
def test_non_moderators_cannot_publish_or_hide(request, who, published):
    person = request.getfixturevalue(who)
    with pytest.raises(services.ConsultError):
        services.hide(person, published, "spam")
    with pytest.raises(services.ConsultError):
        services.publish(person, published)


def test_three_flags_hide_a_contribution_pending_review(published, user_factory):
    for i in range(3):
        services.flag(user_factory(f"f{i}@example.org", f"F{i}"), published, "spam")
    published.refresh_from_db()
    assert published.status == Contribution.STATUS_HIDDEN and published.flags_count == 3
    assert Contribution.objects.moderation_queue().filter(pk=published.pk).exists()


def test_two_flags_do_not_hide(published, user_factory):
    for i in range(2):
        services.flag(user_factory(f"f{i}@example.org", f"F{i}"), published, "spam")
    published.refresh_from_db()
    assert published.status == Contribution.STATUS_PUBLISHED


def test_flagging_twice_is_refused(published, bob):
    services.flag(bob, published, "spam")
    with pytest.raises(services.ConsultError):
        services.flag(bob, published, "abuse")


def test_flag_other_requires_a_text(published, bob):
    with pytest.raises(services.ConsultError):
        services.flag(bob, published, "other", "")


def test_blocked_user_can_no_longer_post(moderator, alice, section, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.block_user(moderator, alice, "insultes répétées")
    assert ParticipationBlock.objects.filter(user=alice).exists()
    alice = type(alice).objects.get(pk=alice.pk)
    with pytest.raises(services.ConsultError, match="suspendue"):
        services.create_contribution(alice, section, "Texte", "pour", no_interests=True)
    assert any("suspendue" in m.subject for m in mailoutbox)


def test_blocking_twice_is_refused(moderator, alice):
    services.block_user(moderator, alice, "motif")
    with pytest.raises(services.ConsultError):
        services.block_user(moderator, alice, "motif")


def test_blocking_needs_a_reason_and_a_moderator(moderator, bob, alice):
    with pytest.raises(services.ConsultError):
        services.block_user(moderator, alice, "")
    with pytest.raises(services.ConsultError):
        services.block_user(bob, alice, "motif")


def test_moderation_queue_lists_pending_and_flag_hidden(client, moderator, pending, published):
    client.force_login(moderator)
    response = client.get(reverse("consult_admin_queue"))
    content = response.content.decode()
    assert response.status_code == 200
    assert pending.receipt_number in content and published.receipt_number not in content


def test_moderation_queue_bulk_publish_and_hide(client, moderator, pending, published):
    client.force_login(moderator)
    client.post(reverse("consult_admin_queue"), {"ids": [published.pk], "action": "hide", "reason": "spam"})
    client.post(reverse("consult_admin_queue"), {"ids": [pending.pk], "action": "publish"})
    published.refresh_from_db()
    pending.refresh_from_db()
    assert published.status == Contribution.STATUS_HIDDEN and published.hidden_reason == "spam"
    assert pending.status == Contribution.STATUS_PUBLISHED


def test_bulk_hide_without_reason_changes_nothing(client, moderator, published):
    client.force_login(moderator)
    client.post(reverse("consult_admin_queue"), {"ids": [published.pk], "action": "hide", "reason": ""})
    published.refresh_from_db()
    assert published.status == Contribution.STATUS_PUBLISHED


@pytest.mark.parametrize("who,status", [("alice", 302), ("editor", 403), ("reviewer", 403)])
def test_moderation_queue_is_for_moderators_only(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("consult_admin_queue")).status_code in (status, 302)
    response = client.post(reverse("consult_admin_queue"), {"ids": [], "action": "publish"})
    assert response.status_code in (302, 403)


def test_block_from_the_admin(client, moderator, alice):
    client.force_login(moderator)
    client.post(reverse("consult_admin_block", args=[alice.pk]), {"reason": "spam répété"})
    assert ParticipationBlock.objects.filter(user=alice, reason="spam répété").exists()


def test_campaign_groups_identical_texts_from_distinct_accounts(alice, bob, section):
    text = "Je demande que mes données de santé ne soient jamais vendues à des entreprises privées, merci."
    first, _ = services.create_contribution(alice, section, text, "pour", no_interests=True)
    second, _ = services.create_contribution(bob, section, text.upper().replace(",", " ;"), "pour", no_interests=True)
    first.refresh_from_db()
    assert first.campaign is not None and first.campaign == second.campaign and first.campaign.size == 2


def test_same_text_twice_by_one_account_is_not_a_campaign(alice, section):
    text = "Je demande que mes données de santé ne soient jamais vendues à des entreprises privées, merci."
    services.create_contribution(alice, section, text, "pour", no_interests=True)
    second, _ = services.create_contribution(alice, section, text, "pour", no_interests=True)
    assert second.campaign is None


def test_campaign_and_synthesis_admin_views_render(client, moderator, editor, alice, bob, section):
    text = "Je demande que mes données de santé ne soient jamais vendues à des entreprises privées, merci."
    services.create_contribution(alice, section, text, "pour", no_interests=True)
    services.create_contribution(bob, section, text, "pour", no_interests=True)
    client.force_login(moderator)
    assert "entreprises privées" in client.get(reverse("consult_admin_campaigns")).content.decode()
    client.force_login(editor)
    draft = client.get(reverse("consult_admin_synthesis_draft", args=[section.page_id])).content.decode()
    assert "Participation" in draft and "campagne" in draft
    assert client.get(reverse("consult_admin_syntheses")).status_code == 200


def test_closed_consultation_threads_are_read_only(client, alice, bob, consultation_factory):
    section = consultation_factory(state="closed").sections.first()
    contribution = force_create(alice, section, "Ancien avis")
    with pytest.raises(services.ConsultError):
        services.vote(bob, contribution, 1)
    with pytest.raises(services.ConsultError):
        services.create_contribution(bob, section, "Réponse", parent=contribution)
    client.force_login(bob)
    page = client.get(contribution.get_absolute_url()).content.decode()
    assert "contribution-form" not in page and "Répondre" not in page and "est close" in page
