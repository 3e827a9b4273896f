"""Demo content for consult/ (called by `manage.py load_demo` after core; idempotent).

One open consultation on the national e-health strategy (~60 contributions, replies, votes, a small campaign,
one contribution hidden after flags), one closed consultation with its published synthesis and section outcomes,
one upcoming consultation. All texts are fictional and written for the demo; no statistic is presented as fact.
"""

import random
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from consult import services
from consult.demo_content import (
    CAMPAIGN_TEXT,
    CLOSED_SECTIONS,
    CLOSED_SYNTHESIS,
    CLOSED_THREADS,
    ESANTE_SECTIONS,
)
from consult.models import (
    Campaign,
    ConsultationIndexPage,
    ConsultationPage,
    Contribution,
    Flag,
    Follow,
    Section,
    Vote,
)
from consult.text import fingerprint

DEMO_CITIZENS = [
    ("demo.martine@agora-sante.local", "Martine, aidante (démo)"),
    ("demo.yanis@agora-sante.local", "Yanis B. (démo)"),
    ("demo.dr.lefevre@agora-sante.local", "Dr Lefèvre, médecin généraliste (démo)"),
    ("demo.ines@agora-sante.local", "Inès, infirmière (démo)"),
    ("demo.olivier@agora-sante.local", "Olivier (démo)"),
    ("demo.fatou@agora-sante.local", "Fatou D. (démo)"),
    ("demo.gerard@agora-sante.local", "Gérard, retraité (démo)"),
    ("demo.claire@agora-sante.local", "Claire, ingénieure hospitalière (démo)"),
    ("demo.hugo@agora-sante.local", "Hugo (démo)"),
    ("demo.amelie@agora-sante.local", "Amélie, orthophoniste (démo)"),
    ("demo.samir@agora-sante.local", "Samir, pharmacien (démo)"),
    ("demo.josiane@agora-sante.local", "Josiane (démo)"),
]


def _out(stdout, message):
    if stdout is not None:
        stdout.write(f"  consult: {message}")


def index_page(home):
    existing = ConsultationIndexPage.objects.first()
    if existing:
        return existing
    index = ConsultationIndexPage(
        title="Consultations publiques",
        slug="consultations",
        intro="Donnez votre avis sur les textes du ministère avant leur adoption. Chaque contribution reçoit un "
        "numéro de récépissé, et chaque consultation se termine par une synthèse publique.",
    )
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def _consultation(index, slug, title, sections, **fields):
    page = ConsultationPage.objects.filter(slug=slug).first()
    if page is not None:
        return page, False
    themes = fields.pop("themes", [])
    page = ConsultationPage(title=title, slug=slug, **fields)
    for i, (anchor, section_title, body, outcome, motivation) in enumerate(sections):
        page.sections.add(
            Section(
                anchor=anchor,
                title=section_title,
                body=body,
                sort_order=i,
                outcome=outcome,
                outcome_motivation=motivation,
            )
        )
    index.add_child(instance=page)
    page.themes.add(*themes)
    page.save_revision().publish()
    page.refresh_from_db()
    return page, True


def _contribution(
    consultation,
    section,
    author,
    body,
    key,
    created_at,
    stance="",
    parent=None,
    organisation=None,
    status=Contribution.STATUS_PUBLISHED,
    **extra,
):
    existing = Contribution.objects.filter(author=author, idempotency_key=key).first()
    if existing:
        return existing
    c = services.new_contribution(
        consultation,
        section,
        author,
        body,
        parent=parent,
        organisation=organisation,
        stance=stance if parent is None else "",
        no_interests=parent is None,
        status=status,
        idempotency_key=key,
        created_at=created_at,
        **extra,
    )
    c.save()
    c.receipt_number = f"C-{timezone.localtime(created_at).year}-{c.pk:06d}"
    c.root_id = c.root_id or c.pk
    c.save(update_fields=["receipt_number", "root"])
    return c


def _recount(consultation):
    """Recompute denormalised counters after a bulk demo load (services keep them up to date otherwise)."""
    for c in Contribution.objects.filter(consultation=consultation).annotate(
        up=Count("votes", filter=Q(votes__value=Vote.AGREE)),
        down=Count("votes", filter=Q(votes__value=Vote.DISAGREE)),
        flags_n=Count("flags", distinct=True),
    ):
        replies = Contribution.objects.filter(parent=c, status=Contribution.STATUS_PUBLISHED).count()
        Contribution.objects.filter(pk=c.pk).update(
            votes_up=c.up, votes_down=c.down, replies_count=replies, flags_count=c.flags_n
        )


