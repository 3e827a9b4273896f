"""The multi-step form over HTTP: steps, budget rules, partners, attachments, autosave, resume, submission."""

import pytest
from django.core import mail
from django.urls import reverse

from projects import settings as app_settings
from projects.models import Application
from tests.projects.conftest import PDF, PNG, pdf_upload

A = Application
pytestmark = pytest.mark.django_db


def step_url(application, step):
    return reverse("projects:step", args=[application.pk, step])


@pytest.fixture
def empty_draft(open_call, organisation, asso_member):
    from projects import services

    return services.start_application(open_call, organisation, asso_member)


def budget_data(lines, requested, co_funding="0"):
    data = {
        "lines-TOTAL_FORMS": str(max(len(lines), 3)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "requested_amount": requested,
        "co_funding": co_funding,
        "action": "next",
    }
    for i, (category, label, amount) in enumerate(lines):
        data.update({f"lines-{i}-category": category, f"lines-{i}-label": label, f"lines-{i}-amount": amount})
    return data


PROJECT = {
    "title": "Ateliers Mon espace santé",
    "summary": "Des ateliers.",
    "description": "Tout le détail.",
    "target_public": "Patients dialysés",
    "region": "76",
    "departments": "31, 81",
    "duration_months": "12",
    "expected_outcomes": "200 personnes accompagnées",
    "action": "next",
}


def test_start_page_creates_a_prefilled_draft(login, asso_member, open_call, organisation):
    client = login(asso_member)
    response = client.post(reverse("projects:start", args=[open_call.pk]), {"organisation": organisation.pk})
    application = Application.objects.get()
    assert response["Location"] == step_url(application, "identity")
    page = client.get(step_url(application, "identity")).content.decode()
    assert organisation.rna in page and organisation.name in page


def test_start_refuses_an_organisation_i_do_not_belong_to(login, bob, open_call, organisation):
    login(bob).post(reverse("projects:start", args=[open_call.pk]), {"organisation": organisation.pk})
    assert not Application.objects.exists()


def test_start_on_a_closed_call_is_refused(login, asso_member, closed_call, organisation):
    login(asso_member).post(reverse("projects:start", args=[closed_call.pk]), {"organisation": organisation.pk})
    assert not Application.objects.exists()


def test_project_step_saves_and_moves_on(login, asso_member, empty_draft):
    response = login(asso_member).post(step_url(empty_draft, "project"), PROJECT)
    assert response["Location"] == step_url(empty_draft, "budget")
    empty_draft.refresh_from_db()
    assert empty_draft.title == PROJECT["title"] and "project" in empty_draft.completed_steps


def test_validation_error_keeps_everything_typed(login, asso_member, empty_draft):
    client = login(asso_member)
    data = dict(PROJECT, duration_months="99", title="Mon titre à garder")
    response = client.post(step_url(empty_draft, "project"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mon titre à garder" in page and "60 mois" in page
    # Leaving and coming back: the raw input is still there.
    page = client.get(step_url(empty_draft, "project")).content.decode()
    assert "Mon titre à garder" in page and "Tout le détail." in page


def test_budget_requested_above_max_grant_is_refused_with_a_clear_message(login, asso_member, empty_draft):
    response = login(asso_member).post(
        step_url(empty_draft, "budget"), budget_data([("staff", "Animation", "70000")], "70000")
    )
    page = response.content.decode()
    assert response.status_code == 200 and "dépasse la subvention maximale" in page
    assert "Animation" in page  # the lines typed are still there
    empty_draft.refresh_from_db()
    assert empty_draft.budget_lines.count() == 0


def test_budget_must_balance(login, asso_member, empty_draft):
    response = login(asso_member).post(
        step_url(empty_draft, "budget"), budget_data([("staff", "Animation", "10000")], "8000", "1000")
    )
    assert "pas équilibré" in response.content.decode()


def test_budget_incomplete_line_is_refused(login, asso_member, empty_draft):
    data = budget_data([("staff", "", "10000")], "10000")
    response = login(asso_member).post(step_url(empty_draft, "budget"), data)
    assert "Complétez la catégorie" in response.content.decode()


def test_budget_valid_is_saved_with_computed_total(login, asso_member, empty_draft):
    client = login(asso_member)
    data = budget_data([("staff", "Animation", "15000"), ("services", "Hébergement", "5000")], "18000", "2000")
    assert client.post(step_url(empty_draft, "budget"), data).status_code == 302
    empty_draft.refresh_from_db()
    assert empty_draft.expenses_total == 20000 and empty_draft.budget_lines.count() == 2
    assert "20000" in client.get(step_url(empty_draft, "budget")).content.decode().replace("\u202f", "").replace(
        " ", ""
    ).replace(",00", ".00").replace(".00", "")


def test_partners_step_requires_each_required_type(login, asso_member, consortium_call, organisation):
    from projects import services

    application = services.start_application(consortium_call, organisation, asso_member)
    client = login(asso_member)
    data = {
        "partners-TOTAL_FORMS": "2",
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "30",
        "partners-0-name": "Medilab",
        "partners-0-kind": "startup",
        "partners-0-role": "Développement",
        "action": "next",
    }
    page = client.post(step_url(application, "partners"), data).content.decode()
    assert "il manque" in page and "Professionnel" in page and "Medilab" in page
    data.update({"partners-1-name": "CHU", "partners-1-kind": "health_professional", "partners-1-role": "Clinique"})
    assert client.post(step_url(application, "partners"), data).status_code == 302
    assert application.partners.count() == 2


def test_partners_step_does_not_exist_for_association_calls(login, asso_member, empty_draft):
    assert login(asso_member).get(step_url(empty_draft, "partners")).status_code == 404


# --- autosave ------------------------------------------------------------------------------------------------


def test_autosave_keeps_raw_input_and_is_idempotent(login, asso_member, empty_draft):
    client = login(asso_member)
    url = reverse("projects:autosave", args=[empty_draft.pk, "project"])
    payload = {"title": "Titre en cours", "duration_months": "douze"}
    response = client.post(url, payload)
    assert response.status_code == 200 and response.json()["saved"]
    empty_draft.refresh_from_db()
    first_update = empty_draft.updated_at
    assert empty_draft.draft_data["project"]["title"] == "Titre en cours"
    client.post(url, payload)
    empty_draft.refresh_from_db()
    assert empty_draft.updated_at == first_update  # same payload, nothing written
    # Resume (closed tab): the step shows what was typed, even the invalid value.
    page = client.get(step_url(empty_draft, "project")).content.decode()
    assert "Titre en cours" in page and "douze" in page


def test_autosave_resume_budget_lines(login, asso_member, empty_draft):
    client = login(asso_member)
    client.post(
        reverse("projects:autosave", args=[empty_draft.pk, "budget"]),
        budget_data([("staff", "Ligne autosauvée", "1234")], "1234"),
    )
    assert "Ligne autosauvée" in client.get(step_url(empty_draft, "budget")).content.decode()


def test_autosave_refused_to_others_and_after_submission(
    login, asso_b_admin, asso_member, open_call, organisation, application_factory
):
    application = application_factory(open_call, organisation, status=A.STATUS_SUBMITTED)
    url = reverse("projects:autosave", args=[application.pk, "project"])
    assert login(asso_b_admin).post(url, {"title": "x"}).status_code == 404
    assert login(asso_member).post(url, {"title": "x"}).status_code == 409


def test_autosave_requires_post(login, asso_member, empty_draft):
    assert login(asso_member).get(reverse("projects:autosave", args=[empty_draft.pk, "project"])).status_code == 405


# --- attachments ---------------------------------------------------------------------------------------------


def upload(client, application, uploaded, kind="statutes"):
    return client.post(step_url(application, "attachments"), {"kind": kind, "file": uploaded})


def test_pdf_and_png_are_accepted(login, asso_member, empty_draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(asso_member)
    assert upload(client, empty_draft, pdf_upload()).status_code == 302
    assert upload(client, empty_draft, SimpleUploadedFile("logo.png", PNG, "image/png"), "other").status_code == 302
    assert empty_draft.attachments.count() == 2
    attachment = empty_draft.attachments.first()
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_a_renamed_executable_is_refused(login, asso_member, empty_draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("statuts.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    response = upload(login(asso_member), empty_draft, fake)
    assert response.status_code == 200 and "ne correspond pas" in response.content.decode()
    assert empty_draft.attachments.count() == 0


def test_a_png_renamed_pdf_is_refused(login, asso_member, empty_draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = upload(login(asso_member), empty_draft, SimpleUploadedFile("budget.pdf", PNG, "application/pdf"))
    assert "ne correspond pas" in response.content.decode()


def test_a_forbidden_extension_is_refused(login, asso_member, empty_draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = upload(login(asso_member), empty_draft, SimpleUploadedFile("script.html", b"<html>", "text/html"))
    assert "format non accepté" in response.content.decode()


def test_a_too_big_file_is_refused(login, asso_member, empty_draft, monkeypatch):
    monkeypatch.setattr(app_settings, "MAX_ATTACHMENT_SIZE", 100)
    response = upload(login(asso_member), empty_draft, pdf_upload(content=PDF + b"x" * 200))
    assert "taille maximale" in response.content.decode()
    assert empty_draft.attachments.count() == 0


def test_the_real_size_limit_is_ten_megabytes():
    assert app_settings.MAX_ATTACHMENT_SIZE == 10 * 1024 * 1024 and app_settings.MAX_ATTACHMENTS == 20


def test_too_many_files_are_refused(login, asso_member, empty_draft, monkeypatch):
    monkeypatch.setattr(app_settings, "MAX_ATTACHMENTS", 2)
    client = login(asso_member)
    upload(client, empty_draft, pdf_upload("a.pdf"))
    upload(client, empty_draft, pdf_upload("b.pdf"))
    response = upload(client, empty_draft, pdf_upload("c.pdf"))
    assert "au plus 2 pièces" in response.content.decode()
    assert empty_draft.attachments.count() == 2


def test_attachment_can_be_removed_while_draft_only(login, asso_member, empty_draft):
    client = login(asso_member)
    upload(client, empty_draft, pdf_upload())
    attachment = empty_draft.attachments.get()
    client.post(reverse("projects:attachment_delete", args=[empty_draft.pk, attachment.pk]))
    assert empty_draft.attachments.count() == 0


def test_other_association_cannot_upload(login, asso_b_admin, empty_draft):
    assert upload(login(asso_b_admin), empty_draft, pdf_upload()).status_code == 404


# --- submission over HTTP --------------------------------------------------------------------------------------


def test_full_journey_submit_receipt_and_recap(
    login, asso_member, open_call, organisation, django_capture_on_commit_callbacks
):
    client = login(asso_member)
    client.post(reverse("projects:start", args=[open_call.pk]), {"organisation": organisation.pk})
    application = Application.objects.get()
    identity = {
        "legal_name": organisation.name,
        "rna": organisation.rna,
        "siret": "",
        "address": "1 rue",
        "postcode": "31000",
        "city": "Toulouse",
        "contact_name": "Membre A",
        "contact_email": asso_member.email,
        "contact_phone": "",
        "action": "next",
    }
    assert client.post(step_url(application, "identity"), identity).status_code == 302
    assert client.post(step_url(application, "project"), PROJECT).status_code == 302
    assert (
        client.post(
            step_url(application, "budget"), budget_data([("staff", "Animation", "25000")], "20000", "5000")
        ).status_code
        == 302
    )
    upload(client, application, pdf_upload())
    page = client.get(step_url(application, "declaration")).content.decode()
    assert "incomplet" not in page
    # Without the sworn declaration: refused, still a draft.
    client.post(step_url(application, "declaration"), {})
    application.refresh_from_db()
    assert application.status == A.STATUS_DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(application, "declaration"), {"sworn_declaration": "on"})
    application.refresh_from_db()
    assert application.status == A.STATUS_SUBMITTED
    assert response["Location"] == reverse("projects:receipt", args=[application.pk])
    assert application.reference in client.get(response["Location"]).content.decode()
    assert any(application.reference in m.subject for m in mail.outbox)
    recap = client.get(reverse("projects:application_recap", args=[application.pk])).content.decode()
    assert "print.css" in recap and "Ateliers Mon espace santé" in recap
    # Locked after submission.
    assert client.get(step_url(application, "project")).status_code == 302


def test_withdraw_over_http(login, asso_member, open_call, organisation, application_factory):
    application = application_factory(open_call, organisation, status=A.STATUS_SUBMITTED)
    login(asso_member).post(reverse("projects:withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == A.STATUS_WITHDRAWN


def test_dashboard_query_count_does_not_grow(
    login, asso_member, open_call, organisation, application_factory, django_assert_max_num_queries
):
    for _ in range(3):
        application_factory(open_call, organisation)
    client = login(asso_member)
    client.get(reverse("projects:dashboard"))
    with django_assert_max_num_queries(12):
        client.get(reverse("projects:dashboard"))
    for _ in range(10):
        application_factory(open_call, organisation, status=A.STATUS_SUBMITTED)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("projects:dashboard")).status_code == 200


def test_staff_actions_over_http(login, editor, open_call, organisation, application_factory, reviewer):
    application = application_factory(open_call, organisation, status=A.STATUS_SUBMITTED)
    client = login(editor)
    url = reverse("projects:staff_application", args=[application.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"action": "eligible"})
    client.post(url, {"action": "start_review"})
    client.post(url, {"action": "assign", "reviewer": reviewer.pk})
    client.post(url, {"action": "corrections", "sections": ["budget"], "message": "Précisez."})
    application.refresh_from_db()
    assert application.status == A.STATUS_CORRECTIONS_REQUESTED and application.assignments.count() == 1
    # A refused action shows a message, changes nothing.
    client.post(url, {"action": "accept", "granted_amount": "100", "motivation": "x"})
    application.refresh_from_db()
    assert application.status == A.STATUS_CORRECTIONS_REQUESTED


def test_corrections_flow_for_applicant_over_http(
    login, editor, asso_member, open_call, organisation, application_factory
):
    from projects import services

    application = application_factory(open_call, organisation, status=A.STATUS_UNDER_REVIEW)
    services.request_corrections(application, editor, ["project"], "Précisez le public.")
    client = login(asso_member)
    assert client.get(step_url(application, "budget")).status_code == 302  # locked section
    assert client.get(step_url(application, "project")).status_code == 200
    client.post(step_url(application, "project"), dict(PROJECT, target_public="Public précisé"))
    client.post(reverse("projects:resubmit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == A.STATUS_RESUBMITTED and application.target_public == "Public précisé"


def test_call_pages_render(client, open_call, consortium_call, call_index):
    assert client.get(call_index.url).status_code == 200
    page = client.get(open_call.url).content.decode()
    assert "Utilité" in page and "×3" in page
    assert "Ouvert" in page
    index = client.get(call_index.url + "?type=consortium").content.decode()
    assert consortium_call.title in index and open_call.title not in index


def test_home_teaser_lists_open_calls(client, open_call, closed_call):
    page = client.get("/").content.decode()
    assert open_call.title in page and closed_call.title not in page


def test_pdf_constant_is_a_pdf():
    import filetype

    assert filetype.guess(PDF).mime == "application/pdf" and filetype.guess(PNG).mime == "image/png"
