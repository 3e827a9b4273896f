"""Self-declaration -> Wagtail moderation -> published or rejected; proposer notified; updates re-moderated."""

import pytest
from django.core import mail

from livinglabs import services
from livinglabs.models import LivingLabPage

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "title": "Lab Citoyen de Quimper",
        "description": "Un lab d'usagers.",
        "structure_type": "association",
        "address": "1 place Saint-Corentin",
        "postcode": "29000",
        "commune": "Quimper",
        "insee_code": "",
        "latitude": "47.996",
        "longitude": "-4.102",
        "tags": "santé mentale, E-santé",
        "publics": ["patients"],
        "services": ["co_conception", "tests_usage"],
        "equipment": "",
        "year_founded": "2020",
        "website": "https://lab-quimper.example.org",
        "siret": "",
        "contact_email": "contact@lab-quimper.example",
        "status": "actif",
    }
    data.update(overrides)
    return data


@pytest.fixture
def declared(login, alice, lab_index, django_capture_on_commit_callbacks):
    client = login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/labs/declarer/", form_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    return LivingLabPage.objects.get(title="Lab Citoyen de Quimper")


def approve(lab, user, comment=""):
    state = lab.current_workflow_state
    state.current_task_state.approve(user=user, comment=comment)


def reject(lab, user, comment=""):
    state = lab.current_workflow_state
    state.current_task_state.reject(user=user, comment=comment)


def test_declaration_requires_login(client, lab_index):
    response = client.get("/labs/declarer/")
    assert response.status_code == 302 and "/compte/login/" in response["Location"]


def test_declaration_form_renders(login, alice, lab_index):
    response = login(alice).get("/labs/declarer/")
    assert response.status_code == 200
    assert "Nom du living lab" in response.content.decode()


def test_declaration_creates_a_draft_in_moderation(declared, alice):
    assert not declared.live
    assert declared.proposed_by == alice
    assert (declared.department, declared.region) == ("29", "53")
    assert declared.current_workflow_state is not None
    assert declared.current_workflow_state.workflow.name == services.WORKFLOW_NAME
    assert sorted(t.name for t in declared.get_latest_revision_as_object().tags.all()) == ["e-santé", "santé mentale"]


def test_declared_lab_is_invisible_until_approved(client, declared):
    assert client.get("/labs/carte.json").json()["features"] == []
    assert "Quimper" not in client.get("/labs/export.csv").content.decode()
    assert client.get("/living-labs/").context["page_obj"].paginator.count == 0
    assert client.get("/living-labs/lab-citoyen-de-quimper/").status_code == 404


def test_declared_lab_is_not_in_search_results_until_published(declared):
    results = LivingLabPage.objects.published().search("Quimper")
    assert list(results) == []


