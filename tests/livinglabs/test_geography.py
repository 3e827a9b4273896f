import pytest
from django.core.exceptions import ValidationError

from livinglabs import geo


@pytest.mark.parametrize(
    "postcode, code, region",
    [
        ("75011", "75", "Île-de-France"),
        ("69003", "69", "Auvergne-Rhône-Alpes"),
        ("01000", "01", "Auvergne-Rhône-Alpes"),
        ("20000", "2A", "Corse"),  # Ajaccio
        ("20137", "2A", "Corse"),  # Porto-Vecchio
        ("20200", "2B", "Corse"),  # Bastia
        ("20600", "2B", "Corse"),  # Bastia (Furiani)
        ("20250", "2B", "Corse"),  # Corte
        ("97110", "971", "Guadeloupe"),
        ("97200", "972", "Martinique"),
        ("97300", "973", "Guyane"),
        ("97400", "974", "La Réunion"),
        ("97600", "976", "Mayotte"),
        ("97133", "977", "Collectivités d'outre-mer"),  # Saint-Barthélemy uses a Guadeloupe postcode
        ("98800", "988", "Collectivités d'outre-mer"),
    ],
)
def test_postcode_gives_department_and_region(postcode, code, region):
    dept = geo.department_for(postcode)
    assert dept.code == code
    assert dept.region_name == region


@pytest.mark.parametrize("insee, code", [("2A004", "2A"), ("2b033", "2B"), ("97411", "974"), ("75056", "75")])
def test_insee_commune_code_wins_over_postcode(insee, code):
    assert geo.department_code_for("05110", insee) == code


@pytest.mark.parametrize("postcode", ["", "7501", "ABCDE", "00100", "96000", "99999"])
def test_unknown_postcodes_give_no_department(postcode):
    assert geo.department_for(postcode) is None


def test_table_has_every_department_and_region():
    departments = geo.departments()
    assert len([c for c in departments if len(c) == 2]) == 96  # 94 numbered + 2A + 2B
    assert {"971", "972", "973", "974", "976"} <= set(departments)
    assert len([c for c in geo.regions() if c != "COM"]) == 18


@pytest.mark.parametrize(
    "lat, lon",
    [
        (48.85, 2.35),  # Paris
        (41.93, 8.74),  # Ajaccio
        (16.24, -61.53),  # Pointe-à-Pitre
        (14.61, -61.07),  # Fort-de-France
        (4.94, -52.33),  # Cayenne
        (-20.88, 55.45),  # Saint-Denis (La Réunion)
        (-12.78, 45.23),  # Mamoudzou
    ],
)
def test_coordinates_in_france_are_accepted(lat, lon):
    assert geo.coordinates_error(lat, lon) is None


@pytest.mark.parametrize(
    "lat, lon",
    [
        (51.5, -0.12),  # London
        (40.42, -3.70),  # Madrid
        (2.35, 48.85),  # Paris with lat/lon swapped (Somalia)
        (0, 0),
    ],
)
def test_coordinates_outside_france_are_refused_with_a_clear_message(lat, lon):
    message = geo.coordinates_error(lat, lon)
    assert "hors de France" in message


def test_impossible_coordinates_are_refused():
    assert "impossibles" in geo.coordinates_error(120, 2)


def test_haversine_paris_lyon_is_about_392_km():
    assert 385 < geo.haversine_km(48.8566, 2.3522, 45.764, 4.8357) < 400


@pytest.mark.django_db
def test_lab_page_derives_department_and_region_and_keeps_editor_choices(lab_factory):
    lab = lab_factory(postcode="20090", commune="Ajaccio", latitude=41.92, longitude=8.74)
    assert (lab.department, lab.region) == ("2A", "94")
    lab.department, lab.region = "2B", "94"  # an editor corrects it
    lab.save()
    lab.refresh_from_db()
    assert lab.department == "2B"


@pytest.mark.django_db
def test_lab_page_clean_refuses_coordinates_outside_france(lab_factory):
    lab = lab_factory()
    lab.latitude, lab.longitude = 51.5, -0.12
    with pytest.raises(ValidationError) as error:
        lab.full_clean()
    assert "hors de France" in str(error.value.message_dict["latitude"])
