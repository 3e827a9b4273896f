"""Hostile inputs in every user text field: stored safely, rendered inert, clear French errors where refused.

Each XSS vector of corpus.XSS is posted through the real form of the field, then every page that shows the
field is fetched and audited (inert.assert_inert: no script but ours, no on* attribute, no javascript: URL,
no iframe/object/embed). The same vectors run in Chromium in tests/e2e/test_security.py.
"""

import pytest
from django.urls import reverse

from consult.models import Contribution
from tests.consult.conftest import post_data

from .corpus import NULL_BYTE, TRICKS, XSS, long_line, wrap
from .inert import assert_inert

pytestmark = pytest.mark.django_db


def _section_url(section):
    return reverse("consult:section", args=[section.page_id, section.anchor])


# --- consultation contributions (body, declaration of interests) ------------------------------------------


@pytest.mark.parametrize("vector", XSS, ids=range(len(XSS)))
def test_contribution_body_with_xss_vector_is_stored_as_typed_and_rendered_inert(citizen_client, section, vector):
    text = wrap(vector)
    response = citizen_client.post(
        reverse("consult:post", args=[section.page_id, section.anchor]), post_data(body=text)
    )
    assert response.status_code == 302, response.content[:500]
    contribution = Contribution.objects.get(section=section)
    assert contribution.body == text  # stored as typed: escaping happens at rendering
    page = citizen_client.get(_section_url(section))
    assert page.status_code == 200
    assert_inert(page.content, "section page")
    fragment = citizen_client.get(reverse("consult:contribution_fragment", args=[contribution.pk]))
    assert_inert(fragment.content, "contribution fragment")
    reply_page = citizen_client.get(reverse("consult:reply", args=[contribution.pk]))
    assert_inert(reply_page.content, "reply page")


@pytest.mark.parametrize("vector", XSS[:8], ids=range(8))
def test_declaration_of_interests_with_xss_vector_is_rendered_inert(citizen_client, section, vector):
    response = citizen_client.post(
        reverse("consult:post", args=[section.page_id, section.anchor]),
        post_data(
            body="Un avis ordinaire sur cette section du texte.",
            interests=wrap(vector),
            no_interests="",
        ),
    )
    assert response.status_code == 302, response.content[:500]
    assert_inert(citizen_client.get(_section_url(section)).content, "section page")