def _esante(index, people, organisations, stdout):
    from core.demo import user

    now = timezone.now()
    sections = [(s["anchor"], s["title"], s["body"], "", "") for s in ESANTE_SECTIONS]
    page, created = _consultation(
        index,
        "strategie-nationale-sante-numerique",
        "Stratégie nationale du numérique en santé 2027-2031",
        sections,
        summary="Le ministère soumet à consultation les orientations de la prochaine stratégie du numérique en santé : "
        "accès de chacun à ses données, télémédecine, outils des associations de patients, living labs et "
        "sécurité des systèmes d'information. Vos contributions nourriront la version finale.",
        easy_read_summary="Le ministère prépare un plan pour le numérique en santé.\nPar exemple : voir ses résultats "
        "d'examens sur internet, consulter un médecin en vidéo.\nVous pouvez donner votre avis.\n"
        "Vous pouvez dire si vous êtes pour, contre, ou pas sûr.\nLe ministère lira tous les avis.",
        context="<p>La stratégie actuelle arrive à son terme. Cette consultation ouvre la préparation de la suivante, "
        "avec une attention particulière à l'inclusion numérique et à la confiance.</p>",
        opens_at=now - timedelta(days=12),
        closes_at=now + timedelta(days=18),
        directorate="Délégation au numérique en santé (démo)",
        moderation_mode=ConsultationPage.MODERATION_A_POSTERIORI,
        themes=["numérique en santé", "données de santé", "télémédecine"],
    )
    if not created:
        return page
    citizens = [user(email, name) for email, name in DEMO_CITIZENS]
    authors = citizens + [people["citizen"], people["citizen2"], people["association2"]]
    rng = random.Random(2026)
    section_by_anchor = {s.anchor: s for s in page.sections.all()}
    all_contributions = []
    n = 0
    for spec in ESANTE_SECTIONS:
        section = section_by_anchor[spec["anchor"]]
        for t, (stance, body, replies) in enumerate(spec["threads"]):
            n += 1
            author = authors[n % len(authors)]
            organisation = None
            if spec["anchor"] == "associations-patients" and t == 0:
                author, organisation = people["association"], organisations["verified"]
            created_at = page.opens_at + timedelta(hours=5 + n * 4, minutes=rng.randint(0, 59))
            root = _contribution(
                page, section, author, body, f"demo-esante-{n}", created_at, stance=stance, organisation=organisation
            )
            all_contributions.append(root)
            parent = root
            for r, reply_body in enumerate(replies):
                n += 1
                reply_author = authors[(n * 7) % len(authors)]
                if reply_author == root.author:
                    reply_author = authors[(n * 7 + 1) % len(authors)]
                reply = _contribution(
                    page,
                    section,
                    reply_author,
                    reply_body,
                    f"demo-esante-{n}",
                    created_at + timedelta(hours=3 + r * 5),
                    parent=parent,
                )
                all_contributions.append(reply)
                # every other reply answers the previous reply: threads two levels deep
                parent = reply if r % 2 == 0 and parent.depth < Contribution.MAX_DEPTH else root
    # The campaign: the same text pasted by three accounts.
    section = section_by_anchor["acces-donnees"]
    for i, author in enumerate(citizens[:3]):
        c = _contribution(
            page,
            section,
            author,
            CAMPAIGN_TEXT,
            f"demo-esante-campaign-{i}",
            page.opens_at + timedelta(days=6, minutes=7 * i),
            stance="pour",
        )
        all_contributions.append(c)
    campaign, _ = Campaign.objects.get_or_create(
        consultation=page, fingerprint=fingerprint(CAMPAIGN_TEXT), defaults={"sample": CAMPAIGN_TEXT, "size": 3}
    )
    Contribution.objects.filter(consultation=page, fingerprint=campaign.fingerprint).update(campaign=campaign)
    # One contribution hidden after three flags, waiting for a moderator in the queue.
    off_topic = _contribution(
        page,
        section_by_anchor["telemedecine"],
        citizens[8],
        "Achetez vos compléments alimentaires miracle sur mon site, livraison offerte, résultats garantis !",
        "demo-esante-spam",
        page.opens_at + timedelta(days=9),
        stance="pour",
        status=Contribution.STATUS_HIDDEN,
        hidden_reason="signalée à plusieurs reprises, en attente de vérification",
    )
    for flagger in citizens[:3]:
        Flag.objects.get_or_create(contribution=off_topic, user=flagger, defaults={"reason": "spam"})
    # Votes: each demo person agrees or disagrees with some contributions (never their own).
    voters = citizens + [people["citizen"], people["citizen2"]]
    for c in all_contributions:
        for voter in rng.sample(voters, rng.randint(0, 8)):
            if voter.pk != c.author_id:
                Vote.objects.get_or_create(
                    contribution=c, user=voter, defaults={"value": Vote.AGREE if rng.random() < 0.72 else Vote.DISAGREE}
                )
    Follow.objects.get_or_create(user=people["citizen"], consultation=page)
    _recount(page)
    _out(stdout, f"{Contribution.objects.filter(consultation=page).count()} contributions de démonstration")
    return page


