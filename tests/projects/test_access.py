"""Who sees what: applicant members, other associations, reviewers (assigned, blind), editors, the public —
across pages, attachment downloads, exports and the open data."""

import json

import pytest
from django.urls import reverse

from projects.models import Application

A = Application
pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(open_call, organisation, application_factory):
    return application_factory(open_call, organisation, status=A.STATUS_UNDER_REVIEW)


@pytest.fixture
def people(asso_admin, asso_member, asso_b_admin, reviewer, reviewer2, editor, bob, organisation_b):
    return {
        "asso_admin": asso_admin,
        "asso_member": asso_member,
        "other_asso": asso_b_admin,
        "reviewer_assigned": reviewer,
        "reviewer_other": reviewer2,
        "editor": editor,
        "citizen": bob,
    }


def urls(application):
    attachment = application.attachments.first()
    return {
        "detail": reverse("projects:application_detail", args=[application.pk]),
        "recap": reverse("projects:application_recap", args=[application.pk]),
        "receipt": reverse("projects:receipt", args=[application.pk]),
        "download": reverse("projects:attachment_download", args=[application.pk, attachment.pk]),
        "staff": reverse("projects:staff_application", args=[application.pk]),
    }


# Expected status per (person, url). 302 from detail means "redirected to the page made for this role".
MATRIX = {
    "asso_admin": {"detail": 200, "recap": 200, "receipt": 200, "download": 200, "staff": 403},
    "asso_member": {"detail": 200, "recap": 200, "receipt": 200, "download": 200, "staff": 403},
    "other_asso": {"detail": 404, "recap": 404, "receipt": 404, "download": 404, "staff": 403},
    "reviewer_assigned": {"detail": 302, "recap": 200, "receipt": 404, "download": 200, "staff": 403},
    "reviewer_other": {"detail": 404, "recap": 404, "receipt": 404, "download": 404, "staff": 403},
    "editor": {"detail": 302, "recap": 200, "receipt": 404, "download": 200, "staff": 200},
    "citizen": {"detail": 404, "recap": 404, "receipt": 404, "download": 404, "staff": 403},
}


@pytest.mark.parametrize("person", list(MATRIX))
def test_access_matrix_on_application_views(person, people, submitted, assign, login):
    assign(submitted, people["reviewer_assigned"])
    client = login(people[person])
    for name, url in urls(submitted).items():
        assert client.get(url).status_code == MATRIX[person][name], (person, name)


def test_anonymous_is_sent_to_login(client, submitted):
    for url in urls(submitted).values():
        response = client.get(url)
        assert response.status_code == 302 and "/compte/" in response["Location"]


def test_recused_reviewer_loses_access(submitted, assign, reviewer, login):
    assign(submitted, reviewer, recused=True)
    client = login(reviewer)
    assert client.get(urls(submitted)["recap"]).status_code == 404
    assert client.get(urls(submitted)["download"]).status_code == 404


def test_reviewer_sees_nothing_before_declaring_conflicts(submitted, assign, reviewer, login):
    assign(submitted, reviewer, declared=False)
    client = login(reviewer)
    assert client.get(urls(submitted)["recap"]).status_code == 404
    assert client.get(urls(submitted)["download"]).status_code == 404
    # The file's own address leads to the declaration form.
    response = client.get(urls(submitted)["detail"])
    assert response.status_code == 302 and "/evaluations/" in response["Location"]


def test_blind_reviewer_cannot_download_attachments(
    consortium_call, organisation, application_factory, assign, reviewer, login
):
    application = application_factory(consortium_call, organisation, status=A.STATUS_UNDER_REVIEW)
    assign(application, reviewer)
    client = login(reviewer)
    assert client.get(urls(application)["download"]).status_code == 404
    recap = client.get(urls(application)["recap"]).content.decode()
    assert organisation.name not in recap and application.title in recap


def test_reviewers_never_see_drafts(draft, assign, reviewer, login):
    assign(draft, reviewer)
    assert login(reviewer).get(urls(draft)["recap"]).status_code == 404


