"""Demo content for livinglabs/ (called by `manage.py load_demo` after core; idempotent by `identifier`).

About forty fictional living labs in real towns (coordinates near the town centre) across metropolitan regions,
Corsica and overseas; a few dormant, one overdue for verification, one self-declaration awaiting moderation.
"""

import datetime

from django.utils import timezone
from django.utils.text import slugify

from livinglabs.models import LivingLabPage
from livinglabs.services import ensure_index_page, propose_lab

# identifier, name, commune, postcode, lat, lon, structure, themes, publics, services, status, enoll, year
LABS = [
    ("demo-001", "Silver Lab Rhône", "Lyon", "69003", 45.7597, 4.8422, "etablissement_sante", ["vieillissement", "maintien à domicile"], ["personnes_agees", "aidants"], ["tests_usage", "co_conception"], "actif", True, 2014),
    ("demo-002", "Atelier santé connectée Part-Dieu", "Lyon", "69003", 45.7606, 4.8590, "entreprise", ["e-santé", "dispositifs médicaux"], ["patients", "entreprises"], ["prototypage", "tests_usage"], "actif", False, 2019),
    ("demo-003", "Lab Autonomie Grenoble Alpes", "Grenoble", "38000", 45.1885, 5.7245, "universite", ["handicap", "vieillissement", "domotique"], ["handicap", "personnes_agees"], ["recherche", "evaluation"], "actif", True, 2011),
    ("demo-004", "Maison des usages numériques de Saint-Étienne", "Saint-Étienne", "42000", 45.4397, 4.3872, "collectivite", ["e-santé", "inclusion numérique"], ["grand_public", "personnes_agees"], ["acculturation", "formation"], "actif", False, 2017),
    ("demo-005", "Clermont Living Lab Prévention", "Clermont-Ferrand", "63000", 45.7772, 3.0870, "universite", ["prévention", "nutrition"], ["jeunes", "grand_public"], ["recherche", "co_conception"], "en_sommeil", False, 2015),
    ("demo-006", "Paris Santé Mentale Lab", "Paris", "75013", 48.8322, 2.3561, "etablissement_sante", ["santé mentale", "e-santé"], ["patients", "professionnels"], ["co_conception", "evaluation"], "actif", True, 2016),
    ("demo-007", "Lab des aidants Île-de-France", "Créteil", "94000", 48.7904, 2.4556, "association", ["aidants", "maladies chroniques"], ["aidants"], ["co_conception", "accompagnement"], "actif", False, 2020),
    ("demo-008", "Living Lab Hôpital numérique Saclay", "Gif-sur-Yvette", "91190", 48.7018, 2.1339, "universite", ["dispositifs médicaux", "intelligence artificielle"], ["professionnels", "entreprises"], ["tests_usage", "evaluation", "prototypage"], "actif", True, 2012),
    ("demo-009", "Quartier Santé Saint-Denis", "Saint-Denis", "93200", 48.9362, 2.3574, "tiers_lieu", ["santé environnement", "prévention"], ["grand_public", "jeunes"], ["co_conception", "acculturation"], "actif", False, 2021),
    ("demo-010", "Lab Handicap et Mobilité Lille", "Lille", "59000", 50.6292, 3.0573, "medico_social", ["handicap", "mobilité"], ["handicap", "aidants"], ["tests_usage", "co_conception"], "actif", True, 2013),
    ("demo-011", "Amiens Lab Grand Âge", "Amiens", "80000", 49.8941, 2.2958, "etablissement_sante", ["vieillissement", "chutes"], ["personnes_agees"], ["evaluation", "tests_usage"], "actif", False, 2018),
    ("demo-012", "Lab Santé Rurale Ardennes", "Charleville-Mézières", "08000", 49.7620, 4.7263, "collectivite", ["déserts médicaux", "télémédecine"], ["grand_public", "professionnels"], ["accompagnement", "evaluation"], "actif", False, 2019),
    ("demo-013", "Strasbourg MedTech Living Lab", "Strasbourg", "67000", 48.5734, 7.7521, "universite", ["dispositifs médicaux", "chirurgie"], ["professionnels", "entreprises"], ["prototypage", "tests_usage"], "actif", True, 2010),
    ("demo-014", "Nancy Lab Domicile", "Nancy", "54000", 48.6921, 6.1844, "universite", ["maintien à domicile", "domotique", "vieillissement"], ["personnes_agees", "aidants"], ["recherche", "tests_usage"], "actif", True, 2009),
    ("demo-015", "Reims Lab Maladies Chroniques", "Reims", "51100", 49.2583, 4.0317, "etablissement_sante", ["maladies chroniques", "éducation thérapeutique"], ["patients"], ["co_conception", "formation"], "actif", False, 2017),
    ("demo-016", "Dijon Lab Nutrition et Santé", "Dijon", "21000", 47.3220, 5.0415, "universite", ["nutrition", "prévention"], ["grand_public", "patients"], ["recherche", "evaluation"], "actif", False, 2016),
    ("demo-017", "Besançon Lab Télésanté", "Besançon", "25000", 47.2378, 6.0241, "etablissement_sante", ["télémédecine", "e-santé"], ["patients", "professionnels"], ["tests_usage", "evaluation"], "actif", False, 2015),
    ("demo-018", "Rennes Lab Santé Numérique", "Rennes", "35000", 48.1173, -1.6778, "universite", ["e-santé", "données de santé"], ["professionnels", "entreprises"], ["prototypage", "evaluation"], "actif", True, 2012),
    ("demo-019", "Brest Lab Mer et Santé", "Brest", "29200", 48.3904, -4.4861, "association", ["santé environnement", "prévention"], ["grand_public"], ["acculturation", "recherche"], "en_sommeil", False, 2014),
    ("demo-020", "Lab Usagers Nantes Estuaire", "Nantes", "44000", 47.2184, -1.5536, "etablissement_sante", ["parcours de soins", "maladies chroniques"], ["patients", "aidants"], ["co_conception", "evaluation"], "actif", True, 2013),
    ("demo-021", "Angers Lab Autonomie", "Angers", "49000", 47.4784, -0.5632, "medico_social", ["handicap", "maintien à domicile"], ["handicap", "personnes_agees"], ["tests_usage", "formation"], "actif", False, 2018),
    ("demo-022", "Le Mans Lab Sport Santé", "Le Mans", "72000", 48.0061, 0.1996, "collectivite", ["activité physique", "prévention"], ["jeunes", "grand_public"], ["accompagnement", "acculturation"], "actif", False, 2022),
    ("demo-023", "Tours Lab Périnatalité", "Tours", "37000", 47.3941, 0.6848, "etablissement_sante", ["périnatalité", "e-santé"], ["patients", "jeunes"], ["co_conception", "tests_usage"], "actif", False, 2019),
    ("demo-024", "Orléans Lab Pharmacie de demain", "Orléans", "45000", 47.9030, 1.9093, "entreprise", ["médicament", "parcours de soins"], ["professionnels", "patients"], ["prototypage", "tests_usage"], "actif", False, 2020),
    ("demo-025", "Caen Lab Vieillir Chez Soi", "Caen", "14000", 49.1829, -0.3707, "universite", ["vieillissement", "maintien à domicile"], ["personnes_agees", "aidants"], ["recherche", "co_conception"], "actif", True, 2011),
    ("demo-026", "Rouen Lab Santé Mentale Jeunes", "Rouen", "76000", 49.4432, 1.0999, "association", ["santé mentale", "adolescence"], ["jeunes"], ["co_conception", "acculturation"], "actif", False, 2021),
    ("demo-027", "Bordeaux Lab Santé Publique", "Bordeaux", "33000", 44.8378, -0.5792, "universite", ["prévention", "données de santé"], ["grand_public", "professionnels"], ["recherche", "evaluation"], "actif", True, 2012),
    ("demo-028", "Limoges Lab Gérontechnologie", "Limoges", "87000", 45.8336, 1.2611, "etablissement_sante", ["vieillissement", "domotique"], ["personnes_agees"], ["tests_usage", "evaluation"], "actif", True, 2010),
    ("demo-029", "Poitiers Lab Handicap Psychique", "Poitiers", "86000", 46.5802, 0.3404, "medico_social", ["santé mentale", "handicap"], ["handicap", "aidants"], ["co_conception", "formation"], "actif", False, 2017),
    ("demo-030", "Pau Lab Montagne Santé", "Pau", "64000", 43.2951, -0.3708, "collectivite", ["déserts médicaux", "télémédecine"], ["grand_public"], ["accompagnement", "tests_usage"], "actif", False, 2020),
    ("demo-031", "Toulouse Lab Longévité", "Toulouse", "31000", 43.6047, 1.4442, "etablissement_sante", ["vieillissement", "prévention", "fragilité"], ["personnes_agees", "professionnels"], ["recherche", "evaluation", "tests_usage"], "actif", True, 2008),
    ("demo-032", "Montpellier Lab Santé Connectée", "Montpellier", "34000", 43.6108, 3.8767, "universite", ["e-santé", "maladies chroniques", "diabète"], ["patients", "entreprises"], ["prototypage", "evaluation"], "actif", True, 2014),
    ("demo-033", "Nîmes Lab Accessibilité", "Nîmes", "30000", 43.8367, 4.3601, "association", ["handicap", "accessibilité"], ["handicap"], ["tests_usage", "acculturation"], "en_sommeil", False, 2016),
    ("demo-034", "Marseille Lab Santé des Quartiers", "Marseille", "13003", 43.3120, 5.3800, "tiers_lieu", ["santé environnement", "inclusion numérique", "prévention"], ["grand_public", "jeunes"], ["co_conception", "accompagnement"], "actif", False, 2019),
    ("demo-035", "Nice Lab Silver Économie", "Nice", "06000", 43.7102, 7.2620, "entreprise", ["vieillissement", "e-santé"], ["personnes_agees", "entreprises"], ["tests_usage", "prototypage"], "actif", True, 2013),
    ("demo-036", "Avignon Lab Aidants Proches", "Avignon", "84000", 43.9493, 4.8055, "association", ["aidants", "maladies neurodégénératives"], ["aidants"], ["formation", "co_conception"], "actif", False, 2018),
    ("demo-037", "Ajaccio Lab Insularité et Santé", "Ajaccio", "20000", 41.9192, 8.7386, "collectivite", ["télémédecine", "déserts médicaux"], ["grand_public", "professionnels"], ["accompagnement", "evaluation"], "actif", False, 2019),
    ("demo-038", "Bastia Lab Bien Vieillir", "Bastia", "20200", 42.6977, 9.4508, "medico_social", ["vieillissement", "maintien à domicile"], ["personnes_agees"], ["tests_usage", "co_conception"], "actif", False, 2021),
    ("demo-039", "Pointe-à-Pitre Lab Drépanocytose", "Pointe-à-Pitre", "97110", 16.2411, -61.5331, "etablissement_sante", ["maladies chroniques", "drépanocytose"], ["patients", "aidants"], ["co_conception", "evaluation"], "actif", False, 2017),
    ("demo-040", "Fort-de-France Lab Chlordécone et Santé", "Fort-de-France", "97200", 14.6161, -61.0588, "universite", ["santé environnement", "prévention"], ["grand_public"], ["recherche", "acculturation"], "actif", False, 2018),
    ("demo-041", "Saint-Denis Lab Diabète Océan Indien", "Saint-Denis", "97400", -20.8823, 55.4504, "etablissement_sante", ["diabète", "maladies chroniques", "nutrition"], ["patients"], ["co_conception", "tests_usage", "formation"], "actif", True, 2015),
    ("demo-042", "Cayenne Lab Santé Amazonie", "Cayenne", "97300", 4.9372, -52.3260, "association", ["télémédecine", "déserts médicaux"], ["grand_public"], ["accompagnement", "tests_usage"], "actif", False, 2020),
]

