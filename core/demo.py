"""Demo content for the whole platform: home, institutional pages, news, organisations and people.

Every function is idempotent (get-or-create by a stable key), so `make run` can call the loader each time.
"""

import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from accounts import roles
from accounts.models import Membership, Organisation, User
from core.models import ContentPage, HomePage, NewsIndexPage, NewsPage

DEMO_PASSWORD = "agora-demo-2026"


def home_page() -> HomePage:
    home = HomePage.objects.first()
    if home:
        return home
    root = Page.objects.filter(depth=1).first()
    Locale.objects.get_or_create(language_code="fr")
    home = HomePage(
        title="Participer à la politique de santé",
        slug="accueil",
        intro=(
            "Donnez votre avis sur les textes du ministère, proposez les projets de votre association, "
            "trouvez un living lab près de chez vous : la démocratie en santé se construit avec vous."
        ),
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site:
        old_root = site.root_page
        site.root_page = home
        site.site_name = "Agora Santé"
        site.hostname, site.port = "localhost", 80
        site.save()
        # The page Wagtail's migrations create ("Welcome to your new Wagtail site!") is no longer needed.
        if old_root.pk != home.pk and old_root.specific_class is Page:
            old_root.delete()
    else:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Agora Santé"
        )
    return home


def child_page(parent, model, slug, **fields):
    """Get or create a published child page by slug."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing:
        return existing.specific
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def paragraph(text: str):
    return ("paragraph", f"<p>{text}</p>")


INSTITUTIONAL_PAGES = [
    (
        "accessibilite",
        "Déclaration d'accessibilité",
        "Le ministère chargé de la santé s'engage à rendre ses sites internet accessibles conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005.",
        [
            ("heading", "État de conformité"),
            paragraph(
                "Agora Santé est <strong>partiellement conforme</strong> avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1, en raison des non-conformités énumérées ci-dessous. L'audit de conformité n'a pas encore été réalisé : cette déclaration s'appuie sur les tests automatisés (axe-core) et manuels de l'équipe."
            ),
            ("heading", "Contenus non accessibles"),
            paragraph(
                "La carte des living labs n'est pas accessible au clavier dans toutes ses fonctions ; la liste qui l'accompagne présente les mêmes informations et les mêmes filtres."
            ),
            ("heading", "Retour d'information et contact"),
            paragraph(
                "Si vous n'arrivez pas à accéder à un contenu ou à un service, écrivez-nous pour être orienté·e vers une alternative accessible ou obtenir le contenu sous une autre forme."
            ),
            ("heading", "Voies de recours"),
            paragraph(
                "Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou à une fonctionnalité du site, que vous nous le signalez et que vous ne parvenez pas à obtenir de réponse, vous pouvez saisir le Défenseur des droits."
            ),
        ],
    ),
    (
        "mentions-legales",
        "Mentions légales",
        "Informations sur l'éditeur et l'hébergement de la plateforme Agora Santé.",
        [
            ("heading", "Éditeur"),
            paragraph(
                "Ministère chargé de la santé — Délégation au numérique en santé. Directeur de la publication : le ou la délégué·e au numérique en santé."
            ),
            ("heading", "Licence des contenus"),
            paragraph(
                "Sauf mention contraire, les contenus éditoriaux sont publiés sous licence Etalab 2.0. Les contributions des participant·es sont publiées sous la même licence, sous leur nom affiché ou leur pseudonyme."
            ),
            ("heading", "Système de design de l'État"),
            paragraph(
                "Ce site utilise le Système de design de l'État (DSFR), dont l'usage est réservé aux sites de l'État."
            ),
        ],
    ),
    (
        "donnees-personnelles",
        "Données personnelles",
        "Comment Agora Santé traite vos données personnelles, et comment exercer vos droits.",
        [
            ("heading", "Responsable de traitement"),
            paragraph(
                "Le ministère chargé de la santé est responsable des traitements réalisés sur Agora Santé, sur le fondement de la mission d'intérêt public de participation du public à l'élaboration des politiques de santé."
            ),
            ("heading", "Données traitées"),
            paragraph(
                "Adresse électronique, nom affiché (un pseudonyme est accepté), contributions, votes et signalements, candidatures des organisations. Les adresses IP ne sont pas conservées en clair : elles servent uniquement, sous forme chiffrée et pendant quelques minutes, à limiter les abus."
            ),
            ("heading", "Vos droits"),
            paragraph(
                "Depuis votre profil, vous pouvez télécharger toutes vos données (format JSON) et supprimer votre compte. Vos contributions publiques restent alors visibles, sous le nom « Participant·e anonyme »."
            ),
        ],
    ),
    (
        "democratie-en-sante",
        "La démocratie en santé",
        "Usagers, patients, associations et professionnel·les participent à l'élaboration des politiques de santé. Agora Santé en est l'outil numérique.",
        [
            paragraph(
                "La participation des usagers du système de santé s'exerce dans de nombreuses instances : conférences régionales de la santé et de l'autonomie, commissions des usagers des établissements, conseils territoriaux de santé. Agora Santé ouvre cette participation à toutes et tous, en ligne."
            ),
            ("heading", "Ce que vous pouvez faire ici"),
            paragraph(
                "Contribuer aux consultations publiques, section par section ; répondre, en tant qu'association, aux appels à projets du ministère ; trouver un living lab en santé et déclarer le vôtre."
            ),
        ],
    ),
]

NEWS = [
    (
        datetime.date(2026, 11, 3),
        "Ouverture de la consultation sur le numérique en santé",
        "La consultation publique sur la stratégie nationale du numérique en santé est ouverte jusqu'à la mi-décembre. Chaque section du texte peut être commentée.",
    ),
    (
        datetime.date(2026, 10, 14),
        "Appel à projets 2027 pour les associations de patients",
        "Les associations de patients et d'usagers peuvent déposer leurs projets d'usages numériques. Une session d'information en ligne est prévue.",
    ),
    (
        datetime.date(2026, 9, 22),
        "Les living labs en santé ont désormais leur carte nationale",
        "Près de quarante structures sont déjà référencées. Les living labs non encore présents peuvent se déclarer en ligne.",
    ),
]


def institutional_pages(home):
    for slug, title, intro, body in INSTITUTIONAL_PAGES:
        child_page(home, ContentPage, slug, title=title, intro=intro, body=body)
    news_index = child_page(
        home,
        NewsIndexPage,
        "actualites",
        title="Actualités",
        intro="Les nouvelles de la démocratie en santé sur Agora Santé.",
    )
    for date, title, intro in NEWS:
        from django.utils.text import slugify

        child_page(
            news_index, NewsPage, slugify(title)[:50], title=title, intro=intro, date=date, body=[paragraph(intro)]
        )


def user(email, display_name, *, role=None, staff=False, superuser=False):
    person, created = User.objects.get_or_create(
        email=email, defaults={"username": email.split("@")[0], "display_name": display_name}
    )
    if created:
        person.set_password(DEMO_PASSWORD)
        person.is_staff = staff or role is not None or superuser
        person.is_superuser = superuser
        person.save()
        EmailAddress.objects.get_or_create(user=person, email=email, defaults={"verified": True, "primary": True})
    if role:
        person.groups.add(Group.objects.get(name=role))
    return person


PEOPLE = {
    "editor": ("edition@agora-sante.local", "Camille (Édition, ministère)", roles.EDITOR),
    "moderator": ("moderation@agora-sante.local", "Karim (Modération)", roles.MODERATOR),
    "reviewer": ("instruction@agora-sante.local", "Sophie (Instruction)", roles.REVIEWER),
    "reviewer2": ("instruction2@agora-sante.local", "Paul (Instruction)", roles.REVIEWER),
    "citizen": ("citoyenne@agora-sante.local", "Léa M.", None),
    "citizen2": ("citoyen@agora-sante.local", "Jean-Pierre", None),
    "association": ("asso@agora-sante.local", "Nadia, France Rein Occitanie (démo)", None),
    "association2": ("asso2@agora-sante.local", "Thomas, Collectif Aidants 35 (démo)", None),
}


def people():
    return {key: user(email, name, role=role) for key, (email, name, role) in PEOPLE.items()}


def organisations(people_by_key):
    verified, created = Organisation.objects.get_or_create(
        rna="W313000123",
        defaults=dict(
            name="Association des patients dialysés d'Occitanie (démo)",
            kind=Organisation.KIND_ASSOCIATION,
            description="Association de patients insuffisants rénaux : entraide, information, représentation des usagers dans les établissements de la région.",
            postcode="31000",
            city="Toulouse",
            email="contact@patients-dialyses-occitanie.example",
            verified_at=timezone.now(),
        ),
    )
    if created:
        Membership.objects.create(organisation=verified, user=people_by_key["association"], role=Membership.ROLE_ADMIN)
    pending, created = Organisation.objects.get_or_create(
        rna="W353000456",
        defaults=dict(
            name="Collectif des aidants d'Ille-et-Vilaine (démo)",
            kind=Organisation.KIND_ASSOCIATION,
            description="Collectif d'aidants familiaux : groupes de parole, répit, accompagnement numérique.",
            postcode="35000",
            city="Rennes",
        ),
    )
    if created:
        Membership.objects.create(organisation=pending, user=people_by_key["association2"], role=Membership.ROLE_ADMIN)
    return {"verified": verified, "pending": pending}


def site_config():
    from dsfr.models import DsfrConfig

    DsfrConfig.objects.get_or_create(
        language="fr",
        defaults={
            "site_title": "Agora Santé",
            "site_tagline": "La plateforme de la démocratie en santé",
            "header_brand": "Ministère chargé de la santé",
            "footer_brand": "Ministère chargé de la santé",
        },
    )


def load(stdout=None):
    site_config()
    home = home_page()
    institutional_pages(home)
    people_by_key = people()
    orgs = organisations(people_by_key)
    return {"home": home, "people": people_by_key, "organisations": orgs}
