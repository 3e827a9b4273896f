"""Exports (CSV, JSON, XLSX), API, feeds, index/consultation pages, statistics, notifications, personal data."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consult import services
from consult.models import ConsultationPage, Follow


@pytest.fixture
def mixed(alice, bob, moderator, section):
    published = services.create_contribution(alice, section, "Avis public", "pour", no_interests=True)[0]
    hidden = services.create_contribution(bob, section, "Avis masqué secret", "contre", no_interests=True)[0]
    services.hide(moderator, hidden, "hors sujet")
    withdrawn = services.create_contribution(bob, section, "Avis retiré secret", "contre", no_interests=True)[0]
    services.withdraw_contribution(bob, withdrawn)
    return published, hidden, withdrawn


def streamed(response):
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_csv_export_has_only_published_rows_with_pseudonyms(client, mixed, alice, section):
    published, *_ = mixed
    text = streamed(client.get(reverse("consult:export", args=[section.page_id, "csv"])))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["id"]) for r in rows] == [published.pk]
    assert rows[0]["author"].startswith("P-") and str(alice.pk) != rows[0]["author"]
    assert "secret" not in text and alice.email not in text and "Alice" not in text
    assert "receipt_number" not in rows[0]


def test_pseudonym_is_stable_within_a_consultation_and_differs_across(alice, consultation_factory):
    from consult.exports import Pseudonymiser

    a, b = consultation_factory(), consultation_factory()
    assert Pseudonymiser(a.pk)(alice.pk) == Pseudonymiser(a.pk)(alice.pk)
    assert Pseudonymiser(a.pk)(alice.pk) != Pseudonymiser(b.pk)(alice.pk)


def test_json_export_is_valid_and_excludes_hidden(client, mixed, section):
    data = json.loads(streamed(client.get(reverse("consult:export", args=[section.page_id, "json"]))))
    assert [c["body"] for c in data["contributions"]] == ["Avis public"]
    assert data["meta"]["fields"][0] == "id"


def test_xlsx_export_opens_with_openpyxl(client, mixed, section):
    from openpyxl import load_workbook

    response = client.get(reverse("consult:export", args=[section.page_id, "xlsx"]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "id" and len(rows) == 2 and "Avis public" in rows[1]


def test_unknown_export_format_is_404(client, section):
    assert client.get(reverse("consult:export", args=[section.page_id, "pdf"])).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_the_export_of_a_consultation_restricted_to_signed_in_users_is_not_found_anonymously(
    client, alice, mixed, section, fmt
):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=section.page, restriction_type=PageViewRestriction.LOGIN)
    url = reverse("consult:export", args=[section.page_id, fmt])
    assert client.get(url).status_code == 404
    client.force_login(alice)
    assert client.get(url).status_code == 200


def test_staff_export_has_every_status_and_moderation_fields(client, moderator, mixed, section):
    client.force_login(moderator)
    text = streamed(client.get(reverse("consult:export_staff", args=[section.page_id, "csv"])))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["status"] for r in rows} == {"published", "hidden", "withdrawn"}
    assert any(r["hidden_reason"] == "hors sujet" for r in rows) and rows[0]["receipt_number"].startswith("C-")


def test_api_lists_consultations_sections_and_published_contributions(client, mixed, section):
    consultations = client.get(reverse("consult:api_consultations")).json()
    assert consultations["count"] == 1 and consultations["results"][0]["contributions_count"] == 1
    detail = client.get(reverse("consult:api_consultation", args=[section.page_id])).json()
    assert [s["anchor"] for s in detail["sections"]] == ["section-1", "section-2"]
    sections = client.get(reverse("consult:api_sections", args=[section.page_id])).json()
    assert sections["count"] == 2
    contributions = client.get(reverse("consult:api_contributions", args=[section.page_id])).json()
    assert [c["body_html"] for c in contributions["results"]] == ["<p>Avis public</p>"]


def test_api_is_paginated(client, alice, section):
    for i in range(3):
        services.create_contribution(alice, section, f"Avis {i}", "pour", no_interests=True)
    page = client.get(reverse("consult:api_contributions", args=[section.page_id]) + "?page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    last = client.get(page["next"]).json()
    assert len(last["results"]) == 1 and last["next"] is None


def test_feeds_list_live_consultations_and_published_contributions(client, mixed, section):
    rss = client.get(reverse("consult:feed_rss")).content.decode()
    atom = client.get(reverse("consult:feed_atom")).content.decode()
    assert "Consultation 1" in rss and "<feed" in atom
    contributions = client.get(reverse("consult:contributions_rss", args=[section.page_id])).content.decode()
    assert "Avis public" in contributions and "secret" not in contributions


def test_index_page_filters_by_status_and_shows_counts(client, consultation_factory, alice):
    open_one = consultation_factory(title="Ouverte")
    consultation_factory(state="closed", title="Fermée")
    consultation_factory(state="upcoming", title="Prochaine")
    services.create_contribution(alice, open_one.sections.first(), "Avis", "pour", no_interests=True)
    index_url = open_one.get_parent().url
    everything = client.get(index_url).content.decode()
    assert "Ouverte" in everything and "Fermée" in everything and "Prochaine" in everything
    assert "1 contribution" in everything
    only_open = client.get(index_url + "?statut=en-cours").content.decode()
    assert "Ouverte" in only_open and "Fermée" not in only_open
    assert "Fermée" in client.get(index_url + "?statut=terminees").content.decode()
    assert "Prochaine" in client.get(index_url + "?statut=a-venir").content.decode()


def test_consultation_page_shows_section_counts_and_stances(client, alice, bob, section):
    services.create_contribution(alice, section, "Pour", "pour", no_interests=True)
    services.create_contribution(bob, section, "Contre", "contre", no_interests=True)
    page = client.get(section.page.url).content.decode()
    assert "2 contributions publiées" in page and "pour 1" in page and "contre 1" in page


def test_statistics_page_renders_tables(client, alice, section):
    services.create_contribution(alice, section, "Avis", "mitige", no_interests=True)
    page = client.get(reverse("consult:statistics", args=[section.page_id])).content.decode()
    assert "Contributions par jour" in page and "<table" in page and "mitigé" in page


def test_reply_notifies_the_parent_author(alice, bob, section, mailoutbox, django_capture_on_commit_callbacks):
    parent = services.create_contribution(alice, section, "Avis", "pour", no_interests=True)[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.create_contribution(bob, section, "Réponse", parent=parent)
    assert any(m.to == [alice.email] and "réponse" in m.subject.lower() for m in mailoutbox)


def test_follow_and_unfollow(client, alice, section):
    client.force_login(alice)
    client.post(reverse("consult:follow", args=[section.page_id]), {"follow": "1"})
    assert Follow.objects.filter(user=alice).exists()
    client.post(reverse("consult:follow", args=[section.page_id]), {"follow": "0"})
    assert not Follow.objects.filter(user=alice).exists()


def test_closing_notification_command_is_idempotent(
    alice, consultation_factory, mailoutbox, django_capture_on_commit_callbacks
):
    soon = consultation_factory()
    ConsultationPage.objects.filter(pk=soon.pk).update(closes_at=timezone.now() + timedelta(days=2))
    Follow.objects.create(user=alice, consultation=soon)
    later = consultation_factory()
    Follow.objects.create(user=alice, consultation=later)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("consult_notify_closing", stdout=io.StringIO())
        call_command("consult_notify_closing", stdout=io.StringIO())
    assert len(mailoutbox) == 1 and "bientôt" in mailoutbox[0].subject


def test_publishing_the_synthesis_notifies_followers_once(
    alice, editor, consultation_factory, mailoutbox, django_capture_on_commit_callbacks
):
    from wagtail.signals import page_published  # noqa: F401  (hook runs on publish through the admin)

    consultation = consultation_factory(state="closed")
    Follow.objects.create(user=alice, consultation=consultation)
    consultation.synthesis = "<p>Synthèse</p>"
    consultation.synthesis_published_at = timezone.now()
    consultation.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_synthesis(consultation) == 1
        assert services.notify_synthesis(consultation) == 0
    assert len(mailoutbox) == 1 and "Synthèse publiée" in mailoutbox[0].subject


def test_published_synthesis_and_outcomes_show_on_the_page(client, consultation_factory):
    consultation = consultation_factory(state="closed")
    section = consultation.sections.first()
    section.outcome, section.outcome_motivation = "retenu", "Parce que."
    section.save()
    consultation.synthesis = "<p>Notre synthèse</p>"
    consultation.synthesis_published_at = timezone.now()
    consultation.save_revision().publish()
    page = client.get(consultation.url).content.decode()
    assert "Notre synthèse" in page and "Suite donnée" in page and "retenu" in page


def test_personal_data_export_includes_consultation_activity(alice, bob, section):
    from accounts.services import export_personal_data

    own = services.create_contribution(alice, section, "Mon avis", "pour", no_interests=True)[0]
    other = services.create_contribution(bob, section, "Avis de Bob", "pour", no_interests=True)[0]
    services.vote(alice, other, 1)
    services.flag(alice, other, "spam")
    data = export_personal_data(alice)["consultations"]
    assert data["contributions"][0]["recepisse"] == own.receipt_number
    assert len(data["votes"]) == 1 and len(data["signalements"]) == 1


def test_home_page_shows_open_consultations(client, consultation_factory):
    consultation_factory(title="Consultation ouverte à la une")
    assert "Consultation ouverte à la une" in client.get("/").content.decode()


def test_demo_loader_is_idempotent(home_page, db):
    from consult import demo
    from consult.models import Contribution
    from core import demo as core_demo

    context = core_demo.load()
    demo.load(context=context)
    count = Contribution.objects.count()
    demo.load(context=context)
    assert Contribution.objects.count() == count >= 55


def test_postgresql_csv_path_matches_the_python_path(client, mixed, section, organisation, asso_member):
    from django.db import connection

    from consult.exports import PUBLIC_FIELDS, csv_stream, export_rows, pg_public_csv_stream

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    services.create_contribution(
        asso_member,
        section,
        'Avec "guillemets", virgules\n\net lignes',
        "mitige",
        organisation=organisation,
        interests="membre",
    )
    python = "".join(csv_stream(export_rows(section.page_id), PUBLIC_FIELDS))
    postgres = b"".join(pg_public_csv_stream(section.page_id)).decode()
    assert list(csv.reader(io.StringIO(postgres))) == list(csv.reader(io.StringIO(python)))
