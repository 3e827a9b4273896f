"""Posting contributions over HTTP: without JavaScript (redirect) and with fetch (JSON), idempotency, refusals."""

import re

import pytest
from django.urls import reverse

from consult.models import ConsultationPage, Contribution
from tests.consult.conftest import post_data

FETCH = {"HTTP_ACCEPT": "application/json", "HTTP_X_REQUESTED_WITH": "fetch"}


def post_url(section):
    return reverse("consult:post", args=[section.page_id, section.anchor])


def test_plain_post_publishes_and_redirects_to_the_anchor(
    citizen_client, section, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen_client.post(post_url(section), post_data())
    contribution = Contribution.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#contribution-{contribution.pk}")
    assert contribution.status == Contribution.STATUS_PUBLISHED
    assert re.fullmatch(r"C-\d{4}-\d{6}", contribution.receipt_number)
    assert '<a href="https://example.org/rapport" rel="nofollow ugc noopener">' in contribution.body_html
    assert len(mailoutbox) == 1 and contribution.receipt_number in mailoutbox[0].subject
    page = citizen_client.get(response["Location"])
    assert contribution.receipt_number in page.content.decode()


def test_fetch_post_returns_json_with_receipt_and_fragment(citizen_client, section):
    response = citizen_client.post(post_url(section), post_data(idempotency_key="abc"), **FETCH)
    assert response.status_code == 201
    data = response.json()
    assert data["ok"] and data["receipt_number"].startswith("C-")
    assert f'id="contribution-{data["contribution"]["id"]}"' in data["html"]
    assert data["contribution"]["receipt_number"] == data["receipt_number"]


def test_same_post_replayed_five_times_yields_one_contribution_and_the_same_receipt(citizen_client, section):
    data = post_data(idempotency_key="replay-123")
    receipts = {citizen_client.post(post_url(section), data, **FETCH).json()["receipt_number"] for _ in range(5)}
    assert Contribution.objects.count() == 1
    assert receipts == {Contribution.objects.get().receipt_number}


def test_same_plain_post_replayed_redirects_to_the_same_contribution(citizen_client, section):
    data = post_data(idempotency_key="replay-plain")
    locations = {citizen_client.post(post_url(section), data)["Location"] for _ in range(5)}
    assert len(locations) == 1 and Contribution.objects.count() == 1


@pytest.mark.parametrize("state,text", [("closed", "close"), ("upcoming", "pas encore ouverte")])
def test_posting_outside_the_dates_is_refused_and_keeps_the_text(client, alice, consultation_factory, state, text):
    consultation = consultation_factory(state=state)
    section = consultation.sections.first()
    client.force_login(alice)
    response = client.post(post_url(section), post_data(body="Mon texte soigneusement rédigé"))
    assert response.status_code == 403
    content = response.content.decode()
    assert text in content
    assert "Mon texte soigneusement rédigé" in content
    assert Contribution.objects.count() == 0


def test_posting_outside_the_dates_is_refused_in_json(citizen_client, consultation_factory):
    section = consultation_factory(state="closed").sections.first()
    response = citizen_client.post(post_url(section), post_data(), **FETCH)
    assert response.status_code == 403 and "close" in response.json()["message"]


def test_anonymous_post_redirects_to_login(client, section):
    response = client.post(post_url(section), post_data())
    assert response.status_code == 302 and "connexion" in response["Location"] or "login" in response["Location"]
    assert Contribution.objects.count() == 0


def test_honeypot_filled_is_refused(citizen_client, section):
    response = citizen_client.post(post_url(section), post_data(website_url="http://spam.example"))
    assert response.status_code == 400 and Contribution.objects.count() == 0


def test_form_sent_too_fast_is_refused_and_keeps_the_text(citizen_client, section, settings):
    settings.CONSULT_MIN_FILL_SECONDS = 3600
    response = citizen_client.post(post_url(section), post_data(body="Texte gardé"))
    assert response.status_code == 400
    assert "trop rapide" in response.content.decode() and "Texte gardé" in response.content.decode()
    assert Contribution.objects.count() == 0


def test_missing_stance_and_interests_are_refused_with_messages(citizen_client, section):
    response = citizen_client.post(post_url(section), post_data(stance="", no_interests=""))
    content = response.content.decode()
    assert response.status_code == 400
    assert "Indiquez votre position" in content and "liens d&#x27;intérêts" in content


def test_too_long_body_is_refused(citizen_client, section):
    response = citizen_client.post(post_url(section), post_data(body="x" * 5001))
    assert response.status_code == 400 and Contribution.objects.count() == 0


def test_markup_is_escaped_never_rendered(citizen_client, section):
    citizen_client.post(post_url(section), post_data(body='<script>alert(1)</script><b onclick="x">gras</b>'))
    html = Contribution.objects.get().body_html
    assert "<script" not in html and "<b" not in html and "&lt;script&gt;" in html


def test_a_priori_consultation_keeps_the_contribution_pending(client, alice, consultation_factory):
    consultation = consultation_factory(mode=ConsultationPage.MODERATION_A_PRIORI)
    client.force_login(alice)
    response = client.post(post_url(consultation.sections.first()), post_data(), **FETCH)
    assert response.json()["contribution"]["status"] == Contribution.STATUS_PENDING
    assert "après relecture" in response.json()["message"]


def test_member_speaks_for_verified_association(client, asso_member, organisation, section):
    client.force_login(asso_member)
    client.post(post_url(section), post_data(organisation=organisation.pk))
    contribution = Contribution.objects.get()
    assert contribution.organisation == organisation
    page = client.get(contribution.get_absolute_url()).content.decode()
    assert "Association A" in page and "association vérifiée" in page


def test_non_member_cannot_speak_for_an_association(citizen_client, alice, organisation, section):
    citizen_client.post(post_url(section), post_data(organisation=organisation.pk))
    assert Contribution.objects.get().organisation is None  # the field is not offered, the value is ignored


def test_service_refuses_speaking_for_an_association_one_does_not_belong_to(alice, organisation, section):
    from consult import services

    with pytest.raises(services.ConsultError):
        services.create_contribution(alice, section, "Texte", "pour", organisation=organisation, no_interests=True)


def test_posting_is_rate_limited(citizen_client, section, settings):
    settings.CONSULT_RATES = {
        "post": ("2/m", "100/m"),
        "vote": ("60/m", "60/m"),
        "flag": ("9/m", "9/m"),
        "follow": ("9/m", "9/m"),
    }
    statuses = [
        citizen_client.post(post_url(section), post_data(idempotency_key=f"k{i}")).status_code for i in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_reply_without_javascript_nests_under_its_parent(client, alice, bob, section, contribution_factory):
    parent = contribution_factory(alice, section)
    client.force_login(bob)
    assert client.get(reverse("consult:reply", args=[parent.pk])).status_code == 200
    response = client.post(reverse("consult:reply", args=[parent.pk]), post_data(stance="", no_interests=""))
    reply = Contribution.objects.exclude(pk=parent.pk).get()
    assert response.status_code == 302 and reply.parent == parent and reply.depth == 1 and reply.root == parent


def test_replies_deeper_than_two_levels_attach_to_the_level_two_parent(alice, bob, section, contribution_factory):
    root = contribution_factory(alice, section)
    level1 = contribution_factory(bob, section, parent=root)
    level2 = contribution_factory(alice, section, parent=level1)
    level3 = contribution_factory(bob, section, parent=level2)
    assert level2.depth == 2
    assert level3.parent == level1 and level3.depth == 2 and level3.root == root
