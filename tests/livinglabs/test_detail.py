import pytest
from django.core import mail

from tests.livinglabs.conftest import days_ago

pytestmark = pytest.mark.django_db


def test_detail_page_shows_fields_but_never_the_contact_email(client, lab_factory):
    lab = lab_factory("Lab Lyon", tags=["handicap"], contact_email="secret@lab.example", equipment="Appartement témoin")
    html = client.get(lab.url).content.decode()
    assert "Lab Lyon" in html and "Appartement témoin" in html and "Rhône (69)" in html
    assert "secret@lab.example" not in html


def test_similar_labs_are_ranked_by_shared_themes(client, lab_factory):
    lab = lab_factory("Référence", tags=["a", "b", "c"])
    lab_factory("Deux communes", tags=["a", "b"])
    lab_factory("Une commune", tags=["c", "z"])
    lab_factory("Aucune", tags=["z"])
    lab_factory("Brouillon", tags=["a", "b", "c"], live=False)
    similar = client.get(lab.url).context["similar_labs"]
    assert [(s.title, s.shared_themes) for s in similar] == [("Deux communes", 2), ("Une commune", 1)]


def test_nearby_labs_are_sorted_by_distance(client, lab_factory):
    lab = lab_factory("Lyon", latitude=45.76, longitude=4.84)
    lab_factory("Villeurbanne", latitude=45.77, longitude=4.88)
    lab_factory("Grenoble", postcode="38000", latitude=45.19, longitude=5.72)
    lab_factory("Brest", postcode="29200", latitude=48.39, longitude=-4.49)
    lab_factory("Cayenne", postcode="97300", latitude=4.94, longitude=-52.33)
    lab_factory("Brouillon voisin", latitude=45.761, longitude=4.841, live=False)
    nearby = client.get(lab.url).context["nearby_labs"]
    assert [page.title for page, _km in nearby] == ["Villeurbanne", "Grenoble", "Brest", "Cayenne"]
    assert nearby[0][1] <= 5


def test_overdue_lab_shows_unverified_notice(client, lab_factory):
    fresh = lab_factory("Frais", last_verified=days_ago(100))
    old = lab_factory("Ancien", last_verified=days_ago(500))
    assert "non vérifiées depuis" not in client.get(fresh.url).content.decode()
    assert "Informations non vérifiées depuis le" in client.get(old.url).content.decode()


def test_contact_form_relays_the_message_to_the_private_address(
    client, lab_factory, django_capture_on_commit_callbacks
):
    lab = lab_factory("Lab", contact_email="secret@lab.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/labs/{lab.pk}/contact/",
            {"name": "Alice", "email": "alice@example.org", "message": "Bonjour, pouvons-nous tester ?"},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["secret@lab.example"]
    assert mail.outbox[0].reply_to == ["alice@example.org"]
    assert "pouvons-nous tester" in mail.outbox[0].body


def test_contact_form_honeypot_refuses_bots(client, lab_factory):
    lab = lab_factory("Lab")
    response = client.post(
        f"/labs/{lab.pk}/contact/",
        {"name": "Bot", "email": "bot@example.org", "message": "spam", "website_url": "http://spam"},
    )
    assert response.status_code == 400
    assert mail.outbox == []


def test_contact_form_keeps_what_was_typed_on_error(client, lab_factory):
    lab = lab_factory("Lab")
    response = client.post(
        f"/labs/{lab.pk}/contact/", {"name": "Alice", "email": "pas-un-email", "message": "Mon texte"}
    )
    assert response.status_code == 400
    assert "Mon texte" in response.content.decode()


def test_contact_form_is_rate_limited(client, lab_factory):
    lab = lab_factory("Lab")
    data = {"name": "Alice", "email": "alice@example.org", "message": "Bonjour"}
    statuses = [client.post(f"/labs/{lab.pk}/contact/", data).status_code for _ in range(12)]
    assert 429 in statuses


def test_contact_form_refuses_unpublished_labs(client, lab_factory):
    lab = lab_factory("Brouillon", live=False)
    response = client.post(f"/labs/{lab.pk}/contact/", {"name": "A", "email": "a@example.org", "message": "x"})
    assert response.status_code == 404


def test_detail_page_query_count_does_not_grow_with_labs(client, lab_factory, django_assert_max_num_queries):
    lab = lab_factory("Référence", tags=["a", "b"])
    for n in range(12):
        lab_factory(f"Voisin {n}", tags=["a"], latitude=45.7 + n / 100, longitude=4.8)
    client.get(lab.url)  # warm the site-root cache
    # Wagtail routing + restrictions + tags + similar + nearby (candidates, pages): constant in the number of labs
    with django_assert_max_num_queries(16):
        response = client.get(lab.url)
    assert len(response.context["nearby_labs"]) == 4 and len(response.context["similar_labs"]) == 4


def test_revalidation_task_sends_reminders(lab_factory, django_capture_on_commit_callbacks):
    from livinglabs.tasks import send_revalidation_reminders

    lab_factory("Ancien", last_verified=days_ago(400))
    with django_capture_on_commit_callbacks(execute=True):
        result = send_revalidation_reminders.enqueue()
    assert result.return_value == 1
    assert len(mail.outbox) == 1