def test_contribution_json_answer_is_json_and_not_sniffable(citizen_client, section):
    response = citizen_client.post(
        reverse("consult:post", args=[section.page_id, section.anchor]),
        post_data(body=wrap(XSS[0])),
        HTTP_ACCEPT="application/json",
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code in (200, 201)
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert_inert(response.json()["html"], "html of the JSON answer")


def test_api_and_feeds_escape_contribution_text(client, citizen_client, section):
    citizen_client.post(
        reverse("consult:post", args=[section.page_id, section.anchor]),
        post_data(body=wrap(XSS[0])),
    )
    api = client.get(reverse("consult:api_contributions", args=[section.page_id]))
    assert api["Content-Type"].startswith("application/json")
    rss = client.get(reverse("consult:contributions_rss", args=[section.page_id]))
    assert b"<script>" not in rss.content  # inside XML the text is escaped (&lt;script&gt;)


@pytest.mark.parametrize("name", sorted(TRICKS))
def test_contribution_with_unicode_tricks_is_accepted_and_rendered(citizen_client, section, name):
    text = wrap(TRICKS[name])
    response = citizen_client.post(
        reverse("consult:post", args=[section.page_id, section.anchor]), post_data(body=text)
    )
    assert response.status_code == 302
    assert Contribution.objects.get(section=section).body == text
    page = citizen_client.get(_section_url(section))
    assert page.status_code == 200
    assert_inert(page.content, name)


def test_contribution_with_a_null_byte_is_refused_with_a_french_message(citizen_client, section):
    response = citizen_client.post(
        reverse("consult:post", args=[section.page_id, section.anchor]),
        post_data(body=wrap(NULL_BYTE)),
    )
    assert response.status_code == 400
    assert "caractère nul n’est pas autorisé" in response.content.decode()
    assert not Contribution.objects.exists()
    assert "octet nul" in response.content.decode()  # what was typed is kept in the form


def test_contribution_over_the_maximum_length_is_refused_and_kept(citizen_client, section):
    text = long_line(5001)
    response = citizen_client.post(
        reverse("consult:post", args=[section.page_id, section.anchor]), post_data(body=text)
    )
    assert response.status_code == 400
    assert "dépasse 5000 caractères" in response.content.decode()
    assert text in response.content.decode()
    assert not Contribution.objects.exists()


def test_contribution_of_one_very_long_line_at_the_limit_is_accepted(citizen_client, section):
    text = long_line(5000)
    response = citizen_client.post(
        reverse("consult:post", args=[section.page_id, section.anchor]), post_data(body=text)
    )
    assert response.status_code == 302
    page = citizen_client.get(_section_url(section))
    assert text in page.content.decode()


def test_invalid_utf8_body_is_decoded_with_replacement_characters_not_an_error(citizen_client, section):
    from urllib.parse import quote_from_bytes

    data = post_data(body="placeholder")
    raw = "&".join(f"{k}={quote_from_bytes(str(v).encode())}" for k, v in data.items() if k != "body")
    raw += "&body=" + quote_from_bytes("Avis mal encodé : ".encode() + b"\xff\xfe\xc3\x28 fin de texte.")
    response = citizen_client.post(
        reverse("consult:post", args=[section.page_id, section.anchor]),
        raw,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (302, 400)
    assert response.status_code != 500
    if response.status_code == 302:
        assert "\ufffd" in Contribution.objects.get(section=section).body


def test_a_body_larger_than_the_upload_limit_is_refused_with_400(citizen_client, section, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    response = citizen_client.post(
        reverse("consult:post", args=[section.page_id, section.anchor]),
        post_data(body="x" * (80 * 1024)),
    )
    assert response.status_code == 400
    assert not Contribution.objects.exists()


def test_too_many_fields_are_refused_with_400(citizen_client, section):
    data = post_data()
    data.update({f"f{i}": "x" for i in range(1100)})
    response = citizen_client.post(reverse("consult:post", args=[section.page_id, section.anchor]), data)
    assert response.status_code == 400


# --- accounts: display name, organisation --------------------------------------------------------------


@pytest.mark.parametrize("vector", XSS, ids=range(len(XSS)))
def test_display_name_with_xss_vector_is_rendered_inert_next_to_contributions(
    login, alice, section, contribution_factory, vector
):
    client = login(alice)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": vector[:60], "first_name": "", "last_name": ""},
    )
    assert response.status_code in (200, 302)
    alice.refresh_from_db()
    contribution_factory(alice, section)
    assert_inert(client.get(_section_url(section)).content, "section page")
    assert_inert(client.get(reverse("accounts:profile")).content, "profile page")


@pytest.mark.parametrize("vector", XSS, ids=range(len(XSS)))
def test_organisation_name_and_description_with_xss_vector_are_rendered_inert(login, asso_admin, vector):
    client = login(asso_admin)
    response = client.post(
        reverse("accounts:organisation_create"),
        {
            "name": ("Asso " + vector)[:200],
            "kind": "association",
            "rna": "W751234567",
            "siret": "",
            "description": wrap(vector),
            "website": "",
            "email": "",
            "phone": "",
            "address": "",
            "postcode": "",
            "city": "",
        },
    )
    assert response.status_code in (200, 302), response.status_code
    from accounts.models import Organisation

    organisation = Organisation.objects.filter(memberships__user=asso_admin).first()
    if organisation is None:  # refused by validation: the page says why, inertly
        assert_inert(response.content, "organisation form")
        return
    page = client.get(reverse("accounts:organisation_detail", args=[organisation.slug]))
    assert page.status_code == 200
    assert_inert(page.content, "organisation page")


def test_organisation_website_with_a_javascript_url_is_refused(login, asso_admin):
    client = login(asso_admin)
    response = client.post(
        reverse("accounts:organisation_create"),
        {
            "name": "Asso piégée",
            "kind": "association",
            "rna": "W751234568",
            "siret": "",
            "description": "",
            "website": "javascript:window.__xss=1",
            "email": "",
            "phone": "",
            "address": "",
            "postcode": "",
            "city": "",
        },
    )
    assert response.status_code == 200
    assert "Saisissez une URL valide" in response.content.decode()


# --- search (reflected) ----------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", XSS, ids=range(len(XSS)))
def test_search_query_is_reflected_inert(client, home_page, vector):
    response = client.get(reverse("search:results"), {"q": vector})
    assert response.status_code == 200
    assert_inert(response.content, "search results")
    suggestions = client.get(reverse("search:suggestions"), {"q": vector})
    assert suggestions.status_code in (200, 400)
    assert suggestions["Content-Type"].startswith("application/json")


# --- living labs: declaration and contact form ----------------------------------------------------------


def _proposal(vector, n):
    return {
        "title": f"Lab {n} {vector}"[:200],
        "description": wrap(vector),
        "structure_type": "association",
        "postcode": "69003",
        "commune": "Lyon",
        "latitude": "45.76",
        "longitude": "4.85",
        "contact_email": f"lab{n}@example.org",
        "publics": ["patients"],
        "services": ["tests_usage"],
        "equipment": wrap(vector),
        "tags": vector[:100],
        "website_url": "",
    }


@pytest.mark.parametrize("vector", XSS[:10], ids=range(10))
def test_living_lab_declaration_with_xss_vector_is_rendered_inert(login, alice, lab_index, vector):
    from livinglabs.models import LivingLabPage

    client = login(alice)
    response = client.post(reverse("livinglabs:propose"), _proposal(vector, XSS.index(vector)))
    assert response.status_code in (200, 302)
    assert_inert(response.content, "declaration answer")
    mine = client.get(reverse("livinglabs:mine"))
    assert_inert(mine.content, "my living labs")
    lab = LivingLabPage.objects.filter(owner=alice).first() or LivingLabPage.objects.order_by("-pk").first()
    if lab is not None and lab.title.startswith("Lab "):
        lab.get_latest_revision().publish()
        lab.refresh_from_db()
        page = client.get(lab.url)
        assert page.status_code == 200
        assert_inert(page.content, "living lab page")


@pytest.mark.parametrize("vector", XSS[:8], ids=range(8))
def test_living_lab_contact_form_relays_text_inertly(client, lab_factory, mailoutbox, vector):
    lab = lab_factory()
    response = client.post(
        reverse("livinglabs:contact", args=[lab.pk]),
        {
            "name": ("Nom " + vector)[:120],
            "email": "visiteur@example.org",
            "message": wrap(vector),
            "website_url": "",
        },
    )
    assert response.status_code in (302, 400)
    assert_inert(response.content, "contact answer")
    for message in mailoutbox:
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert_inert(content, "HTML e-mail")
