"""Consultation pages in a real browser: accessibility (axe-core) and keyboard-only posting."""

import re

import pytest

pytestmark = pytest.mark.browser

CONSULTATION = "/consultations/strategie-nationale-sante-numerique/"


def first_section_url(page, live_url):
    page.goto(live_url + CONSULTATION)
    href = page.locator("a[href*='/participation/'][href*='/section/']").first.get_attribute("href")
    return live_url + href


@pytest.mark.parametrize("path", ["/consultations/", CONSULTATION, "/consultations/?statut=terminees"])
def test_consultation_pages_have_no_serious_accessibility_violations(page, live_url, axe, path):
    page.goto(live_url + path)
    assert page.locator("h1").is_visible()
    assert axe(page) == []


def test_section_page_has_no_serious_accessibility_violations(page, live_url, axe, login_as):
    url = first_section_url(page, live_url)
    page.goto(url)
    assert page.locator("#threads article").count() > 0
    assert axe(page) == []
    login_as(page, "citoyenne@agora-sante.local")
    page.goto(url)
    assert page.locator("#contribution-form").is_visible()
    assert axe(page) == []


def test_statistics_page_has_no_serious_accessibility_violations(page, live_url, axe):
    page.goto(live_url + CONSULTATION)
    page.locator("a", has_text="Statistiques de participation").click()
    assert page.locator("table").first.is_visible()
    assert axe(page) == []


def test_moderation_queue_has_no_serious_accessibility_violations(page, live_url, axe, login_as):
    login_as(page, "moderation@agora-sante.local")
    page.goto(live_url + "/admin/consultations/moderation/")
    assert page.locator("table.listing").is_visible()
    assert axe(page) == []


def test_keyboard_only_posting_publishes_and_shows_the_receipt(page, live_url, login_as):
    url = first_section_url(page, live_url)
    login_as(page, "citoyen@agora-sante.local")
    page.goto(url)
    # Tab to the first stance radio button, choose it with the space bar.
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "stance":
            break
    else:
        pytest.fail("the stance choice is not reachable with the keyboard")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "body"
    text = "Contribution envoyée uniquement au clavier, pour vérifier l'accessibilité du formulaire."
    page.keyboard.type(text)
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "no_interests":
            break
    page.keyboard.press("Space")
    page.wait_for_timeout(3500)  # the form refuses submissions faster than the minimum fill time (anti-bot)
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    page.keyboard.press("Enter")
    status = page.locator("#contribution-form-status")
    status.filter(has_text=re.compile("récépissé")).wait_for()
    assert re.search(r"C-\d{4}-\d{6}", status.inner_text())
    assert page.locator("#threads", has_text=text).count() == 1
