"""Map JSON, list, exports: the same filters give the same set; only published labs appear anywhere."""

import csv
import io
import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def labs(lab_factory):
    return {
        "lyon": lab_factory(
            "Lab Lyon Âge",
            tags=["vieillissement", "e-santé"],
            postcode="69003",
            commune="Lyon",
            latitude=45.76,
            longitude=4.84,
            services=["tests_usage", "formation"],
            publics=["personnes_agees"],
            structure_type="etablissement_sante",
        ),
        "ajaccio": lab_factory(
            "Lab Ajaccio",
            tags=["vieillissement"],
            postcode="20000",
            commune="Ajaccio",
            latitude=41.92,
            longitude=8.74,
            services=["formation"],
            publics=["aidants"],
        ),
        "paris": lab_factory(
            "Lab Paris Psy",
            tags=["santé mentale"],
            postcode="75013",
            commune="Paris",
            latitude=48.83,
            longitude=2.35,
            services=["co_conception"],
            publics=["patients"],
        ),
        "reunion": lab_factory(
            "Lab Réunion",
            tags=["diabète"],
            postcode="97400",
            commune="Saint-Denis",
            latitude=-20.88,
            longitude=55.45,
            services=["evaluation"],
            publics=["patients"],
        ),
        "draft": lab_factory("Lab Brouillon", tags=["vieillissement"], live=False, services=["formation"]),
    }


def map_names(client, query=""):
    data = client.get("/labs/carte.json" + query).json()
    assert data["type"] == "FeatureCollection"
    return {f["properties"]["nom"] for f in data["features"]}


def list_names(client, query=""):
    response = client.get("/living-labs/" + query)
    assert response.status_code == 200
    return {lab.title for lab in response.context["page_obj"].object_list}


def fragment_names(client, query=""):
    response = client.get("/labs/liste/" + query)
    return {lab.title for lab in response.context["page_obj"].object_list}


def export_names(client, fmt, query=""):
    response = client.get(f"/labs/export.{fmt}" + query)
    assert response.status_code == 200
    body = response.content.decode()
    if fmt == "csv":
        return {row["nom"] for row in csv.DictReader(io.StringIO(body))}
    if fmt == "geojson":
        return {f["properties"]["nom"] for f in json.loads(body)["features"]}
    return {row["nom"] for row in json.loads(body)["living_labs"]}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"Lab Lyon Âge", "Lab Ajaccio", "Lab Paris Psy", "Lab Réunion"}),
        ("?region=94", {"Lab Ajaccio"}),
        ("?department=2A", {"Lab Ajaccio"}),
        ("?region=04", {"Lab Réunion"}),
        ("?theme=vieillissement", {"Lab Lyon Âge", "Lab Ajaccio"}),
        ("?service=formation", {"Lab Lyon Âge", "Lab Ajaccio"}),
        ("?public=patients", {"Lab Paris Psy", "Lab Réunion"}),
        ("?structure=etablissement_sante", {"Lab Lyon Âge"}),
        ("?q=paris", {"Lab Paris Psy"}),
        ("?theme=vieillissement&service=formation&region=84", {"Lab Lyon Âge"}),
        ("?region=not-a-region", {"Lab Lyon Âge", "Lab Ajaccio", "Lab Paris Psy", "Lab Réunion"}),
    ],
)
def test_filters_return_the_same_set_everywhere(client, labs, query, expected):
    assert map_names(client, query) == expected
    assert list_names(client, query) == expected
    assert fragment_names(client, query) == expected
    for fmt in ("csv", "geojson", "json"):
        assert export_names(client, fmt, query) == expected


def test_unpublished_labs_never_appear(client, labs):
    labs["paris"].unpublish()
    everywhere = [
        map_names(client),
        list_names(client),
        fragment_names(client),
        export_names(client, "csv"),
        export_names(client, "json"),
        export_names(client, "geojson"),
    ]
    for names in everywhere:
        assert "Lab Brouillon" not in names
        assert "Lab Paris Psy" not in names
    assert client.get(labs["draft"].url_path.replace("/accueil", "", 1)).status_code == 404


