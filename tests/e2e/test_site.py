"""The DSFR shell in a real browser: rendering, keyboard navigation, language switch, accessibility."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/compte/login/", "/compte/signup/", "/democratie-en-sante/"])
def test_key_pages_have_no_serious_accessibility_violations(page, live_url, axe, path):
    page.goto(live_url + path)
    assert page.locator("header.fr-header").is_visible()
    assert axe(page) == []


def test_home_page_renders_with_dsfr_styles(page, live_url):
    page.goto(live_url + "/")
    # DSFR's stylesheet applied: the header logo block is rendered with the Marianne.
    assert page.locator(".fr-logo").first.is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.fr-header')).display") != "inline"
    assert page.title().endswith("Agora Santé")


def test_skip_link_then_navigation_work_with_the_keyboard(page, live_url):
    page.goto(live_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#content"
    # Tab until the "Consultations" entry of the main menu is focused, then follow it with Enter.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Consultations":
            break
    else:
        pytest.fail("the main menu is not reachable with the keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/consultations/"), page.url


def test_language_switch_turns_the_interface_to_english(page, live_url):
    page.goto(live_url + "/")
    page.locator(".fr-translate__btn").first.click()
    page.locator("button[name=language][value=en]").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".fr-translate__btn").first.click()
    page.locator("button[name=language][value=fr]").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
