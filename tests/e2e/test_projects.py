"""Calls for projects in a real browser: an association member applies with the keyboard only, and the
call, form, dashboard, review and public pages have no serious accessibility violation (axe-core)."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ASSO = "asso@agora-sante.local"
REVIEWER = "instruction@agora-sante.local"
EDITOR = "edition@agora-sante.local"
OPEN_CALL = "/appels-a-projets/usages-numeriques-associations-patients/"
CLOSED_CALL = "/appels-a-projets/co-innovation-sante-numerique/"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def tab_to(page, selector, limit=400):
    """Press Tab until the focused element matches the CSS selector (keyboard-only navigation)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} is not reachable with the Tab key")


def type_into(page, selector, text, clear=True):
    tab_to(page, selector)
    if clear:
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
    page.keyboard.type(text)


def open_file_dialog(page, selector):
    """Focus the file input with Tab and open the system dialog with Space. A press Chromium dropped under load
    (seen once in CI: no dialog within 15 s, focus on the input) is tried again, and said in the output."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    tab_to(page, selector)
    for attempt in range(1, 4):
        try:
            with page.expect_file_chooser(timeout=8000) as chooser:
                page.keyboard.press("Space")
            return chooser.value
        except PlaywrightTimeout:
            print(
                f"file dialog: no dialog after Space press {attempt}; focus on {selector}:",
                page.evaluate("(s) => document.activeElement.matches(s)", selector),
            )
            page.focus(selector)
    pytest.fail(f"Space on {selector} never opened the file dialog")


def press_button(page, selector):
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_association_member_applies_with_the_keyboard_only(page, live_url, login_as, axe, tmp_path):
    login_as(page, ASSO)
    page.goto(live_url + OPEN_CALL)
    assert axe(page) == []
    press_button(page, "main a[href*='/candidater/']")
    assert axe(page) == []
    press_button(page, "main form button[type=submit]")  # "Commencer"
    assert "/etape/identity/" in page.url
    # Identity: prefilled from the organisation.
    assert page.input_value("#id_rna") == "W313000123"
    assert axe(page) == []
    press_button(page, "button[value=next]")
    # Project.
    assert "/etape/project/" in page.url
    assert axe(page) == []
    type_into(page, "#id_title", "Carnet de dialyse partagé")
    type_into(page, "#id_summary", "Un carnet numérique partagé entre patients dialysés et soignants.")
    type_into(page, "#id_description", "Conçu avec les adhérents, testé dans trois centres de dialyse.")
    type_into(page, "#id_target_public", "Patients dialysés d'Occitanie et leurs proches.")
    tab_to(page, "#id_region")
    page.keyboard.type("Occitanie")
    type_into(page, "#id_duration_months", "18")
    type_into(page, "#id_expected_outcomes", "300 patients accompagnés, un outil publié en licence libre.")
    press_button(page, "button[value=next]")
    # Budget: a too-high amount first — the error is shown and nothing typed is lost.
    assert "/etape/budget/" in page.url
    assert axe(page) == []
    type_into(page, "#id_requested_amount", "90000")
    type_into(page, "#id_co_funding", "5000")
    tab_to(page, "#id_lines-0-category")
    page.keyboard.type("Personnel")
    type_into(page, "#id_lines-0-label", "Coordination et animation")
    type_into(page, "#id_lines-0-amount", "95000")
    press_button(page, "button[value=next]")
    assert "dépasse la subvention maximale" in page.content()
    assert page.input_value("#id_lines-0-label") == "Coordination et animation"
    assert axe(page) == []
    type_into(page, "#id_requested_amount", "40000")
    type_into(page, "#id_lines-0-amount", "45000")
    press_button(page, "button[value=next]")
    # Attachments: the file itself comes from the system dialog, opened from the keyboard.
    assert "/etape/attachments/" in page.url
    assert axe(page) == []
    statutes = Path(tmp_path) / "statuts.pdf"
    statutes.write_bytes(PDF)
    open_file_dialog(page, "#id_file").set_files(str(statutes))
    press_button(page, "main form[enctype] button[type=submit]")
    assert "statuts.pdf" in page.content()
    press_button(page, "a[href$='/etape/declaration/']")
    # Declaration and submission.
    assert axe(page) == []
    assert "Le dossier est incomplet" not in page.content()
    tab_to(page, "#id_sworn_declaration")
    page.keyboard.press("Space")
    press_button(page, "main button.fr-btn[type=submit]:not([value])")
    assert "/recepisse/" in page.url
    assert re.search(r"AAP-\d{4}-\d{5}", page.content())
    assert axe(page) == []
    # Dashboard lists it.
    page.goto(live_url + "/candidatures/")
    assert "Carnet de dialyse partagé" in page.content()
    assert axe(page) == []


def test_autosave_keeps_what_was_typed_after_closing_the_tab(page, live_url, login_as, manage):
    login_as(page, ASSO)
    page.goto(live_url + OPEN_CALL)
    page.locator("a[href*='/candidater/']").first.click()
    page.wait_for_load_state()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(page.url.replace("/identity/", "/project/"))
    page.fill("#id_title", "Titre autosauvegardé")
    with page.expect_response(lambda r: "/autosave/" in r.url, timeout=20000):
        pass
    assert "enregistré automatiquement" in page.locator("#autosave-status").inner_text()
    page.close()
    second = page.context.new_page()
    second.goto(page.url)
    assert second.input_value("#id_title") == "Titre autosauvegardé"


@pytest.mark.parametrize("path", [OPEN_CALL, CLOSED_CALL, "/appels-a-projets/", "/candidatures/laureats/"])
def test_public_project_pages_are_accessible(page, live_url, axe, path):
    page.goto(live_url + path)
    assert axe(page) == []


def test_laureate_page_is_accessible(page, live_url, axe):
    page.goto(live_url + "/candidatures/laureats/")
    page.locator(".fr-card__title a").first.click()
    page.wait_for_load_state()
    assert "Projet lauréat" in page.content()
    assert axe(page) == []


def test_review_pages_are_accessible(page, live_url, login_as, axe):
    login_as(page, REVIEWER)
    page.goto(live_url + "/candidatures/evaluations/")
    assert axe(page) == []
    links = page.locator("table a")
    assert links.count() > 0
    for i in range(min(links.count(), 2)):
        page.goto(live_url + "/candidatures/evaluations/")
        page.locator("table a").nth(i).click()
        page.wait_for_load_state()
        assert axe(page) == []


def test_staff_pages_are_accessible(page, live_url, login_as, axe):
    login_as(page, EDITOR)
    page.goto(live_url + "/candidatures/instruction/")
    assert axe(page) == []
    page.locator("table a").first.click()
    page.wait_for_load_state()
    assert axe(page) == []
    page.locator("a[href$='/classement/']").first.click()
    page.wait_for_load_state()
    assert "Classement" in page.content()
    assert axe(page) == []
    page.locator("table tbody a").first.click()
    page.wait_for_load_state()
    assert axe(page) == []