OVERDUE_LAB = "demo-019"      # dormant in Brest, last verified ~16 months ago
DUE_LAB = "demo-012"          # verified 13 months ago: the next revalidation run e-mails it


def verified_date(identifier: str) -> datetime.date:
    today = timezone.localdate()
    if identifier == OVERDUE_LAB:
        return today - datetime.timedelta(days=490)
    if identifier == DUE_LAB:
        return today - datetime.timedelta(days=395)
    return today - datetime.timedelta(days=(int(identifier[-3:]) * 7) % 300)


def description(name, commune, themes):
    return (
        f"{name} réunit patients, aidants, professionnels et chercheurs à {commune} autour de "
        f"{', '.join(themes[:-1]) + ' et ' + themes[-1] if len(themes) > 1 else themes[0]}. "
        "Le lab accueille des ateliers de co-conception, des tests en situation réelle et accompagne les "
        "porteurs de projets, de l'idée à l'évaluation."
    )


def load(stdout=None, context=None):
    context = context or {}
    index = ensure_index_page(context["home"])
    existing = set(LivingLabPage.objects.filter(identifier__startswith="demo-").values_list("identifier", flat=True))
    created = 0
    for (identifier, name, commune, postcode, lat, lon, structure, themes, publics, services_, status, enoll,
         year) in LABS:
        if identifier in existing:
            continue
        slug = slugify(f"{name}")[:50]
        lab = LivingLabPage(
            title=name, slug=slug, identifier=identifier, description=description(name, commune, themes),
            structure_type=structure, postcode=postcode, commune=commune,
            address=f"{(int(identifier[-3:]) * 3) % 90 + 1} rue de la République", latitude=lat, longitude=lon,
            publics=publics, services=services_, status=status, enoll_member=enoll, year_founded=year,
            equipment="Appartement témoin, salle d'observation, matériel de captation." if int(identifier[-3:]) % 3 == 0 else "",
            website=f"https://{slugify(name)[:40].strip('-')}.example.org",
            contact_email=f"contact+{identifier}@living-labs.example",
            last_verified=verified_date(identifier),
        )
        index.add_child(instance=lab)
        lab.tags.set(themes)
        lab.save()
        lab.save_revision().publish()
        created += 1

    pending = None
    people = context.get("people") or {}
    proposer = people.get("association")
    if proposer is not None and not LivingLabPage.objects.filter(proposed_by=proposer).exists():
        pending = propose_lab(proposer, {
            "title": "Lab Citoyen Santé Vosges",
            "description": ("Un collectif d'usagers et de soignants d'Épinal qui veut tester des outils de "
                            "coordination entre l'hôpital et la ville."),
            "structure_type": "association", "address": "12 quai des Bons Enfants", "postcode": "88000",
            "commune": "Épinal", "insee_code": "", "latitude": 48.1724, "longitude": 6.4496,
            "tags": ["parcours de soins", "e-santé"], "publics": ["patients", "professionnels"],
            "services": ["co_conception", "tests_usage"], "equipment": "", "enoll_member": False,
            "year_founded": 2024, "website": "", "siret": "", "contact_email": "lab-vosges@association.example",
            "status": "actif",
        })
    if stdout:
        stdout.write(f"livinglabs: {created} living lab(s) created" + (", 1 declaration pending" if pending else ""))
    return {"livinglabs_index": index}
