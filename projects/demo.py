"""Demo content for projects/ (called by `manage.py load_demo` after core; idempotent).

Two calls: an open association call on patient associations' digital uses, and a closed co-innovation
consortium call with its laureates. About fifteen applications in every status, filed by fictional
organisations marked "(démo)", with reviewers' conflict declarations and scores.
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Membership, Organisation
from core.demo import child_page
from projects.models import (
    PARIS,
    Application,
    Attachment,
    AuditEntry,
    BudgetLine,
    CallCriterion,
    ConflictDeclaration,
    Message,
    Partner,
    ProjectCallIndexPage,
    ProjectCallPage,
    ReviewAssignment,
    Score,
)

A = Application

# A tiny but real PDF: the attachment checks read the content, not the name.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

EXTRA_ORGANISATIONS = [
    # (rna, name, kind, city, postcode, region)
    ("W691000101", "Diabète et numérique Rhône-Alpes (démo)", "association", "Lyon", "69003"),
    ("W595000102", "Association des familles d'enfants épileptiques du Nord (démo)", "association", "Lille", "59000"),
    ("W751000103", "Collectif patients-experts en santé mentale (démo)", "association", "Paris", "75011"),
    ("W133000104", "Entraide Parkinson Provence (démo)", "association", "Marseille", "13005"),
    ("W442000105", "Les Aidants connectés de Loire-Atlantique (démo)", "association", "Nantes", "44000"),
    ("W974000106", "Asso Drépanocytose Réunion (démo)", "association", "Saint-Denis", "97400"),
    ("W672000107", "Cancer du sein Grand Est — Vivre après (démo)", "association", "Strasbourg", "67000"),
]


def _org(rna, name, kind, city, postcode):
    org, _ = Organisation.objects.get_or_create(
        rna=rna,
        defaults={
            "name": name,
            "kind": kind,
            "city": city,
            "postcode": postcode,
            "description": "Organisation fictive créée pour la démonstration.",
            "email": f"contact@{rna.lower()}.example",
            "verified_at": timezone.now(),
        },
    )
    return org


def _paris(date: datetime.date, hour=23, minute=59):
    return datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=PARIS)


def _criteria(call, items):
    if call.criteria.exists():
        return list(call.criteria.all())
    for order, (label, description, weight) in enumerate(items):
        CallCriterion.objects.create(page=call, sort_order=order, label=label, description=description, weight=weight)
    return list(call.criteria.all())


def calls(home):
    index = child_page(
        home,
        ProjectCallIndexPage,
        "appels-a-projets",
        title="Appels à projets",
        intro="Le ministère soutient les projets numériques des associations de patients et d'usagers, "
        "et la co-innovation entre patients, soignant·es et start-up.",
    )
    today = timezone.localdate()
    open_call = index.get_children().filter(slug="usages-numeriques-associations-patients").specific().first()
    if open_call is None:
        open_call = ProjectCallPage(
            title="Usages numériques des associations de patients",
            slug="usages-numeriques-associations-patients",
            call_type=ProjectCallPage.TYPE_ASSOCIATION,
            intro="Financer les projets par lesquels les associations de patients et d'usagers aident leurs membres "
            "à tirer parti des outils numériques en santé : accompagnement, médiation, outils d'entraide.",
            objectives="<p>Cet appel soutient des projets concrets, portés par des associations, qui rendent les "
            "services numériques en santé (Mon espace santé, téléconsultation, applications de suivi) plus "
            "utiles et plus accessibles aux personnes malades, à leurs proches et aux aidant·es.</p>",
            eligibility="<p>Associations de patients ou d'usagers du système de santé, déclarées depuis au moins un "
            "an. L'identité de l'association (numéro RNA ou SIRET) est vérifiée par le ministère lors de "
            "l'examen de recevabilité.</p>",
            requires_verified_association=False,
            total_budget=Decimal("1500000"),
            max_grant=Decimal("60000"),
            opens_at=_paris(today - datetime.timedelta(days=30), 9, 0),
            closes_at=_paris(today + datetime.timedelta(days=60)),
            contact="Délégation au numérique en santé — bureau des usagers",
            contact_email="aap-associations@sante.example",
            reviewers_per_application=2,
            score_scale=5,
            faq=[
                (
                    "question",
                    {
                        "question": "Une association peut-elle déposer plusieurs projets ?",
                        "answer": "<p>Oui, dans la limite de deux dossiers par association.</p>",
                    },
                ),
                (
                    "question",
                    {
                        "question": "Les dépenses de personnel sont-elles éligibles ?",
                        "answer": "<p>Oui, au prorata du temps consacré au projet.</p>",
                    },
                ),
            ],
        )
        index.add_child(instance=open_call)
        open_call.themes.add("Numérique en santé", "Associations de patients")
        open_call.save_revision().publish()
    _criteria(
        open_call,
        [
            ("Utilité pour les patients et les aidant·es", "Réponse à un besoin identifié, bénéfices attendus.", 3),
            ("Implication des usagers", "Les personnes concernées participent à la conception et au suivi.", 2),
            ("Faisabilité et budget", "Calendrier réaliste, budget cohérent et équilibré.", 2),
            ("Accessibilité et inclusion numérique", "Publics éloignés du numérique, handicap, langue.", 2),
            ("Pérennité", "Ce qui restera après la subvention.", 1),
        ],
    )
    closed_call = index.get_children().filter(slug="co-innovation-sante-numerique").specific().first()
    if closed_call is None:
        closed_call = ProjectCallPage(
            title="Co-innovation en santé numérique : patients, soignant·es et start-up",
            slug="co-innovation-sante-numerique",
            call_type=ProjectCallPage.TYPE_CONSORTIUM,
            intro="Soutenir des consortiums associant une association de patients, des professionnel·les de santé "
            "et une start-up pour concevoir ensemble un service numérique utile au parcours de soins.",
            objectives="<p>Faire travailler ensemble, dès la conception, celles et ceux qui vivent la maladie, "
            "celles et ceux qui soignent et celles et ceux qui développent.</p>",
            eligibility="<p>Consortiums d'au moins trois partenaires : une association, une start-up et des "
            "professionnel·les de santé. L'association porte le dossier.</p>",
            requires_startup=True,
            requires_health_professional=True,
            requires_association=False,
            total_budget=Decimal("2000000"),
            max_grant=Decimal("150000"),
            opens_at=_paris(today - datetime.timedelta(days=220), 9, 0),
            closes_at=_paris(today - datetime.timedelta(days=130), 12, 0),
            contact="Délégation au numérique en santé — mission innovation",
            contact_email="coinnovation@sante.example",
            blind_review=True,
            reviewers_per_application=2,
            score_scale=5,
        )
        index.add_child(instance=closed_call)
        closed_call.themes.add("Numérique en santé", "Co-innovation")
        closed_call.save_revision().publish()
    _criteria(
        closed_call,
        [
            ("Besoin des patients", "Le besoin est documenté par l'association.", 3),
            ("Qualité du consortium", "Complémentarité et engagement réel des partenaires.", 2),
            ("Innovation", "Apport par rapport à l'existant.", 2),
            ("Éthique et protection des données", "Hébergement, consentement, sécurité.", 2),
            ("Faisabilité", "Calendrier, équipe, budget.", 1),
            ("Impact et évaluation", "Indicateurs et méthode d'évaluation.", 1),
        ],
    )
    return index, open_call, closed_call


# (call key, org key, status, title, region, requested, summary)
APPLICATIONS = [
    (
        "open",
        0,
        A.STATUS_DRAFT,
        "Ateliers Mon espace santé pour les personnes diabétiques",
        "84",
        32000,
        "Des ateliers mensuels dans cinq villes pour ouvrir et utiliser Mon espace santé avec un pair aidant.",
    ),
    (
        "open",
        5,
        A.STATUS_DRAFT,
        "Application d'entraide drépanocytose",
        "04",
        48000,
        "Une application de messagerie entre pairs pour les crises douloureuses, modérée par l'association.",
    ),
    (
        "open",
        1,
        A.STATUS_SUBMITTED,
        "Carnet de crises partagé pour les familles",
        "32",
        41000,
        "Un carnet numérique des crises d'épilepsie, partagé avec l'école et le neurologue, conçu avec les familles.",
    ),
    (
        "open",
        2,
        A.STATUS_SUBMITTED,
        "Pair-aidance en ligne en santé mentale",
        "11",
        55000,
        "Des permanences de pair-aidance en visio et par tchat, animées par des patients-experts formés.",
    ),
    (
        "open",
        3,
        A.STATUS_SUBMITTED,
        "Téléconsultation accompagnée à domicile",
        "93",
        38000,
        "Des bénévoles formés accompagnent à domicile les téléconsultations des personnes atteintes de Parkinson.",
    ),
    (
        "open",
        4,
        A.STATUS_ELIGIBLE,
        "Guide numérique des droits des aidant·es",
        "52",
        22000,
        "Un guide en ligne, en facile à lire et à comprendre, des droits et aides des proches aidant·es.",
    ),
    (
        "open",
        6,
        A.STATUS_UNDER_REVIEW,
        "Après le cancer : parcours numérique de reprise d'activité",
        "44",
        59000,
        "Un parcours en ligne et des rencontres pour préparer la reprise du travail après un cancer du sein.",
    ),
    (
        "open",
        "pending",
        A.STATUS_CORRECTIONS_REQUESTED,
        "Répit numérique : planning partagé des aidant·es",
        "53",
        30000,
        "Un planning partagé entre aidant·es familiaux et bénévoles pour organiser le répit.",
    ),
    (
        "open",
        0,
        A.STATUS_WITHDRAWN,
        "Podcast patients diabète type 1",
        "84",
        15000,
        "Une série de podcasts réalisés par et pour des jeunes vivant avec un diabète de type 1.",
    ),
    (
        "closed",
        "verified",
        A.STATUS_ACCEPTED,
        "Dialyse à domicile : suivi partagé patient–néphrologue",
        "76",
        120000,
        "Une application de suivi des séances de dialyse à domicile, conçue avec les patients, les néphrologues "
        "du CHU et une start-up toulousaine, qui alerte l'équipe soignante en cas d'anomalie.",
    ),
    (
        "closed",
        2,
        A.STATUS_ACCEPTED,
        "Plan de crise numérique en santé mentale",
        "11",
        95000,
        "Un plan de crise conjoint rédigé par la personne et son équipe de soins, accessible en situation d'urgence.",
    ),
    (
        "closed",
        3,
        A.STATUS_ACCEPTED,
        "Capteurs de marche et suivi Parkinson",
        "93",
        140000,
        "Des capteurs portés et un tableau de bord partagé pour ajuster les traitements de la maladie de Parkinson.",
    ),
    (
        "closed",
        1,
        A.STATUS_REJECTED,
        "Détection des crises par montre connectée",
        "32",
        150000,
        "Une montre connectée qui détecte les crises nocturnes et prévient les parents.",
    ),
    (
        "closed",
        6,
        A.STATUS_REJECTED,
        "Chatbot d'information après chirurgie du sein",
        "44",
        80000,
        "Un agent conversationnel répondant aux questions fréquentes après une chirurgie du sein.",
    ),
    (
        "closed",
        5,
        A.STATUS_INELIGIBLE,
        "Plateforme drépanocytose outre-mer",
        "04",
        130000,
        "Une plateforme d'information et d'orientation pour les patients drépanocytaires ultramarins.",
    ),
]

# Deterministic demo scores per application index (one list per reviewer).
SCORES = {
    9: ([5, 4, 4, 5, 4, 4], [4, 5, 4, 4, 4, 3]),
    10: ([4, 4, 3, 5, 4, 4], [5, 4, 3, 4, 3, 4]),
    11: ([4, 5, 5, 3, 4, 4], [4, 4, 5, 4, 4, 5]),
    12: ([3, 2, 4, 2, 3, 3], [2, 3, 3, 2, 2, 3]),
    13: ([2, 3, 2, 3, 3, 2], [3, 2, 2, 2, 3, 2]),
}


def _lines(requested, co_funding):
    total = Decimal(requested) + co_funding
    staff = (total * Decimal("0.55")).quantize(Decimal("1"))
    services = (total * Decimal("0.30")).quantize(Decimal("1"))
    return [
        ("staff", "Coordination du projet et animation", staff),
        ("services", "Développement et hébergement (HDS)", services),
        ("communication", "Communication et ateliers", total - staff - services),
    ]


def _total(assignment, call):
    weights = {c.pk: c.weight for c in call.criteria_list}
    points = sum(s.value * weights[s.criterion_id] for s in assignment.scores.all())
    assignment.weighted_total = (Decimal(points) / sum(weights.values())).quantize(Decimal("0.001"))
    assignment.save(update_fields=["weighted_total"])


def applications(open_call, closed_call, orgs, people):
    editor, reviewer, reviewer2 = people["editor"], people["reviewer"], people["reviewer2"]
    created = 0
    for i, (call_key, org_key, status, title, region, requested, summary) in enumerate(APPLICATIONS):
        call = open_call if call_key == "open" else closed_call
        org = orgs[org_key]
        if Application.objects.filter(call=call, title=title).exists():
            continue
        created += 1
        admin = Membership.objects.filter(organisation=org, role=Membership.ROLE_ADMIN).select_related("user").first()
        author = admin.user if admin else people["association"]
        requested = Decimal(requested)
        co_funding = (requested * Decimal("0.25")).quantize(Decimal("1"))
        submitted_at = None
        if status != A.STATUS_DRAFT:
            submitted_at = min(
                call.closes_at - datetime.timedelta(days=3 + i), timezone.now() - datetime.timedelta(days=2 + i)
            )
        application = Application.objects.create(
            call=call,
            organisation=org,
            created_by=author,
            status=status,
            legal_name=org.name,
            rna=org.rna,
            siret=org.siret,
            address="12 rue de la Santé",
            postcode=org.postcode or "75000",
            city=org.city or "Paris",
            contact_name=author.display_name,
            contact_email=author.email,
            contact_phone="01 23 45 67 89",
            title=title,
            summary=summary,
            description=summary + " Le projet est construit avec les adhérent·es de l'association, qui participent "
            "au comité de pilotage et testent chaque version.",
            target_public="Personnes malades, proches et aidant·es de la région.",
            region=region,
            departments="",
            duration_months=18 if call_key == "open" else 24,
            expected_outcomes="Nombre de personnes accompagnées, satisfaction mesurée, outils réutilisables publiés "
            "sous licence libre.",
            requested_amount=requested,
            co_funding=co_funding,
            sworn_declaration=status != A.STATUS_DRAFT,
            submitted_at=submitted_at,
            completed_steps=["identity", "project", "budget"],
        )
        if submitted_at:
            application.reference = f"AAP-{timezone.localtime(submitted_at).year}-{application.pk:05d}"
        for category, label, amount in _lines(requested, co_funding):
            BudgetLine.objects.create(application=application, category=category, label=label, amount=amount)
        if call.is_consortium:
            Partner.objects.create(
                application=application,
                name="Medilab Connect (démo)",
                kind="startup",
                role="Conception et développement du service",
            )
            Partner.objects.create(
                application=application,
                name="Service de neurologie du CHU (démo)",
                kind="health_professional",
                role="Expertise clinique et essais d'usage",
            )
        if status != A.STATUS_DRAFT or i == 0:
            attachment = Attachment(
                application=application,
                kind="statutes",
                original_name="statuts.pdf",
                size=len(DEMO_PDF),
                content_type="application/pdf",
                uploaded_by=author,
            )
            attachment.file.save("statuts.pdf", ContentFile(DEMO_PDF), save=False)
            attachment.save()
        AuditEntry.objects.create(application=application, actor=author, action="create", to_status=A.STATUS_DRAFT)
        if submitted_at:
            AuditEntry.objects.create(
                application=application,
                actor=author,
                action="submit",
                from_status=A.STATUS_DRAFT,
                to_status=A.STATUS_SUBMITTED,
                created_at=submitted_at,
            )
        if status == A.STATUS_INELIGIBLE:
            application.eligibility_reason = (
                "Le consortium ne comprend pas de professionnel·les de santé engagé·es "
                "par une lettre signée, condition de l'appel."
            )
        if status in (A.STATUS_ACCEPTED, A.STATUS_REJECTED, A.STATUS_INELIGIBLE):
            application.decided_at = call.closes_at + datetime.timedelta(days=60)
        if status == A.STATUS_ACCEPTED:
            application.granted_amount = (requested * Decimal("0.9")).quantize(Decimal("100"))
            application.decision_motivation = (
                "Projet très bien noté par le jury : besoin documenté par "
                "l'association, consortium solide, protection des données maîtrisée."
            )
        if status == A.STATUS_REJECTED:
            application.decision_motivation = (
                "Projet intéressant mais insuffisamment abouti : l'implication des "
                "patients dans la conception et l'évaluation reste à préciser."
            )
        if status == A.STATUS_CORRECTIONS_REQUESTED:
            application.unlocked_sections = ["budget", "attachments"]
            Message.objects.create(
                application=application,
                author=editor,
                from_staff=True,
                body="Merci de détailler le poste « Développement » du budget et de joindre "
                "le dernier rapport d'activité de l'association.",
            )
        if status != A.STATUS_DRAFT:
            AuditEntry.objects.create(application=application, actor=editor, action="demo", to_status=status)
        application.save()
        # Reviews: closed call (all decided but the ineligible one), and the open call's file under review.
        if i in SCORES:
            for person, values in zip((reviewer, reviewer2), SCORES[i], strict=True):
                assignment = ReviewAssignment.objects.create(
                    application=application,
                    reviewer=person,
                    assigned_by=editor,
                    conflict_declared_at=timezone.now(),
                    submitted_at=timezone.now(),
                    private_comment="Dossier clair ; vigilance sur l'hébergement des données."
                    if values[0] >= 4
                    else "Le rôle des patients dans le consortium reste flou.",
                )
                ConflictDeclaration.objects.create(assignment=assignment)
                for criterion, value in zip(call.criteria_list, values, strict=True):
                    Score.objects.create(assignment=assignment, criterion=criterion, value=value)
                _total(assignment, call)
        if status == A.STATUS_UNDER_REVIEW:
            done = ReviewAssignment.objects.create(
                application=application,
                reviewer=reviewer2,
                assigned_by=editor,
                conflict_declared_at=timezone.now(),
                submitted_at=timezone.now(),
                private_comment="Projet utile, budget un peu optimiste.",
            )
            ConflictDeclaration.objects.create(assignment=done)
            for criterion, value in zip(call.criteria_list, [4, 4, 3, 4, 3], strict=True):
                Score.objects.create(assignment=done, criterion=criterion, value=value)
            _total(done, call)
            # The demo reviewer still has to declare conflicts and score this one.
            ReviewAssignment.objects.create(application=application, reviewer=reviewer, assigned_by=editor)
    return created


def load(stdout=None, context=None):
    context = context or {}
    home, people = context["home"], context["people"]
    index, open_call, closed_call = calls(home)
    orgs = {n: _org(*data) for n, data in enumerate(EXTRA_ORGANISATIONS)}
    orgs["verified"] = context["organisations"]["verified"]
    orgs["pending"] = context["organisations"]["pending"]
    created = applications(open_call, closed_call, orgs, people)
    if stdout:
        stdout.write(f"projects: {created} demo applications created")
    return {"project_calls": {"open": open_call, "closed": closed_call}}
