"""French administrative geography from the bundled table (livinglabs/data/departements.csv).

The table lists every department (INSEE code, name, region code and name), Corsica as 2A/2B, the five
overseas departments (971-974, 976) and the overseas collectivities, grouped under the pseudo-region "COM".
It is small and stable (last change: the 2016 regions), so it ships with the code instead of being fetched.
"""

import csv
import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

DATA_FILE = Path(__file__).resolve().parent / "data" / "departements.csv"

POSTCODE_RE = re.compile(r"^\d{5}$")
INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)

# Postcodes of the Guadeloupe range that belong to the collectivities of Saint-Barthélemy and Saint-Martin.
SPECIAL_POSTCODES = {"97133": "977", "97150": "978"}


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    region_code: str
    region_name: str


@functools.cache
def departments() -> dict[str, Department]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return {
            row["code"]: Department(row["code"], row["nom"], row["region_code"], row["region_nom"])
            for row in csv.DictReader(handle, delimiter=";")
        }


@functools.cache
def regions() -> dict[str, str]:
    """Region code -> name, in the table's order (metropolitan regions first, then overseas)."""
    result = {}
    for dept in departments().values():
        result.setdefault(dept.region_code, dept.region_name)

    def order(item):
        code, name = item
        group = 2 if not code.isdigit() else (1 if int(code) < 10 else 0)  # metropolitan, overseas, COM
        return (group, name)

    return dict(sorted(result.items(), key=order))


def department_choices():
    return [(code, f"{code} – {dept.name}") for code, dept in departments().items()]


def region_choices():
    return list(regions().items())


def department_code_for(postcode: str = "", insee_code: str = "") -> str | None:
    """Department code for a commune: the INSEE commune code wins (exact), else the postcode (conventional).

    Corsica: INSEE codes start with 2A/2B; postcodes 200xx-201xx are Corse-du-Sud (2A), 202xx and 206xx
    Haute-Corse (2B). Overseas: the first three digits (971... 988), except Saint-Barthélemy (97133) and
    Saint-Martin (97150), which use Guadeloupe's range.
    """
    insee_code = (insee_code or "").strip().upper()
    if insee_code and INSEE_RE.match(insee_code):
        code = insee_code[:3] if insee_code.startswith("97") or insee_code.startswith("98") else insee_code[:2]
        return code if code in departments() else None
    postcode = (postcode or "").strip()
    if not POSTCODE_RE.match(postcode):
        return None
    if postcode in SPECIAL_POSTCODES:
        return SPECIAL_POSTCODES[postcode]
    if postcode.startswith("20"):
        return "2A" if int(postcode[2:]) < 200 else "2B"
    code = postcode[:3] if postcode[:2] in ("97", "98") else postcode[:2]
    if code == "00":
        return None
    return code if code in departments() else None


def department_for(postcode: str = "", insee_code: str = "") -> Department | None:
    code = department_code_for(postcode, insee_code)
    return departments().get(code) if code else None


# (name, lat_min, lat_max, lon_min, lon_max): generous boxes around each part of France.
FRANCE_BOXES = [
    ("France métropolitaine et Corse", 41.3, 51.2, -5.3, 9.7),
    ("Guadeloupe, Saint-Barthélemy et Saint-Martin", 15.8, 18.2, -63.2, -60.9),
    ("Martinique", 14.35, 14.95, -61.3, -60.75),
    ("Guyane", 2.1, 5.85, -54.7, -51.5),
    ("La Réunion", -21.45, -20.8, 55.15, 55.9),
    ("Mayotte", -13.1, -12.55, 44.95, 45.35),
    ("Saint-Pierre-et-Miquelon", 46.7, 47.2, -56.5, -56.1),
    ("Wallis-et-Futuna", -14.45, -13.15, -178.3, -176.1),
    ("Polynésie française", -28.0, -7.8, -155.0, -134.0),
    ("Nouvelle-Calédonie", -23.0, -19.5, 163.5, 168.2),
]


def france_area(lat: float, lon: float) -> str | None:
    """Name of the part of France containing the point, or None when it lies outside France."""
    for name, lat_min, lat_max, lon_min, lon_max in FRANCE_BOXES:
        if lat_min <= lat <= lat_max and lon_min <= lon <= lon_max:
            return name
    return None


def coordinates_error(lat, lon) -> str | None:
    """French error message when the coordinates are missing, impossible or outside France; else None."""
    if lat is None or lon is None:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return _("Coordonnées impossibles : la latitude doit être entre -90 et 90 et la longitude entre -180 et 180.")
    if france_area(lat, lon) is None:
        return _(
            "Ces coordonnées (%(lat)s, %(lon)s) sont hors de France (métropole, Corse et outre-mer). "
            "Vérifiez que la latitude et la longitude ne sont pas inversées."
        ) % {"lat": lat, "lon": lon}
    return None


EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
