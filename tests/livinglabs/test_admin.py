import pytest

pytestmark = pytest.mark.django_db


def test_editor_can_open_the_lab_editor_in_the_wagtail_admin(login, lab_factory, editor):
    lab = lab_factory("Lab", tags=["handicap"])
    response = login(editor).get(f"/admin/pages/{lab.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="services"' in html and 'value="tests_usage"' in html and "handicap" in html


def test_editor_can_open_the_add_form(login, lab_index, editor):
    response = login(editor).get(f"/admin/pages/add/livinglabs/livinglabpage/{lab_index.pk}/")
    assert response.status_code == 200


def test_editor_sees_a_pending_declaration_in_the_moderation_queue(login, lab_index, alice, editor):
    from livinglabs.services import propose_lab

    propose_lab(
        alice,
        {
            "title": "Lab en attente",
            "description": "x",
            "structure_type": "association",
            "address": "",
            "postcode": "69003",
            "commune": "Lyon",
            "insee_code": "",
            "latitude": 45.76,
            "longitude": 4.84,
            "tags": ["a"],
            "publics": ["patients"],
            "services": ["formation"],
            "equipment": "",
            "enoll_member": False,
            "year_founded": None,
            "website": "",
            "siret": "",
            "contact_email": "x@lab.example",
            "status": "actif",
        },
    )
    html = login(editor).get("/admin/").content.decode()
    assert "Lab en attente" in html
