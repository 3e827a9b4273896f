"""Living labs in a real browser: filters drive the map and the list, the list works keyboard-only and
without JavaScript, and the map, detail and declaration pages pass axe-core (no serious/critical issue)."""

import re

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser

CITIZEN = "citoyenne@agora-sante.local"


@pytest.fixture
def offline_tiles(page):
    # Map tiles come from OpenStreetMap: not reachable here and irrelevant to the behaviour under test.
    page.route(re.compile(r"https://[^/]*tile\.openstreetmap\.(fr|org)/.*"), lambda route: route.abort())
    return page


def wait_for_markers(page, count=None):
    page.wait_for_function("document.getElementById('lab-map').dataset.count !== undefined")
    if count is not None:
        page.wait_for_function(f"document.getElementById('lab-map').dataset.count === '{count}'")
    return int(page.get_attribute("#lab-map", "data-count"))


def table_names(page):
    return page.locator("#lab-table tbody tr td:first-child a").all_inner_texts()


def test_filtering_updates_map_and_list_without_reload(offline_tiles, live_url):
    page = offline_tiles
    page.goto(live_url + "/living-labs/")
    total = wait_for_markers(page)
    assert total >= 40
    page.evaluate("window.__sameDocument = true")
    page.select_option("#id_region", "94")  # Corse
    wait_for_markers(page, 2)
    page.wait_for_function("document.getElementById('lab-list-title').textContent.includes('2 living labs')")
    # The title and the table are swapped by separate DOM updates: wait for the table too.
    page.wait_for_function("document.querySelectorAll('#lab-table tbody tr').length === 2")
    assert sorted(table_names(page)) == ["Ajaccio Lab Insularité et Santé", "Bastia Lab Bien Vieillir"]
    page.wait_for_function("document.getElementById('lab-status').textContent.includes('2 living labs')")
    assert "region=94" in page.url  # shareable
    assert page.evaluate("window.__sameDocument") is True  # no reload
    assert "region=94" in page.get_attribute("#lab-exports a[data-base]", "href")
    # A shared URL restores the same selection.
    page.goto(page.url)
    wait_for_markers(page, 2)
    assert len(table_names(page)) == 2


def test_marker_popup_links_to_the_detail_page(offline_tiles, live_url):
    page = offline_tiles
    page.goto(live_url + "/living-labs/?department=2A")
    wait_for_markers(page, 1)
    page.locator(".leaflet-marker-icon").first.click()
    link = page.locator(".leaflet-popup-content a")
    assert link.inner_text() == "Ajaccio Lab Insularité et Santé"
    with page.expect_navigation():
        link.click()
    assert page.locator("h1").inner_text() == "Ajaccio Lab Insularité et Santé"


def test_list_and_filters_work_without_javascript(browser, live_url):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(live_url + "/living-labs/")
    assert len(table_names(page)) == 20  # first page of the paginated list
    page.select_option("#id_region", "94")
    with page.expect_navigation():
        page.click("#lab-filters button[type=submit]")
    assert "region=94" in page.url
    assert sorted(table_names(page)) == ["Ajaccio Lab Insularité et Santé", "Bastia Lab Bien Vieillir"]
    page.goto(live_url + "/living-labs/")
    with page.expect_navigation():
        page.click(".fr-pagination a:has-text('Page suivante')")
    assert "page=2" in page.url and len(table_names(page)) > 0
    context.close()


def test_list_is_usable_with_the_keyboard_only(offline_tiles, live_url):
    page = offline_tiles
    page.goto(live_url + "/living-labs/")
    wait_for_markers(page)
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_q":
            break
    else:
        pytest.fail("the text filter is not reachable with the keyboard")
    page.keyboard.type("Cayenne")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('lab-list-title').textContent.trim().startsWith('1 living lab')")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#lab-table')"):
            break
    else:
        pytest.fail("the list is not reachable with the keyboard")
    assert page.evaluate("document.activeElement.textContent") == "Cayenne Lab Santé Amazonie"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Cayenne Lab Santé Amazonie"


def test_map_page_has_no_serious_accessibility_violations(offline_tiles, live_url, axe):
    page = offline_tiles
    page.goto(live_url + "/living-labs/")
    wait_for_markers(page)
    assert axe(page) == []


def test_detail_page_has_no_serious_accessibility_violations(offline_tiles, live_url, axe):
    page = offline_tiles
    page.goto(live_url + "/living-labs/?department=2A")
    page.click("#lab-table a")
    page.wait_for_selector("#similar-title")
    assert axe(page) == []


def test_statistics_page_has_no_serious_accessibility_violations(page, live_url, axe):
    page.goto(live_url + "/labs/statistiques/")
    assert page.locator("table").count() == 2
    assert axe(page) == []


def test_declaration_form_has_no_serious_accessibility_violations(page, live_url, axe):
    log_in(page, live_url, CITIZEN)
    page.goto(live_url + "/labs/declarer/")
    assert page.locator("#lab-proposal-form").is_visible()
    assert axe(page) == []
    # Submitting empty shows errors and the page stays accessible.
    page.click("#lab-proposal-form button[type=submit]")
    page.wait_for_selector("#form-errors")
    assert axe(page) == []


def test_a_citizen_declares_a_lab_that_waits_for_moderation(page, live_url):
    log_in(page, live_url, "citoyen@agora-sante.local")
    page.goto(live_url + "/labs/declarer/")
    page.fill("#id_title", "Lab navigateur de Vannes")
    page.fill("#id_description", "Déclaré pendant un test de navigateur.")
    page.select_option("#id_structure_type", "association")
    page.fill("#id_postcode", "56000")
    page.fill("#id_commune", "Vannes")
    page.fill("#id_latitude", "47.658")
    page.fill("#id_longitude", "-2.76")
    page.fill("#id_tags", "prévention, e-santé")
    page.check("input[name=publics][value=patients]", force=True)
    page.check("input[name=services][value=co_conception]", force=True)
    page.fill("#id_contact_email", "vannes@lab.example")
    with page.expect_navigation():
        page.click("#lab-proposal-form button[type=submit]")
    assert page.url.endswith("/labs/mes-living-labs/")
    assert page.locator("text=Lab navigateur de Vannes").is_visible()
    assert page.locator("text=En cours de validation").first.is_visible()
    # Not public until an editor approves it.
    page.goto(live_url + "/living-labs/?q=Vannes")
    assert "Lab navigateur de Vannes" not in page.content()
