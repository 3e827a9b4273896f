"""Consultation fixtures: an index page, consultations in each state, and a contribution factory."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consult import services
from consult.models import ConsultationIndexPage, ConsultationPage, Contribution, Section


@pytest.fixture
def consultation_index(home_page):
    existing = ConsultationIndexPage.objects.first()
    if existing:
        return existing
    index = ConsultationIndexPage(title="Consultations", slug="consultations", intro="Donnez votre avis.")
    home_page.add_child(instance=index)
    index.save_revision().publish()
    return index


@pytest.fixture
def consultation_factory(consultation_index):
    counter = {"n": 0}

    def make(state="open", mode=ConsultationPage.MODERATION_A_POSTERIORI, sections=2, **fields):
        counter["n"] += 1
        now = timezone.now()
        opens, closes = {
            "open": (now - timedelta(days=5), now + timedelta(days=10)),
            "upcoming": (now + timedelta(days=5), now + timedelta(days=30)),
            "closed": (now - timedelta(days=40), now - timedelta(days=2)),
        }[state]
        page = ConsultationPage(
            title=fields.pop("title", f"Consultation {counter['n']}"),
            slug=f"consultation-{counter['n']}",
            summary=fields.pop("summary", "Résumé de la consultation."),
            opens_at=opens,
            closes_at=closes,
            moderation_mode=mode,
            directorate="DNS",
            **fields,
        )
        for i in range(sections):
            page.sections.add(
                Section(
                    title=f"Section {i + 1}",
                    body=f"<p>Texte de la section {i + 1}.</p>",
                    anchor=f"section-{i + 1}",
                    sort_order=i,
                )
            )
        consultation_index.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        return page

    return make


@pytest.fixture
def consultation(consultation_factory):
    return consultation_factory()


@pytest.fixture
def section(consultation):
    return consultation.sections.order_by("sort_order").first()


@pytest.fixture
def contribution_factory(db):
    counter = {"n": 0}

    def make(author, section, body=None, stance=Contribution.STANCE_FOR, parent=None, **kwargs):
        counter["n"] += 1
        kwargs.setdefault("no_interests", parent is None)
        contribution, _ = services.create_contribution(
            author,
            section,
            body or f"Contribution numéro {counter['n']} sur la section.",
            stance=stance if parent is None else "",
            parent=parent,
            **kwargs,
        )
        return contribution

    return make


def force_create(author, section, body="Texte", status=Contribution.STATUS_PUBLISHED, parent=None, **fields):
    """Insert without the service (to set up states the service would refuse, e.g. in a closed consultation)."""
    c = Contribution.objects.create(
        consultation_id=section.page_id,
        section=section,
        author=author,
        body=body,
        status=status,
        parent=parent,
        depth=(parent.depth + 1) if parent else 0,
        root=(parent.root if parent else None),
        stance="" if parent else Contribution.STANCE_FOR,
        **fields,
    )
    if parent is None:
        c.root = c
        c.save(update_fields=["root"])
    c.receipt_number = f"C-2026-{c.pk:06d}"
    c.save(update_fields=["receipt_number"])
    return c


@pytest.fixture(autouse=True)
def _instant_forms(settings):
    # The minimum fill time is tested on its own (test_posting); other tests submit at once.
    settings.CONSULT_MIN_FILL_SECONDS = 0


def post_data(**overrides):
    from consult.forms import new_form_token

    data = {
        "body": "Je soutiens cette proposition.\n\nVoir https://example.org/rapport pour le détail.",
        "stance": "pour",
        "no_interests": "on",
        "idempotency_key": "",
        "rendered_at": new_form_token(),
        "website_url": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def citizen_client(client, alice):
    client.force_login(alice)
    return client
