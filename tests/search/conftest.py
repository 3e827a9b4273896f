"""Search fixtures: the engine parameter (database always, Elasticsearch when ELASTICSEARCH_URL is set) and a fixed
French corpus with one item in every public and non-public state of every content type."""

import os
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

ES_URL = os.environ.get("ELASTICSEARCH_URL", "")
NO_ES_REASON = "ELASTICSEARCH_URL is not set: Elasticsearch parameter skipped (make test-all runs it)"
# Word present only in non-public content: a search for it must always come back empty.
SECRET = "zorglub"


def pytest_report_header(config):
    return "search engines: database" + (f" + elasticsearch ({ES_URL})" if ES_URL else f" — {NO_ES_REASON}")


@pytest.fixture(autouse=True)
def _own_index_prefix(settings):
    """Whatever a search test does, it never touches the development indices (prefix "agora")."""
    from search import es

    settings.SEARCH_INDEX_PREFIX = f"test_{uuid.uuid4().hex[:12]}"
    es.reset_state()
    yield
    if ES_URL and settings.ELASTICSEARCH_URL == ES_URL:
        try:
            es.drop_all()
        except Exception:  # noqa: BLE001 - the node may be stopped on purpose
            pass
    es.reset_state()


@pytest.fixture(params=["database", "elasticsearch"])
def engine(request, settings):
    """Configure one engine for the test; Elasticsearch gets its own index prefix, dropped afterwards."""
    from search import es

    es.reset_state()
    if request.param == "elasticsearch":
        if not ES_URL:
            print(f"\n*** {NO_ES_REASON} ***")
            pytest.skip(NO_ES_REASON)
        settings.ELASTICSEARCH_URL = ES_URL
        settings.SEARCH_INDEX_PREFIX = f"test_{uuid.uuid4().hex[:12]}"
        settings.SEARCH_REFRESH = "wait_for"
        yield "elasticsearch"
        try:
            es.drop_all()
        finally:
            es.reset_state()
    else:
        settings.ELASTICSEARCH_URL = ""
        yield "database"
        es.reset_state()


@pytest.fixture
def es_only(engine):
    if engine != "elasticsearch":
        pytest.skip("Elasticsearch-only feature: the database engine degrades (tested separately)")
    return engine