def test_dashboard_lists_only_my_organisations_applications(
    login, asso_member, asso_b_admin, open_call, organisation, organisation_b, application_factory
):
    mine = application_factory(open_call, organisation, title="Projet de mon association")
    theirs = application_factory(open_call, organisation_b, created_by=asso_b_admin)
    theirs.title = "Projet de l'autre association"
    theirs.save()
    page = login(asso_member).get(reverse("projects:dashboard")).content.decode()
    assert mine.title in page and theirs.title not in page


def test_reviewer_list_shows_only_assigned(login, reviewer, open_call, organisation, application_factory, assign):
    mine = application_factory(open_call, organisation, status=A.STATUS_UNDER_REVIEW)
    other = application_factory(open_call, organisation, status=A.STATUS_UNDER_REVIEW)
    assign(mine, reviewer)
    page = login(reviewer).get(reverse("projects:my_reviews")).content.decode()
    assert mine.reference in page and other.reference not in page


def test_reviewer_cannot_open_someone_elses_assignment(login, reviewer, reviewer2, submitted, assign):
    assignment = assign(submitted, reviewer)
    assert login(reviewer2).get(reverse("projects:review", args=[assignment.pk])).status_code == 404


@pytest.mark.parametrize(
    "person,status", [("editor", 200), ("reviewer_assigned", 403), ("asso_admin", 403), ("citizen", 403)]
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "evaluations.csv"])
def test_exports_are_for_editors_only(person, status, fmt, people, submitted, login):
    response = login(people[person]).get(reverse("projects:staff_export", args=[submitted.call_id, fmt]))
    assert response.status_code == status


def test_csv_export_contains_applications_and_scores(login, editor, submitted, assign, reviewer):
    from projects import services

    assignment = assign(submitted, reviewer)
    services.save_scores(assignment, reviewer, {c.pk: 4 for c in submitted.call.criteria.all()}, final=True)
    content = login(editor).get(reverse("projects:staff_export", args=[submitted.call_id, "csv"])).content
    text = content.decode("utf-8-sig")
    assert submitted.reference in text and submitted.organisation.name in text
    assert ";4.0;" in text or ";4;" in text


def test_xlsx_export_opens(login, editor, submitted):
    import io

    from openpyxl import load_workbook

    content = login(editor).get(reverse("projects:staff_export", args=[submitted.call_id, "xlsx"])).content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.cell(row=2, column=1).value == submitted.reference


def test_public_sees_only_accepted_projects_and_public_fields(client, open_call, organisation, application_factory):
    accepted = application_factory(open_call, organisation, status=A.STATUS_ACCEPTED)
    accepted.title = "Projet lauréat public"
    accepted.save()
    hidden = {
        status: application_factory(open_call, organisation, status=status)
        for status in [
            A.STATUS_DRAFT,
            A.STATUS_SUBMITTED,
            A.STATUS_UNDER_REVIEW,
            A.STATUS_REJECTED,
            A.STATUS_SHORTLISTED,
        ]
    }
    for app in hidden.values():
        app.title = f"Secret {app.status}"
        app.save()
    page = client.get(reverse("projects:laureates")).content.decode()
    assert "Projet lauréat public" in page and "Secret" not in page
    assert client.get(reverse("projects:laureate_detail", args=[accepted.reference])).status_code == 200
    for app in hidden.values():
        if app.reference:
            assert client.get(reverse("projects:laureate_detail", args=[app.reference])).status_code == 404
    data = json.loads(client.get(reverse("projects:open_data", args=["json"])).content)
    assert [p["titre"] for p in data["projets"]] == ["Projet lauréat public"]
    assert set(data["projets"][0]) == {
        "reference",
        "titre",
        "organisation",
        "region_code",
        "region",
        "montant_accorde",
        "resume",
        "appel",
        "date_decision",
    }
    csv_text = client.get(reverse("projects:open_data", args=["csv"])).content.decode("utf-8-sig")
    assert "Projet lauréat public" in csv_text and "Secret" not in csv_text
    # No private field leaks: contact e-mail, description, budget.
    for text in (page, csv_text, json.dumps(data)):
        assert accepted.contact_email not in text and accepted.description not in text


def test_laureate_detail_shows_no_private_fields(client, open_call, organisation, application_factory):
    accepted = application_factory(open_call, organisation, status=A.STATUS_ACCEPTED)
    page = client.get(reverse("projects:laureate_detail", args=[accepted.reference])).content.decode()
    assert accepted.summary in page
    assert accepted.description not in page and accepted.contact_email not in page and "statuts.pdf" not in page


