"""Search in a real browser, keyboard only: query, facets, header autocomplete (ARIA combobox); axe-core."""

import json
import re

import pytest

MAX_TABS = 80


def tab_to(page, predicate_js: str, shift=False):
    """Press Tab until the focused element satisfies `predicate_js` (a JS expression on `el`)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({predicate_js}); }})()"):
            return
    pytest.fail(f"never reached an element matching {predicate_js}")


@pytest.fixture(scope="module")
def demo_title(manage):
    """A live consultation's title from the demo content (what autocomplete should offer)."""
    out = manage(
        "shell",
        "-c",
        (
            "import json\n"
            "from search.models import SearchDocument\n"
            "doc = SearchDocument.objects.filter(doc_type='consultation').order_by('pk').first()\n"
            "print(json.dumps({'title': doc.title, 'url': doc.url}))\n"
        ),
    )
    return json.loads(out.strip().splitlines()[-1])


def test_search_and_facets_keyboard_only(page, live_url, demo_title):
    page.goto(live_url + "/rechercher/")
    tab_to(page, "el.id === 'search-page-input'")
    word = demo_title["title"].split()[-1]
    page.keyboard.type(word)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/rechercher/\?q="))
    assert page.locator("#search-results li").count() >= 1
    count_before = page.locator("#search-count").inner_text()
    # First value of the "Type de contenu" facet, reached and followed with the keyboard.
    tab_to(page, "el.closest('[data-facet=\"type\"]') !== null && el.tagName === 'A'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"type="))
    selected = page.locator("[data-facet='type'] a[aria-current='true']")
    assert selected.count() == 1
    assert page.locator("#search-count").inner_text() != "" and count_before
    # Keyboard back to the active filter: following it removes the filter.
    tab_to(page, "el.getAttribute('aria-current') === 'true'", shift=True)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "type=" not in url)
    assert page.locator("[data-facet='type'] a[aria-current='true']").count() == 0


def test_header_autocomplete_keyboard_only(page, live_url, demo_title):
    page.goto(live_url + "/rechercher/")
    box = page.locator("#header-search-input")
    tab_to(page, "el.id === 'header-search-input'")
    prefix = demo_title["title"][:6]
    page.keyboard.type(prefix, delay=30)
    listbox = page.locator("#header-search-suggestions")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    active_id = box.get_attribute("aria-activedescendant")
    assert active_id
    assert page.locator(f"#{active_id}").get_attribute("aria-selected") == "true"
    assert "suggestion" in page.locator("#header-search-status").inner_text()
    # Escape closes the list and keeps the text.
    page.keyboard.press("Escape")
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == prefix
    # Back in: ArrowDown reopens, Enter follows the active suggestion.
    page.keyboard.press("ArrowDown")
    listbox.wait_for(state="visible")
    target = page.locator("#header-search-suggestions [role=option]").first.get_attribute("data-url")
    if not box.get_attribute("aria-activedescendant"):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(target) + "$"))


def test_results_page_has_no_serious_accessibility_violations(page, live_url, axe, demo_title):
    word = demo_title["title"].split()[-1]
    page.goto(f"{live_url}/rechercher/?q={word}")
    assert axe(page) == []
    page.goto(f"{live_url}/rechercher/?q=zzqxwv")  # empty state
    assert axe(page) == []
    page.goto(f"{live_url}/rechercher/?type=consultation&tri=date")
    assert axe(page) == []
    # With the suggestions list open.
    page.locator("#header-search-input").fill(demo_title["title"][:5])
    page.locator("#header-search-input").press("End")
    page.keyboard.type(demo_title["title"][5:6])
    page.locator("#header-search-suggestions").wait_for(state="visible")
    assert axe(page) == []
