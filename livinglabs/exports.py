"""Shapes of the published directory: the light map GeoJSON, the open-data rows (CSV, JSON, GeoJSON) and
the DCAT-AP description. All read plain columns with `.values()` (no page objects, a fixed number of queries).
Never includes the contact e-mail, the proposer or the internal identifier."""

import csv
import io
from collections import defaultdict

from django.conf import settings
from wagtail.models import Site

from core.csvsafe import safe_row
from livinglabs import choices, geo
from livinglabs.models import LivingLabTag

MAP_FIELDS = ("pk", "title", "url_path", "latitude", "longitude", "commune", "department", "status")

OPEN_DATA_FIELDS = [
    # (column, description) — documented in docs/open-data-livinglabs.md
    ("id", "Identifiant numérique stable de la fiche"),
    ("nom", "Nom du living lab"),
    ("url", "Adresse de la fiche sur Agora Santé"),
    ("type_structure", "Type de structure (code)"),
    ("type_structure_libelle", "Type de structure (libellé)"),
    ("adresse", "Adresse postale"),
    ("code_postal", "Code postal"),
    ("commune", "Commune"),
    ("code_commune_insee", "Code commune INSEE (si connu)"),
    ("departement_code", "Code du département"),
    ("departement", "Nom du département"),
    ("region_code", "Code INSEE de la région (COM pour les collectivités d'outre-mer)"),
    ("region", "Nom de la région"),
    ("latitude", "Latitude WGS84 (degrés décimaux)"),
    ("longitude", "Longitude WGS84 (degrés décimaux)"),
    ("thematiques", "Thématiques, séparées par « | »"),
    ("publics", "Publics cibles (codes), séparés par « | »"),
    ("services", "Services proposés (codes), séparés par « | »"),
    ("equipements", "Équipements"),
    ("membre_enoll", "Membre du réseau européen ENoLL (true/false)"),
    ("annee_creation", "Année de création"),
    ("site_internet", "Site internet"),
    ("siret", "SIRET de la structure porteuse"),
    ("statut", "actif ou en_sommeil"),
    ("derniere_verification", "Date de dernière vérification des informations (AAAA-MM-JJ)"),
    ("description", "Description"),
]

VALUE_FIELDS = (
    "pk",
    "title",
    "url_path",
    "structure_type",
    "address",
    "postcode",
    "commune",
    "insee_code",
    "department",
    "region",
    "latitude",
    "longitude",
    "publics",
    "services",
    "equipment",
    "enoll_member",
    "year_founded",
    "website",
    "siret",
    "status",
    "last_verified",
    "description",
)


def site_root_path() -> str:
    """url_path of the default site's root ('/accueil/'): page URLs are url_path without it."""
    return Site.objects.filter(is_default_site=True).values_list("root_page__url_path", flat=True).first() or "/"


def page_url(url_path: str, root_path: str) -> str:
    return "/" + url_path[len(root_path) :] if url_path.startswith(root_path) else url_path