def test_laureates_filters_by_region_and_call(client, open_call, closed_call, organisation, application_factory):
    one = application_factory(open_call, organisation, status=A.STATUS_ACCEPTED)
    two = application_factory(closed_call, organisation, status=A.STATUS_ACCEPTED)
    two.region = "11"
    two.title = "Projet francilien"
    two.save()
    one.title = "Projet occitan"
    one.save()
    page = client.get(reverse("projects:laureates") + "?region=11").content.decode()
    assert "Projet francilien" in page and "Projet occitan" not in page
    data = json.loads(client.get(reverse("projects:open_data", args=["json"]) + f"?appel={open_call.pk}").content)
    assert [p["titre"] for p in data["projets"]] == ["Projet occitan"]
    page = client.get(reverse("projects:laureates")).content.decode()
    assert "Île-de-France" in page and "Occitanie" in page  # the by-region table


def test_messages_are_private_to_applicant_and_staff(
    login, submitted, assign, reviewer, editor, asso_member, mailoutbox, django_capture_on_commit_callbacks
):
    from projects import services

    assign(submitted, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(submitted, editor, "Merci de préciser le calendrier.")
    assert any(asso_member.email != m and "Nouveau message" in m.subject for m in mailoutbox)
    assert "préciser le calendrier" in login(asso_member).get(urls(submitted)["detail"]).content.decode()
    assert (
        "préciser le calendrier"
        not in login(reviewer).get(reverse("projects:review", args=[submitted.assignments.first().pk])).content.decode()
    )
    response = login(reviewer).post(reverse("projects:post_message", args=[submitted.pk]), {"body": "Hello"})
    assert response.status_code == 404


def test_message_with_attachment_notifies_staff(
    login, submitted, asso_member, editor, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.projects.conftest import pdf_upload

    client = login(asso_member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("projects:post_message", args=[submitted.pk]),
            {"body": "Voici le rapport.", "files": [pdf_upload("rapport.pdf")]},
        )
    message = submitted.messages.get()
    assert message.attachments.get().original_name == "rapport.pdf"
    assert any(editor.email in m.to for m in mailoutbox)
    download = reverse("projects:attachment_download", args=[submitted.pk, message.attachments.get().pk])
    assert login(editor).get(download).status_code == 200


def test_decision_letter_and_attestation(
    login, open_call, organisation, application_factory, asso_member, asso_b_admin, editor
):
    accepted = application_factory(open_call, organisation, status=A.STATUS_ACCEPTED)
    letter = reverse("projects:decision_letter", args=[accepted.pk])
    attestation = reverse("projects:attestation", args=[accepted.pk])
    assert "15" in login(asso_member).get(attestation).content.decode()
    assert login(asso_member).get(letter).status_code == 200
    assert login(editor).get(letter).status_code == 200
    assert login(asso_b_admin).get(letter).status_code == 404
    submitted = application_factory(open_call, organisation, status=A.STATUS_SUBMITTED)
    assert login(asso_member).get(reverse("projects:attestation", args=[submitted.pk])).status_code == 404


def test_personal_data_export_includes_my_applications(login, draft, asso_admin, asso_b_admin):
    data = json.loads(login(asso_admin).get(reverse("accounts:download_data")).content)
    assert data["candidatures"][0]["titre"] == draft.title
    data = json.loads(login(asso_b_admin).get(reverse("accounts:download_data")).content)
    assert data["candidatures"] == []


def test_evaluations_export_has_one_line_per_review_with_marks(login, editor, submitted, assign, reviewer):
    from projects import services

    assignment = assign(submitted, reviewer)
    services.save_scores(assignment, reviewer, {c.pk: 3 for c in submitted.call.criteria.all()}, "Privé", final=True)
    text = (
        login(editor)
        .get(reverse("projects:staff_export", args=[submitted.call_id, "evaluations.csv"]))
        .content.decode("utf-8-sig")
    )
    header, line = text.strip().splitlines()
    assert header.startswith("Référence;Évaluateur·rice;Déport;Transmise le;Utilité;Faisabilité;Pérennité")
    assert line.startswith(submitted.reference) and ";3;3;3;3.000;Privé" in line
