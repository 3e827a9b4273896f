"""Bulk import of living labs from CSV (documented in docs/livinglabs.md).

Every row is validated completely (same rules as the declaration form) before anything is written. By
default one invalid row aborts the whole file: nothing is written and the report lists every error. With
`skip_invalid=True`, valid rows are imported and invalid ones are reported and left out. Either way a row is
never half-imported: all writes happen in one transaction, and a row is written only once fully validated.
Rows are matched on the `identifiant` column: re-importing a file updates the labs instead of duplicating them.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from livinglabs import geo
from livinglabs.forms import LabProposalForm
from livinglabs.models import LivingLabPage
from livinglabs.services import get_index_page, unique_slug

# CSV column -> form field (see docs/livinglabs.md for formats)
COLUMNS = {
    "identifiant": "identifier",
    "nom": "title",
    "description": "description",
    "type_structure": "structure_type",
    "adresse": "address",
    "code_postal": "postcode",
    "commune": "commune",
    "code_commune_insee": "insee_code",
    "departement": "department",
    "region": "region",
    "latitude": "latitude",
    "longitude": "longitude",
    "thematiques": "tags",
    "publics": "publics",
    "services": "services",
    "equipements": "equipment",
    "membre_enoll": "enoll_member",
    "annee_creation": "year_founded",
    "site_internet": "website",
    "siret": "siret",
    "email_contact": "contact_email",
    "statut": "status",
    "derniere_verification": "last_verified",
}
REQUIRED_COLUMNS = {
    "identifiant",
    "nom",
    "description",
    "type_structure",
    "code_postal",
    "commune",
    "latitude",
    "longitude",
    "email_contact",
}
TRUE_VALUES, FALSE_VALUES = {"1", "oui", "true", "vrai", "o", "yes"}, {"", "0", "non", "false", "faux", "n", "no"}
LIST_SEPARATOR = "|"


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)
    aborted: bool = False

    @property
    def ok(self):
        return not self.errors


FIELD_TO_COLUMN = {v: k for k, v in COLUMNS.items()}


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", LIST_SEPARATOR).split(LIST_SEPARATOR) if part.strip()]


def parse_date(value: str):
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError


def validate_row(line: int, row: dict) -> tuple[dict | None, list[RowError]]:
    """Clean one CSV row; return (data, []) or (None, errors)."""
    errors = []
    raw = {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
    form_data = {
        COLUMNS[col]: raw.get(col, "")
        for col in COLUMNS
        if COLUMNS[col]
        not in ("publics", "services", "tags", "enoll_member", "last_verified", "identifier", "department", "region")
    }
    form_data["publics"] = split_list(raw.get("publics", ""))
    form_data["services"] = split_list(raw.get("services", ""))
    form_data["tags"] = ", ".join(split_list(raw.get("thematiques", "")))
    form_data["status"] = form_data.get("status") or LivingLabPage.STATUS_ACTIVE
    enoll = raw.get("membre_enoll", "").lower()
    if enoll in TRUE_VALUES:
        form_data["enoll_member"] = "on"
    elif enoll not in FALSE_VALUES:
        errors.append(RowError(line, "membre_enoll", "Valeur attendue : oui ou non."))
    form = LabProposalForm(form_data)
    if not form.is_valid():
        for name, messages in form.errors.items():
            column = FIELD_TO_COLUMN.get(name, name)
            errors.extend(RowError(line, column, str(m)) for m in messages)
    identifier = raw.get("identifiant", "")
    if not identifier:
        errors.append(RowError(line, "identifiant", "Ce champ est obligatoire."))
    elif len(identifier) > 64:
        errors.append(RowError(line, "identifiant", "64 caractères au plus."))
    last_verified = timezone.localdate()
    if raw.get("derniere_verification"):
        try:
            last_verified = parse_date(raw["derniere_verification"])
        except ValueError:
            errors.append(RowError(line, "derniere_verification", "Date attendue au format AAAA-MM-JJ."))
        else:
            if last_verified > timezone.localdate():
                errors.append(RowError(line, "derniere_verification", "La date ne peut pas être dans le futur."))
    department, region = raw.get("departement", "").upper(), raw.get("region", "").upper()
    if department and department not in geo.departments():
        errors.append(RowError(line, "departement", f"Département inconnu : {department}."))
    if region and region not in geo.regions():
        errors.append(RowError(line, "region", f"Région inconnue : {region}."))
    if errors:
        return None, errors
    data = dict(form.cleaned_data)
    data.pop("website_url", None)
    data.update(identifier=identifier, last_verified=last_verified)
    if department:
        data["department"] = department
        data["region"] = region or geo.departments()[department].region_code
    elif region:
        data["region"] = region
    return data, []


def current_values(lab: LivingLabPage, data: dict) -> dict:
    values = {name: getattr(lab, name) for name in data if name != "tags"}
    values["tags"] = sorted(t.name for t in lab.tags.all())
    return values


def write_row(index, existing: LivingLabPage | None, data: dict) -> str:
    tags = data["tags"]
    fields = {k: v for k, v in data.items() if k != "tags"}
    if existing is not None:
        before = current_values(existing, data)
        if before == {**fields, "tags": sorted(tags)}:
            return "unchanged"
        for name, value in fields.items():
            setattr(existing, name, value)
        if "department" not in fields:
            existing.fill_geography(force=True)
        existing.draft_title = existing.title
        existing.tags.set(tags, clear=True)
        existing.save()
        existing.save_revision(log_action=True).publish()
        return "updated"
    lab = LivingLabPage(**fields)
    lab.slug = unique_slug(index, lab.title)
    index.add_child(instance=lab)
    lab.tags.set(tags)
    lab.save()
    lab.save_revision(log_action=True).publish()
    return "created"


def read_rows(handle):
    text = handle.read()
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    text = text.lstrip("\ufeff")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    return reader


def import_file(handle, skip_invalid=False, progress=None) -> ImportReport:
    """Validate then import; `progress(done, total)` is called as rows are processed."""
    report = ImportReport()
    reader = read_rows(handle)
    columns = {c.strip().lower() for c in (reader.fieldnames or [])}
    missing = REQUIRED_COLUMNS - columns
    if missing:
        report.errors.append(RowError(1, ", ".join(sorted(missing)), "Colonne(s) obligatoire(s) absente(s)."))
        report.aborted = True
        return report
    rows = list(reader)
    total = len(rows)
    valid, seen = [], {}
    for n, row in enumerate(rows, start=2):  # line 1 is the header
        data, errors = validate_row(n, row)
        if data and data["identifier"] in seen:
            errors = [RowError(n, "identifiant", f"Identifiant déjà présent ligne {seen[data['identifier']]}.")]
            data = None
        if data:
            seen[data["identifier"]] = n
            valid.append((n, data))
        report.errors.extend(errors)
        if progress:
            progress(n - 1, total * 2)
    if report.errors and not skip_invalid:
        report.aborted = True
        return report
    report.skipped = total - len(valid)
    index = get_index_page()
    existing = {
        lab.identifier: lab for lab in LivingLabPage.objects.filter(identifier__in=[d["identifier"] for _, d in valid])
    }
    with transaction.atomic():
        for done, (_line, data) in enumerate(valid, start=1):
            outcome = write_row(index, existing.get(data["identifier"]), data)
            setattr(report, outcome, getattr(report, outcome) + 1)
            if progress:
                progress(total + done, total + len(valid))
    return report
