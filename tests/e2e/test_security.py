"""XSS vectors in contributions are displayed as text in Chromium and no script runs; the CSP blocks inline
scripts and inline event handlers (securitypolicyviolation)."""

import json

import pytest

from tests.security.corpus import XSS, wrap

CITIZEN = "citoyenne@agora-sante.local"


@pytest.fixture(scope="module")
def hostile_section(live_url, manage):
    """A section of the demo's open consultation holding one contribution per XSS vector (created through the
    service, as the form would)."""
    out = manage(
        "shell",
        "-c",
        (
            "import json\n"
            "from accounts.models import User\n"
            "from consult import services\n"
            "from consult.models import ConsultationPage\n"
            "page = next(p for p in ConsultationPage.objects.live().order_by('pk')"
            " if p.is_open and p.moderation_mode == ConsultationPage.MODERATION_A_POSTERIORI)\n"
            "section = page.sections.order_by('sort_order').last()\n"
            f"user = User.objects.get(email={CITIZEN!r})\n"
            f"vectors = json.loads({json.dumps(json.dumps([wrap(v) for v in XSS]))})\n"
            "ids = []\n"
            "for i, body in enumerate(vectors):\n"
            "    c, _ = services.create_contribution(user, section, body, stance='pour', no_interests=True,"
            " idempotency_key=f'xss-e2e-{i}')\n"
            "    ids.append(c.pk)\n"
            "print(json.dumps({'id': page.pk, 'anchor': section.anchor, 'ids': ids}))\n"
        ),
    )
    data = json.loads(out.strip().splitlines()[-1])
    data["url"] = f"{live_url}/participation/{data['id']}/section/{data['anchor']}/"
    return data


def test_xss_vectors_in_contributions_are_shown_as_text_and_never_run(browser, live_url, hostile_section):
    # CSP bypassed on purpose: escaping alone must keep every vector inert (the CSP is a second layer).
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        checked = 0
        for number in (1, 2):
            page.goto(hostile_section["url"] + f"?page={number}")
            page.wait_for_load_state("load")
            page.wait_for_timeout(500)  # let onload/onerror/ontoggle handlers have their chance
            assert page.evaluate("typeof window.__xss") == "undefined"
            checked += page.locator("article[id^='contribution-']").count()
        for pk in hostile_section["ids"]:
            page.goto(f"{live_url}/participation/contribution/{pk}/fragment/")
            assert page.evaluate("typeof window.__xss") == "undefined", pk
        page.goto(hostile_section["url"])
        text = page.locator("body").inner_text()
        assert "<script>window.__xss=1</script>" in text  # shown literally, as typed
        assert not dialogs
        print(
            f"checked: {len(XSS)} vectors, {checked} contributions shown on 2 pages and {len(XSS)} fragments, "
            "window.__xss never set"
        )
    finally:
        context.close()


def test_the_csp_blocks_inline_scripts_and_inline_handlers(browser, live_url):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    try:
        page.goto(live_url + "/")
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1';"
            " document.body.appendChild(s);"
            " const b = document.createElement('button'); b.id = 'trap'; b.textContent = 'piège';"
            " b.setAttribute('onclick', 'window.__handler = 1'); document.body.appendChild(b);"
            " const a = document.createElement('a'); a.id = 'jslink'; a.textContent = 'lien';"
            " a.href = 'javascript:window.__href = 1'; document.body.appendChild(a); }"
        )
        page.click("#trap")
        page.click("#jslink")
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.__inline") == "undefined"
        assert page.evaluate("typeof window.__handler") == "undefined"
        assert page.evaluate("typeof window.__href") == "undefined"
        violations = page.evaluate("window.__violations")
        assert len(violations) >= 3 and all(v.startswith("script-src") for v in violations), violations
        # Our own scripts (nonce or static file) ran: the page is not broken by the policy.
        assert page.evaluate("document.documentElement.classList.contains('js') || !!window.dsfr")
        print(f"checked: inline script, onclick and javascript: URL blocked by the CSP ({violations})")
    finally:
        context.close()