def map_geojson(qs) -> dict:
    """GeoJSON FeatureCollection for the map: only what a marker and its popup need (2 queries)."""
    root = site_root_path()
    departments = geo.departments()
    features = []
    for row in qs.order_by().values_list(*MAP_FIELDS):
        pk, title, url_path, lat, lon, commune, department, status = row
        dept = departments.get(department)
        features.append(
            {
                "type": "Feature",
                "id": pk,
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                "properties": {
                    "nom": title,
                    "url": page_url(url_path, root),
                    "commune": commune,
                    "departement": dept.name if dept else "",
                    "statut": status,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def themes_by_lab(lab_ids) -> dict[int, list[str]]:
    result = defaultdict(list)
    for lab_id, name in (
        LivingLabTag.objects.filter(content_object_id__in=lab_ids)
        .order_by("tag__name")
        .values_list("content_object_id", "tag__name")
    ):
        result[lab_id].append(name)
    return result


def open_data_rows(qs) -> list[dict]:
    """One dict per published lab with the documented open-data columns (3 queries)."""
    root = site_root_path()
    base = settings.SITE_URL.rstrip("/")
    rows = list(qs.order_by("title", "pk").values(*VALUE_FIELDS))
    themes = themes_by_lab([row["pk"] for row in rows])
    departments, regions = geo.departments(), geo.regions()
    result = []
    for row in rows:
        dept = departments.get(row["department"])
        result.append(
            {
                "id": row["pk"],
                "nom": row["title"],
                "url": base + page_url(row["url_path"], root),
                "type_structure": row["structure_type"],
                "type_structure_libelle": str(choices.label(choices.STRUCTURE_TYPES, row["structure_type"])),
                "adresse": row["address"],
                "code_postal": row["postcode"],
                "commune": row["commune"],
                "code_commune_insee": row["insee_code"],
                "departement_code": row["department"],
                "departement": dept.name if dept else "",
                "region_code": row["region"],
                "region": regions.get(row["region"], ""),
                "latitude": row["latitude"],
                "longitude": row["longitude"],
                "thematiques": themes.get(row["pk"], []),
                "publics": row["publics"],
                "services": row["services"],
                "equipements": row["equipment"],
                "membre_enoll": row["enoll_member"],
                "annee_creation": row["year_founded"],
                "site_internet": row["website"],
                "siret": row["siret"],
                "statut": row["status"],
                "derniere_verification": row["last_verified"].isoformat() if row["last_verified"] else None,
                "description": row["description"],
            }
        )
    return result


def rows_to_geojson(rows) -> dict:
    features = []
    for row in rows:
        properties = {k: v for k, v in row.items() if k not in ("latitude", "longitude")}
        features.append(
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def rows_to_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=",", lineterminator="\r\n")
    columns = [name for name, _ in OPEN_DATA_FIELDS]
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            safe_row(
                [
                    "|".join(row[c])
                    if isinstance(row[c], list)
                    else (
                        "true" if row[c] is True else "false" if row[c] is False else ("" if row[c] is None else row[c])
                    )
                    for c in columns
                ]
            )
        )
    return out.getvalue()


def personal_data(user):
    """For "download my data": the labs this person declared (titles and dates only)."""
    from livinglabs.models import LivingLabPage

    labs = LivingLabPage.objects.filter(proposed_by=user).values("pk", "title", "live", "first_published_at")
    return "living_labs_declares", [
        {
            "id": lab["pk"],
            "nom": lab["title"],
            "publie": lab["live"],
            "publie_le": lab["first_published_at"].isoformat() if lab["first_published_at"] else None,
        }
        for lab in labs
    ]


def dcat_dataset(request_base: str, last_modified=None) -> dict:
    """DCAT-AP (JSON-LD) description of the dataset, harvestable by data.gouv.fr."""
    from django.urls import reverse

    def dist(fmt, media, name):
        url = request_base + reverse("livinglabs:export", args=[fmt])
        return {
            "@type": "dcat:Distribution",
            "dct:title": name,
            "dcat:accessURL": {"@id": url},
            "dcat:downloadURL": {"@id": url},
            "dcat:mediaType": media,
            "dct:format": fmt.upper(),
            "dct:license": {"@id": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"},
        }

    dataset_url = request_base + reverse("livinglabs:dcat")
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": dataset_url,
        "@type": "dcat:Dataset",
        "dct:identifier": "agora-sante-living-labs",
        "dct:title": "Living labs en santé en France",
        "dct:description": (
            "Annuaire des living labs en santé (métropole et outre-mer) : localisation, "
            "thématiques, publics, services, statut. Fiches déclarées par les structures et "
            "validées par le ministère chargé de la santé ; revérifiées chaque année."
        ),
        "dcat:keyword": ["living lab", "santé", "innovation", "co-conception", "tests d'usage"],
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": "Ministère chargé de la santé"},
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": "Agora Santé",
            "vcard:hasURL": {"@id": request_base + "/"},
        },
        "dct:license": {"@id": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"},
        "dct:spatial": {"@id": "http://publications.europa.eu/resource/authority/country/FRA"},
        "dct:accrualPeriodicity": {"@id": "http://publications.europa.eu/resource/authority/frequency/CONT"},
        "dct:modified": {"@value": (last_modified.isoformat() if last_modified else None), "@type": "xsd:dateTime"},
        "dcat:landingPage": {"@id": request_base + "/living-labs/"},
        "dcat:theme": {"@id": "http://publications.europa.eu/resource/authority/data-theme/HEAL"},
        "dcat:distribution": [
            dist("geojson", "application/geo+json", "Living labs (GeoJSON)"),
            dist("csv", "text/csv", "Living labs (CSV)"),
            dist("json", "application/json", "Living labs (JSON)"),
        ],
    }