def test_exports_never_contain_the_contact_email(client, labs):
    for fmt in ("csv", "geojson", "json"):
        body = client.get(f"/labs/export.{fmt}").content.decode()
        assert "@lab.example" not in body
    assert "@lab.example" not in client.get("/labs/carte.json").content.decode()


def test_geojson_export_is_valid_geojson(client, labs):
    data = json.loads(client.get("/labs/export.geojson").content)
    assert data["type"] == "FeatureCollection"
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point" and -180 <= lon <= 180 and -90 <= lat <= 90
    assert client.get("/labs/export.geojson")["Content-Type"].startswith("application/geo+json")


def test_csv_export_has_the_documented_header(client, labs):
    from livinglabs.exports import OPEN_DATA_FIELDS

    rows = list(csv.reader(io.StringIO(client.get("/labs/export.csv").content.decode())))
    assert rows[0] == [name for name, _ in OPEN_DATA_FIELDS]
    assert len(rows) == 5


def test_unknown_export_format_is_404(client, labs):
    assert client.get("/labs/export.xml").status_code == 404


def test_dcat_description_lists_the_three_distributions(client, labs):
    response = client.get("/labs/dcat.jsonld")
    data = json.loads(response.content)
    assert response["Content-Type"].startswith("application/ld+json")
    assert data["@type"] == "dcat:Dataset"
    formats = {d["dct:format"] for d in data["dcat:distribution"]}
    assert formats == {"GEOJSON", "CSV", "JSON"}


def test_map_json_query_count_does_not_grow_with_labs(client, lab_factory, django_assert_max_num_queries):
    for n in range(15):
        lab_factory(f"Lab {n}", tags=["vieillissement"])
    with django_assert_max_num_queries(4):
        client.get("/labs/carte.json?theme=vieillissement")


def test_list_query_count_does_not_grow_with_labs(client, lab_factory, django_assert_max_num_queries):
    for n in range(15):
        lab_factory(f"Lab {n}", tags=["vieillissement", f"thème {n}"])
    # restrictions, count, index url, sites, DSFR config (x2), labs, themes (prefetch): constant in the number of labs
    with django_assert_max_num_queries(10):
        response = client.get("/labs/liste/?theme=vieillissement")
    assert response.status_code == 200


def test_directory_page_lists_without_javascript_and_paginates(client, lab_factory, settings):
    settings.LIVINGLABS_PAGE_SIZE = 5
    for n in range(12):
        lab_factory(f"Lab {n:02d}")
    page1 = client.get("/living-labs/")
    assert page1.context["page_obj"].paginator.num_pages == 3
    page3 = client.get("/living-labs/?page=3")
    assert [lab.title for lab in page3.context["page_obj"].object_list] == ["Lab 10", "Lab 11"]
    assert 'href="/living-labs/?page=2"' in page1.content.decode()


def test_filters_are_kept_in_pagination_links(client, lab_factory, settings):
    settings.LIVINGLABS_PAGE_SIZE = 2
    for n in range(5):
        lab_factory(f"Lab {n}", tags=["handicap"])
    html = client.get("/living-labs/?theme=handicap").content.decode()
    assert "?theme=handicap&amp;page=2" in html


def test_statistics_count_published_labs_per_region_and_theme(client, labs):
    response = client.get("/labs/statistiques/")
    assert response.status_code == 200
    by_theme = {row["label"]: row["n"] for row in response.context["by_theme"]}
    assert by_theme["vieillissement"] == 2  # the draft is not counted
    by_region = {row["label"]: row["n"] for row in response.context["by_region"]}
    assert by_region["Corse"] == 1 and by_region["La Réunion"] == 1
    assert "<table" in response.content.decode()


def test_home_page_shows_the_teaser(client, labs):
    html = client.get("/").content.decode()
    assert "Living labs en santé" in html
    assert "4 living labs" in html
