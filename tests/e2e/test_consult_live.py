"""Live threads in a real browser against the ASGI server: two readers of the same section; one posts, the other
sees the announcement and then the contribution without reloading, with their half-typed draft untouched."""

import json
import time

import pytest

from tests.e2e.conftest import log_in

CITIZEN_A = "citoyenne@agora-sante.local"
CITIZEN_B = "citoyen@agora-sante.local"


@pytest.fixture(scope="module")
def section_url(live_url, manage):
    """The first section of the demo's open consultation (a posteriori moderation: posts publish at once)."""
    out = manage(
        "shell",
        "-c",
        (
            "import json\n"
            "from consult.models import ConsultationPage\n"
            "page = next(p for p in ConsultationPage.objects.live().order_by('pk')"
            " if p.is_open and p.moderation_mode == ConsultationPage.MODERATION_A_POSTERIORI)\n"
            "section = page.sections.order_by('sort_order').first()\n"
            "print(json.dumps({'id': page.pk, 'anchor': section.anchor}))\n"
        ),
    )
    data = json.loads(out.strip().splitlines()[-1])
    return f"{live_url}/participation/{data['id']}/section/{data['anchor']}/"


def open_section(browser, live_url, url, email):
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, live_url, email)
    page.goto(url)
    # live.js is connected once the server has told it how many people read the page.
    page.wait_for_selector("#live-presence")
    return context, page


def test_a_reader_sees_a_new_contribution_announced_then_shown_without_losing_their_draft(
    browser, live_url, section_url, axe
):
    context_a, page_a = open_section(browser, live_url, section_url, CITIZEN_A)
    context_b, page_b = open_section(browser, live_url, section_url, CITIZEN_B)
    try:
        page_b.evaluate("window.__notReloaded = true")
        draft = "Je commence à écrire mon avis sur cette partie, mais je n'ai pas fini"
        body_b = page_b.locator("#contribution-form textarea[name=body]")
        body_b.click()
        body_b.type(draft)

        text = f"Contribution en direct {time.time_ns()} : l'accès aux données doit rester simple."
        page_a.check("#contribution-form input[name=stance][value=pour]", force=True)
        page_a.fill("#contribution-form textarea[name=body]", text)
        page_a.check("#contribution-form input[name=no_interests]", force=True)
        page_a.wait_for_timeout(3500)  # the form refuses what is sent faster than a person types
        page_a.click("#contribution-form button[type=submit]")
        page_a.wait_for_selector("#contribution-form-status.fr-valid-text")

        # B hears about it, politely, without anything moving.
        button = page_b.locator("#live-new-button")
        button.wait_for(state="visible")
        assert button.inner_text() == "1 nouvelle contribution — afficher"
        page_b.wait_for_function(
            "document.getElementById('live-announcer').textContent.includes('nouvelle contribution')"
        )
        assert page_b.locator("#threads").get_by_text(text).count() == 0
        assert page_b.evaluate("document.activeElement.name") == "body"
        assert body_b.input_value() == draft

        button.click()
        page_b.locator("#threads").get_by_text(text).wait_for()
        assert page_b.evaluate("window.__notReloaded") is True
        assert body_b.input_value() == draft
        assert page_b.locator("#live-new-button").is_hidden()
        assert axe(page_b) == []
    finally:
        context_a.close()
        context_b.close()


def test_vote_counts_update_in_place_for_other_readers(browser, live_url, section_url):
    context_a, page_a = open_section(browser, live_url, section_url, CITIZEN_A)
    context_b, page_b = open_section(browser, live_url, section_url, CITIZEN_B)
    try:
        # A votes on the first published contribution that is not their own (one with a vote form).
        form = page_a.locator("#threads article[data-status=published] > .agora-contribution__actions form").first
        article_id = form.evaluate("f => f.closest('article').id")
        counter_b = page_b.locator(f"#{article_id} > .agora-contribution__actions [data-votes-up]").first
        before = int(counter_b.inner_text())
        agree = form.locator("button[name=value]").first
        pressed = agree.get_attribute("aria-pressed") == "true"
        agree.click()
        expected = before - 1 if pressed else before + 1
        page_b.wait_for_function(
            "([sel, n]) => document.querySelector(sel).textContent.trim() === String(n)",
            arg=[f"#{article_id} > .agora-contribution__actions [data-votes-up]", expected],
        )
        assert page_b.locator("#live-new-button").is_hidden()
    finally:
        context_a.close()
        context_b.close()


def test_a_long_catch_up_is_read_page_by_page_even_when_live_events_overtake_it(browser, section_url):
    """The server answers a catch-up in pages (has_more). Live events keep arriving meanwhile, with ids far ahead
    of the page being read: the next page must start where the last one ended, or the rest of the backlog is
    skipped for good (found by the Redis-restart fault scenario: 630 contributions never shown)."""
    context = browser.new_context(locale="fr-FR")
    sent = []  # what live.js sends to the (mocked) server

    def server(ws):
        def on_message(message):
            data = json.loads(message)
            sent.append(data)
            if len(sent) == 1:
                start = data["last_event_id"]
                ws.send(json.dumps({"type": "presence", "count": 2}))
                # A live event, far ahead, arrives before the first page of the backlog is answered.
                ws.send(
                    json.dumps(
                        {
                            "type": "event",
                            "id": start + 900,
                            "kind": "contribution.votes",
                            "contribution_id": 999999999,
                            "votes_up": 1,
                            "votes_down": 0,
                        }
                    )
                )
                ws.send(json.dumps({"type": "synced", "last_event_id": start + 500, "has_more": True}))

        ws.on_message(on_message)

    context.route_web_socket("**/ws/consultations/**", server)
    page = context.new_page()
    try:
        page.goto(section_url)
        page.wait_for_selector("#live-presence")
        deadline = time.time() + 10
        while len(sent) < 2 and time.time() < deadline:
            page.wait_for_timeout(100)
        assert [m["type"] for m in sent[:2]] == ["catch_up", "catch_up"]
        first = sent[0]["last_event_id"]
        assert sent[1]["last_event_id"] == first + 500, "the second page starts where the first one ended"
    finally:
        context.close()