def test_editor_approval_publishes_and_notifies_the_proposer(
    client, declared, editor, alice, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve(declared, editor, comment="Bienvenue !")
    declared.refresh_from_db()
    assert declared.live
    assert [f["properties"]["nom"] for f in client.get("/labs/carte.json").json()["features"]] == [
        "Lab Citoyen de Quimper"
    ]
    from taggit.models import Tag

    slug = Tag.objects.get(name="santé mentale").slug
    assert client.get("/living-labs/", {"theme": slug}).context["page_obj"].paginator.count == 1
    notices = [m for m in mail.outbox if m.to == [alice.email]]
    assert len(notices) == 1 and "est publié" in notices[0].subject and "Bienvenue" in notices[0].body


def test_editor_rejection_keeps_it_private_and_tells_why(
    client, declared, editor, alice, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reject(declared, editor, comment="Coordonnées à préciser.")
    declared.refresh_from_db()
    assert not declared.live
    assert client.get("/labs/carte.json").json()["features"] == []
    notices = [m for m in mail.outbox if m.to == [alice.email]]
    assert len(notices) == 1 and "modifications demandées" in notices[0].subject
    assert "Coordonnées à préciser." in notices[0].body


def test_proposer_update_goes_through_moderation_again(
    client, login, declared, editor, alice, django_capture_on_commit_callbacks
):
    approve(declared, editor)
    user_client = login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(
            f"/labs/{declared.pk}/modifier/",
            form_data(title="Lab Citoyen de Quimper", description="Nouvelle description"),
        )
    assert response.status_code == 302
    declared.refresh_from_db()
    assert declared.description == "Un lab d'usagers."  # the live version is unchanged
    assert declared.current_workflow_state is not None
    approve(declared, editor)
    declared.refresh_from_db()
    assert declared.description == "Nouvelle description"


def test_proposer_can_resubmit_after_rejection(login, declared, editor, alice):
    reject(declared, editor, comment="Précisez.")
    response = login(alice).post(f"/labs/{declared.pk}/modifier/", form_data(description="Précisé"))
    assert response.status_code == 302
    declared.refresh_from_db()
    assert declared.current_workflow_state.status == "in_progress"


def test_only_the_proposer_may_propose_updates(login, declared, bob):
    assert login(bob).get(f"/labs/{declared.pk}/modifier/").status_code == 404


def test_update_form_is_prefilled_from_the_latest_revision(login, declared, alice):
    html = login(alice).get(f"/labs/{declared.pk}/modifier/").content.decode()
    assert "Lab Citoyen de Quimper" in html and "santé mentale" in html


def test_declaration_refuses_coordinates_outside_france_and_keeps_input(login, alice, lab_index):
    response = login(alice).post("/labs/declarer/", form_data(latitude="51.5", longitude="-0.12"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "hors de France" in html
    assert "Lab Citoyen de Quimper" in html
    assert not LivingLabPage.objects.exists()


def test_declaration_refuses_unknown_postcode(login, alice, lab_index):
    response = login(alice).post("/labs/declarer/", form_data(postcode="96000"))
    assert "aucun département" in response.content.decode()


def test_declaration_honeypot(login, alice, lab_index):
    response = login(alice).post("/labs/declarer/", form_data(website_url="http://spam"))
    assert response.status_code == 200
    assert not LivingLabPage.objects.exists()


def test_my_labs_lists_declarations_with_their_state(login, declared, alice):
    html = login(alice).get("/labs/mes-living-labs/").content.decode()
    assert "Lab Citoyen de Quimper" in html and "En cours de validation" in html


def test_personal_data_export_includes_declared_labs(declared, alice):
    from accounts.services import export_personal_data

    data = export_personal_data(alice)
    assert data["living_labs_declares"][0]["nom"] == "Lab Citoyen de Quimper"


def test_site_search_finds_the_lab_only_once_published(declared, editor, django_capture_on_commit_callbacks):
    from search.service import search

    def livinglab_hits():
        return [h.title for h in search("Quimper").hits if h.doc_type == "livinglab"]

    assert livinglab_hits() == []
    with django_capture_on_commit_callbacks(execute=True):
        approve(declared, editor)
    assert livinglab_hits() == ["Lab Citoyen de Quimper"]
    with django_capture_on_commit_callbacks(execute=True):
        declared.refresh_from_db()
        declared.unpublish()
    assert livinglab_hits() == []


def test_editor_approves_with_a_comment_through_the_wagtail_admin(
    login, declared, editor, alice, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    task_state = declared.current_workflow_state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[declared.pk, "approve", task_state.pk])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(editor).post(url, {"comment": "Parfait, merci."})
    assert response.status_code in (200, 302)
    declared.refresh_from_db()
    assert declared.live
    assert any("Parfait, merci." in m.body for m in mail.outbox if m.to == [alice.email])


def test_a_citizen_cannot_approve_through_the_admin(login, declared, bob):
    from django.urls import reverse

    task_state = declared.current_workflow_state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[declared.pk, "approve", task_state.pk])
    login(bob).post(url, {"comment": "moi"})
    declared.refresh_from_db()
    assert not declared.live