def reindex():
    """Full rebuild of whatever engine is configured (what `search_rebuild` does)."""
    from search import indexing
    from search import settings as conf

    indexing.rebuild_database()
    if conf.es_url():
        indexing.rebuild_elasticsearch()


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def corpus(db, home_page, alice, bob, organisation, asso_admin):
    from consult.models import ConsultationIndexPage, ConsultationPage, Contribution, Section
    from core.models import ContentPage
    from livinglabs.models import LivingLabPage
    from livinglabs.services import ensure_index_page
    from projects.models import Application, ProjectCallIndexPage, ProjectCallPage

    now = timezone.now()
    items = {}
    c_index = _publish(home_page, ConsultationIndexPage(title="Consultations", slug="consultations"))

    def consultation(slug, title, summary, opens, closes, themes, sections, live=True):
        page = ConsultationPage(title=title, slug=slug, summary=summary, opens_at=opens, closes_at=closes)
        for i, (s_title, s_body) in enumerate(sections):
            page.sections.add(Section(title=s_title, body=f"<p>{s_body}</p>", anchor=f"s{i + 1}", sort_order=i))
        page.themes.add(*themes)
        c_index.add_child(instance=page)
        if live:
            page.save_revision().publish()
        else:
            page.live = False
            page.save()
            page.save_revision()
        page.refresh_from_db()
        return page

    items["numerique"] = consultation(
        "numerique",
        "Le numérique au service des patients",
        "Comment mieux partager les informations de santé entre soignants ?",
        now - timedelta(days=5),
        now + timedelta(days=20),
        ["Numérique en santé"],
        [
            ("L'accès à l'hôpital", "Garantir l'accès à l'hôpital de proximité pour chaque patient."),
            ("Le DMP pour tous", "Le DMP sera ouvert automatiquement à chaque assuré."),
        ],
    )
    items["jeunes"] = consultation(
        "jeunes",
        "Santé mentale des jeunes",
        "Prévenir la détresse psychologique des étudiants.",
        now - timedelta(days=400),
        now - timedelta(days=380),
        ["Santé mentale"],
        [("Repérage précoce", "Former les enseignants au repérage des signes de souffrance.")],
    )
    items["future"] = consultation(
        "future",
        "Parcours des aidants",
        "Reconnaître le rôle des proches aidants.",
        now + timedelta(days=10),
        now + timedelta(days=40),
        ["Aidants"],
        [("Répit", "Développer les solutions de répit pour les aidants.")],
    )
    items["draft_consultation"] = consultation(
        "brouillon",
        f"Consultation {SECRET} en préparation",
        f"Brouillon {SECRET}.",
        now - timedelta(days=1),
        now + timedelta(days=10),
        ["Numérique en santé"],
        [(f"Section {SECRET}", f"Texte {SECRET} non publié.")],
        live=False,
    )

    s_hopital, s_dmp = items["numerique"].sections.order_by("sort_order")
    s_jeunes = items["jeunes"].sections.get()
    s_draft = items["draft_consultation"].sections.get()

    def contribution(section, author, body, status=Contribution.STATUS_PUBLISHED, stance="pour", days=1):
        return Contribution.objects.create(
            consultation_id=section.page_id,
            section=section,
            author=author,
            body=body,
            status=status,
            stance=stance,
            created_at=now - timedelta(days=days),
        )

    items["c_hopitaux"] = contribution(
        s_hopital,
        alice,
        "Les hôpitaux ruraux ferment : il faut maintenir les urgences et les maternités de proximité.",
        stance="contre",
        days=2,
    )
    items["c_dmp"] = contribution(
        s_dmp, bob, "Le dossier médical partagé est très utile pour les patients en affection de longue durée.", days=3
    )
    items["c_tele"] = contribution(
        s_dmp,
        alice,
        "La téléconsultation évite des trajets aux personnes âgées vivant en maison de retraite.",
        stance="mitige",
        days=40,
    )
    items["c_jeunes"] = contribution(s_jeunes, bob, "Il faut plus de psychologues dans les universités.", days=390)
    items["c_pending"] = contribution(
        s_hopital, bob, f"En attente de modération {SECRET}.", status=Contribution.STATUS_PENDING
    )
    items["c_hidden"] = contribution(s_hopital, bob, f"Propos masqué {SECRET}.", status=Contribution.STATUS_HIDDEN)
    items["c_withdrawn"] = contribution(s_dmp, alice, f"Texte retiré {SECRET}.", status=Contribution.STATUS_WITHDRAWN)
    items["c_on_draft"] = contribution(s_draft, alice, f"Contribution publiée {SECRET} sur un brouillon.")

    p_index = _publish(home_page, ProjectCallIndexPage(title="Appels à projets", slug="appels-a-projets"))

    def call(slug, title, intro, opens, closes, themes, live=True):
        page = ProjectCallPage(
            title=title,
            slug=slug,
            intro=intro,
            opens_at=opens,
            closes_at=closes,
            max_grant=Decimal("50000"),
            total_budget=Decimal("500000"),
        )
        page.themes.add(*themes)
        p_index.add_child(instance=page)
        if live:
            page.save_revision().publish()
        else:
            page.live = False
            page.save()
        page.refresh_from_db()
        return page

    items["call_tele"] = call(
        "telesante",
        "Télésanté en EHPAD",
        "Financer des projets de télémédecine dans les établissements pour personnes âgées.",
        now - timedelta(days=10),
        now + timedelta(days=30),
        ["Numérique en santé"],
    )
    items["call_draft"] = call(
        "appel-brouillon",
        f"Appel {SECRET}",
        f"Appel {SECRET} non publié.",
        now - timedelta(days=10),
        now + timedelta(days=30),
        ["Aidants"],
        live=False,
    )

    def application(call_page, status, title, summary, region="84", n=[0]):  # noqa: B006 - counter
        n[0] += 1
        app = Application.objects.create(
            call=call_page,
            organisation=organisation,
            created_by=asso_admin,
            status=status,
            title=title,
            summary=summary,
            region=region,
            legal_name=organisation.name,
        )
        if status != Application.STATUS_DRAFT:
            app.reference = f"AAP-T-{app.pk:05d}"
            app.decided_at = now - timedelta(days=n[0])
            app.save(update_fields=["reference", "decided_at"])
        return app

    items["laureate"] = application(
        items["call_tele"],
        Application.STATUS_ACCEPTED,
        "Maison de retraite connectée",
        "Des tablettes pour les résidents et les familles.",
        region="84",
    )
    items["laureate_idf"] = application(
        items["call_tele"],
        Application.STATUS_ACCEPTED,
        "Cabine de téléconsultation",
        "Une cabine dans la mairie.",
        region="11",
    )
    for status in (
        Application.STATUS_DRAFT,
        Application.STATUS_SUBMITTED,
        Application.STATUS_UNDER_REVIEW,
        Application.STATUS_SHORTLISTED,
        Application.STATUS_REJECTED,
        Application.STATUS_WITHDRAWN,
        Application.STATUS_INELIGIBLE,
    ):
        items[f"app_{status}"] = application(
            items["call_tele"], status, f"Projet {SECRET} {status}", f"Résumé confidentiel {SECRET}."
        )
    items["laureate_on_draft_call"] = application(
        items["call_draft"], Application.STATUS_ACCEPTED, f"Lauréat {SECRET}", f"Appel non publié {SECRET}."
    )

    lab_index = ensure_index_page(home_page)

    def lab(title, description, live=True, tags=(), **fields):
        page = LivingLabPage(
            title=title,
            description=description,
            structure_type="association",
            postcode=fields.pop("postcode", "69003"),
            commune=fields.pop("commune", "Lyon"),
            latitude=45.76,
            longitude=4.85,
            contact_email="lab@example.org",
            publics=["patients"],
            services=["tests_usage"],
            **fields,
        )
        page.tags.add(*tags)
        if not live:
            page.live = False
        lab_index.add_child(instance=page)
        if live:
            page.save_revision().publish()
        page.refresh_from_db()
        return page

    items["lab"] = lab(
        "Lab Vieillir chez soi", "Tester des objets connectés avec des personnes âgées à domicile.", tags=["Aidants"]
    )
    items["lab_draft"] = lab(f"Lab {SECRET}", f"Living lab {SECRET} non publié.", live=False)

    items["page"] = _publish(
        home_page,
        ContentPage(
            title="La démocratie en santé",
            slug="democratie-sante",
            intro="Les agences régionales de santé organisent le débat.",
        ),
    )
    draft_page = ContentPage(title=f"Page {SECRET}", slug="page-brouillon", intro=f"Brouillon {SECRET}.", live=False)
    home_page.add_child(instance=draft_page)
    items["page_draft"] = draft_page
    reindex()
    from search.models import PendingUpdate

    PendingUpdate.objects.all().delete()  # on_commit never fires inside the test transaction: the rebuild covered them
    return items