def _closed(index, people):
    now = timezone.now()
    page, created = _consultation(
        index,
        "carnet-vaccination-electronique",
        "Carnet de vaccination électronique",
        CLOSED_SECTIONS,
        summary="Consultation sur la généralisation du carnet de vaccination électronique, les rappels personnalisés "
        "et le partage d'attestations avec les établissements scolaires.",
        opens_at=now - timedelta(days=75),
        closes_at=now - timedelta(days=30),
        directorate="Direction générale de la santé (démo)",
        themes=["vaccination", "données de santé"],
        synthesis=CLOSED_SYNTHESIS,
        synthesis_published_at=now - timedelta(days=7),
    )
    if not created:
        return page
    from core.demo import user

    citizens = [user(email, name) for email, name in DEMO_CITIZENS]
    sections = {s.anchor: s for s in page.sections.all()}
    rng = random.Random(75)
    for i, (anchor, stance, body) in enumerate(CLOSED_THREADS):
        c = _contribution(
            page,
            sections[anchor],
            citizens[i % len(citizens)],
            body,
            f"demo-vaccin-{i}",
            page.opens_at + timedelta(days=i * 3 + 1),
            stance=stance,
        )
        for voter in rng.sample(citizens, rng.randint(1, 6)):
            if voter.pk != c.author_id:
                Vote.objects.get_or_create(
                    contribution=c, user=voter, defaults={"value": Vote.AGREE if rng.random() < 0.7 else Vote.DISAGREE}
                )
    ConsultationPage.objects.filter(pk=page.pk).update(synthesis_notified_at=now - timedelta(days=7))
    _recount(page)
    return page


def _upcoming(index):
    now = timezone.now()
    page, _ = _consultation(
        index,
        "hebergement-donnees-sante",
        "Hébergement des données de santé : référentiel de certification",
        [
            (
                "perimetre",
                "Périmètre de la certification",
                "<p>Quels services doivent être certifiés pour héberger des données de santé ?</p>",
                "",
                "",
            ),
            (
                "localisation",
                "Localisation et souveraineté",
                "<p>Conditions de localisation des données et d'accès par des autorités étrangères.</p>",
                "",
                "",
            ),
            (
                "transparence",
                "Transparence envers les patients",
                "<p>Informations à donner aux personnes sur l'hébergement de leurs données.</p>",
                "",
                "",
            ),
        ],
        summary="Le projet de référentiel de certification des hébergeurs de données de santé sera soumis à "
        "consultation : périmètre, localisation des données, transparence envers les patients.",
        opens_at=now + timedelta(days=10),
        closes_at=now + timedelta(days=55),
        directorate="Délégation au numérique en santé (démo)",
        moderation_mode=ConsultationPage.MODERATION_A_PRIORI,
        themes=["données de santé", "sécurité"],
    )
    return page


def load(stdout=None, context=None):
    context = context or {}
    index = index_page(context["home"])
    people = context["people"]
    organisations = context["organisations"]
    esante = _esante(index, people, organisations, stdout)
    closed = _closed(index, people)
    upcoming = _upcoming(index)
    return {"consultations": {"open": esante, "closed": closed, "upcoming": upcoming}}
