import pytest
from django.core.management import CommandError, call_command

from livinglabs.importer import import_file
from livinglabs.models import LivingLabPage

pytestmark = pytest.mark.django_db

HEADER = (
    "identifiant;nom;description;type_structure;adresse;code_postal;commune;code_commune_insee;latitude;"
    "longitude;thematiques;publics;services;membre_enoll;annee_creation;site_internet;email_contact;statut;"
    "derniere_verification"
)
ROW_A = (
    "LL-001;Lab Ajaccio Santé;Un lab corse.;collectivite;1 cours Napoléon;20000;Ajaccio;2A004;41.92;8.74;"
    "télémédecine|déserts médicaux;grand_public;accompagnement|evaluation;non;2019;https://a.example.org;"
    "a@lab.example;actif;2025-06-01"
)
ROW_B = (
    "LL-002;Lab Réunion Diabète;Un lab réunionnais.;etablissement_sante;;97400;Saint-Denis;;-20.88;55.45;"
    "diabète;patients;co_conception;oui;2015;;b@lab.example;en_sommeil;"
)


def write(tmp_path, *rows, name="labs.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def run(path, *args):
    import io

    out = io.StringIO()
    call_command("import_livinglabs", str(path), "--no-progress", *args, stdout=out)
    return out.getvalue()


def test_valid_file_is_imported_and_published(tmp_path, lab_index, client):
    out = run(write(tmp_path, ROW_A, ROW_B))
    assert "2 créé(s)" in out
    a = LivingLabPage.objects.get(identifier="LL-001")
    assert a.live and (a.department, a.region) == ("2A", "94")
    assert sorted(t.name for t in a.tags.all()) == ["déserts médicaux", "télémédecine"]
    assert a.services == ["accompagnement", "evaluation"]
    assert str(a.last_verified) == "2025-06-01"
    b = LivingLabPage.objects.get(identifier="LL-002")
    assert b.enoll_member and b.status == "en_sommeil" and b.department == "974"
    assert len(client.get("/labs/carte.json").json()["features"]) == 2


def test_reimport_updates_instead_of_duplicating(tmp_path, lab_index):
    run(write(tmp_path, ROW_A, ROW_B))
    changed = ROW_A.replace("Un lab corse.", "Un lab corse, mis à jour.")
    out = run(write(tmp_path, changed, ROW_B, name="again.csv"))
    assert "0 créé(s), 1 mis à jour, 1 inchangé(s)" in out
    assert LivingLabPage.objects.count() == 2
    assert LivingLabPage.objects.get(identifier="LL-001").description == "Un lab corse, mis à jour."


def test_file_with_errors_imports_nothing_and_reports_line_field_error(tmp_path, lab_index):
    bad_coords = ROW_B.replace("-20.88;55.45", "51.5;-0.12")
    bad_service = ROW_A.replace("LL-001", "LL-003").replace("accompagnement|evaluation", "accompagnement|magie")
    path = write(tmp_path, ROW_A, bad_coords, bad_service)
    with pytest.raises(CommandError, match="aucune ligne importée"):
        run(path)
    assert LivingLabPage.objects.count() == 0
    with open(path, "rb") as handle:
        report = import_file(handle)
    assert report.aborted
    errors = {(e.line, e.column) for e in report.errors}
    assert (3, "latitude") in errors and (4, "services") in errors
    assert any("hors de France" in e.message for e in report.errors)


def test_skip_invalid_imports_only_complete_valid_rows(tmp_path, lab_index):
    bad = ROW_B.replace("97400", "9740")
    out = run(write(tmp_path, ROW_A, bad), "--skip-invalid")
    assert "1 créé(s)" in out and "1 ligne(s) ignorée(s)" in out
    assert "3;code_postal;" in out
    assert list(LivingLabPage.objects.values_list("identifier", flat=True)) == ["LL-001"]


def test_duplicate_identifiers_in_one_file_are_reported(tmp_path, lab_index):
    with open(write(tmp_path, ROW_A, ROW_A), "rb") as handle:
        report = import_file(handle)
    assert [(e.line, e.column) for e in report.errors] == [(3, "identifiant")]


def test_missing_required_columns_are_reported(tmp_path, lab_index):
    path = tmp_path / "short.csv"
    path.write_text("identifiant;nom\nX;Y\n", encoding="utf-8")
    with open(path, "rb") as handle:
        report = import_file(handle)
    assert report.aborted and "latitude" in report.errors[0].column


def test_comma_separated_files_with_bom_are_accepted(tmp_path, lab_index):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in (HEADER, ROW_A):
        writer.writerow(line.split(";"))
    path = tmp_path / "comma.csv"
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    assert "1 créé(s)" in run(path)


def test_progress_bar_goes_to_stderr(tmp_path, lab_index, capsys):
    call_command("import_livinglabs", str(write(tmp_path, ROW_A)))
    captured = capsys.readouterr()
    assert "[" in captured.err and "#" in captured.err
    assert "1 créé(s)" in captured.out
