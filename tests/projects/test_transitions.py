"""Every allowed and refused status change of an application (projects/services.py)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from projects import services
from projects.models import PARIS, Application, AuditEntry
from projects.services import ProjectsError

A = Application
pytestmark = pytest.mark.django_db


def status_of(application):
    application.refresh_from_db()
    return application.status


# --- submit ----------------------------------------------------------------------------------------------------


def test_submit_gives_a_reference_a_receipt_and_an_audit_entry(
    draft, asso_member, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(draft, asso_member, sworn_declaration=True)
    draft.refresh_from_db()
    assert draft.status == A.STATUS_SUBMITTED
    assert draft.reference == f"AAP-{timezone.localdate().year}-{draft.pk:05d}"
    assert AuditEntry.objects.filter(application=draft, action="submit", to_status=A.STATUS_SUBMITTED).exists()
    subjects = [m.subject for m in mail.outbox]
    assert any("Récépissé" in s and draft.reference in s for s in subjects)
    assert any(editor.email in m.to for m in mail.outbox)


def test_submit_refuses_a_non_member(draft, asso_b_admin):
    with pytest.raises(ProjectsError):
        services.submit(draft, asso_b_admin, sworn_declaration=True)
    assert status_of(draft) == A.STATUS_DRAFT


def test_submit_refuses_a_staff_editor(draft, editor):
    with pytest.raises(ProjectsError):
        services.submit(draft, editor, sworn_declaration=True)


def test_submit_refuses_without_sworn_declaration(draft, asso_admin):
    with pytest.raises(ProjectsError, match="honneur"):
        services.submit(draft, asso_admin, sworn_declaration=False)
    assert status_of(draft) == A.STATUS_DRAFT


def test_submit_refuses_twice(draft, asso_admin):
    services.submit(draft, asso_admin, sworn_declaration=True)
    with pytest.raises(ProjectsError):
        services.submit(draft, asso_admin, sworn_declaration=True)


def test_submit_refuses_an_incomplete_file(open_call, organisation, application_factory, asso_admin):
    application = application_factory(open_call, organisation, complete=False)
    with pytest.raises(ProjectsError, match="incomplet"):
        services.submit(application, asso_admin, sworn_declaration=True)


def test_submit_refuses_after_the_deadline(draft, asso_admin):
    later = draft.call.deadline + datetime.timedelta(seconds=1)
    with pytest.raises(ProjectsError, match="clos"):
        services.submit(draft, asso_admin, sworn_declaration=True, now=later)
    assert status_of(draft) == A.STATUS_DRAFT


def test_the_closing_minute_counts_in_paris_time(call_factory, organisation, application_factory, asso_admin):
    # Closing at 23:59 Paris time (22:59 UTC in winter): 23:59:59 is in time, midnight is late.
    closes = datetime.datetime(2030, 1, 15, 23, 59, tzinfo=PARIS)
    call = call_factory(closes_at=closes, opens_at=closes - datetime.timedelta(days=30))
    application = application_factory(call, organisation)
    assert call.is_open(datetime.datetime(2030, 1, 15, 22, 59, 59, 999000, tzinfo=datetime.UTC))
    assert not call.is_open(datetime.datetime(2030, 1, 15, 23, 0, 0, tzinfo=datetime.UTC))
    late = datetime.datetime(2030, 1, 16, 0, 0, 0, tzinfo=PARIS)
    with pytest.raises(ProjectsError):
        services.submit(application, asso_admin, sworn_declaration=True, now=late)
    in_time = datetime.datetime(2030, 1, 15, 23, 59, 59, tzinfo=PARIS)
    services.submit(application, asso_admin, sworn_declaration=True, now=in_time)
    assert status_of(application) == A.STATUS_SUBMITTED


def test_summer_time_deadline_is_paris_local(call_factory):
    closes = datetime.datetime(2030, 7, 1, 12, 0, tzinfo=PARIS)  # 10:00 UTC in summer
    call = call_factory(closes_at=closes, opens_at=closes - datetime.timedelta(days=30))
    assert call.is_open(datetime.datetime(2030, 7, 1, 10, 0, 59, tzinfo=datetime.UTC))
    assert not call.is_open(datetime.datetime(2030, 7, 1, 10, 1, 0, tzinfo=datetime.UTC))


def test_submit_refuses_before_opening(call_factory, organisation, application_factory, asso_admin):
    call = call_factory(status="upcoming")
    application = application_factory(call, organisation)
    with pytest.raises(ProjectsError):
        services.submit(application, asso_admin, sworn_declaration=True)


def test_submit_refuses_an_unverified_association_when_required(
    open_call, organisation_factory, asso_b_admin, application_factory
):
    org = organisation_factory(admin=asso_b_admin, verified=False)
    application = application_factory(open_call, org, created_by=asso_b_admin)
    with pytest.raises(ProjectsError, match="vérifiées"):
        services.submit(application, asso_b_admin, sworn_declaration=True)


def test_start_refuses_an_unverified_association_when_required(open_call, organisation_factory, asso_b_admin):
    org = organisation_factory(admin=asso_b_admin, verified=False)
    with pytest.raises(ProjectsError, match="vérifiées"):
        services.start_application(open_call, org, asso_b_admin)


def test_start_refuses_a_non_member(open_call, organisation, bob):
    with pytest.raises(ProjectsError, match="membre"):
        services.start_application(open_call, organisation, bob)


def test_start_prefills_identity_and_reuses_the_draft(open_call, organisation, asso_member):
    first = services.start_application(open_call, organisation, asso_member)
    assert first.legal_name == organisation.name and first.rna == organisation.rna
    assert services.start_application(open_call, organisation, asso_member) == first


def test_submit_refuses_a_consortium_missing_a_required_partner_type(
    consortium_call, organisation, application_factory, asso_admin
):
    application = application_factory(consortium_call, organisation)
    application.partners.filter(kind="health_professional").delete()
    with pytest.raises(ProjectsError, match="Professionnel"):
        services.submit(application, asso_admin, sworn_declaration=True)
    assert status_of(application) == A.STATUS_DRAFT


def test_submit_accepts_a_complete_consortium(consortium_call, organisation, application_factory, asso_admin):
    application = application_factory(consortium_call, organisation)
    services.submit(application, asso_admin, sworn_declaration=True)
    assert status_of(application) == A.STATUS_SUBMITTED


def test_submit_refuses_requested_amount_above_max_grant(open_call, organisation, application_factory, asso_admin):
    application = application_factory(open_call, organisation, complete=False)
    from tests.projects.conftest import fill

    fill(application, requested=Decimal("60000"), co_funding=Decimal("0"))
    with pytest.raises(ProjectsError, match="dépasse"):
        services.submit(application, asso_admin, sworn_declaration=True)


# --- eligibility ---------------------------------------------------------------------------------------------


@pytest.fixture
def submitted(open_call, organisation, application_factory):
    return application_factory(open_call, organisation, status=A.STATUS_SUBMITTED)


def test_editor_declares_eligible(submitted, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.declare_eligible(submitted, editor)
    assert status_of(submitted) == A.STATUS_ELIGIBLE
    assert any("recevable" in m.subject for m in mail.outbox)


def test_reviewer_cannot_declare_eligible(submitted, reviewer):
    with pytest.raises(ProjectsError):
        services.declare_eligible(submitted, reviewer)
    assert status_of(submitted) == A.STATUS_SUBMITTED


def test_applicant_cannot_declare_eligible(submitted, asso_admin):
    with pytest.raises(ProjectsError):
        services.declare_eligible(submitted, asso_admin)


def test_eligible_refused_from_draft(draft, editor):
    with pytest.raises(ProjectsError):
        services.declare_eligible(draft, editor)


def test_editor_declares_ineligible_with_reason(submitted, editor):
    services.declare_ineligible(submitted, editor, "Association non déclarée depuis un an.")
    submitted.refresh_from_db()
    assert submitted.status == A.STATUS_INELIGIBLE and submitted.eligibility_reason


def test_ineligible_requires_a_reason(submitted, editor):
    with pytest.raises(ProjectsError, match="motif"):
        services.declare_ineligible(submitted, editor, "  ")
    assert status_of(submitted) == A.STATUS_SUBMITTED


def test_ineligible_refused_from_eligible(submitted, editor):
    services.declare_eligible(submitted, editor)
    with pytest.raises(ProjectsError):
        services.declare_ineligible(submitted, editor, "Trop tard")


# --- review, corrections, decisions --------------------------------------------------------------------------


@pytest.fixture
def under_review(open_call, organisation, application_factory):
    return application_factory(open_call, organisation, status=A.STATUS_UNDER_REVIEW)


def test_start_review_from_eligible(submitted, editor):
    services.declare_eligible(submitted, editor)
    services.start_review(submitted, editor)
    assert status_of(submitted) == A.STATUS_UNDER_REVIEW


def test_start_review_refused_from_submitted(submitted, editor):
    with pytest.raises(ProjectsError):
        services.start_review(submitted, editor)


def test_start_review_refused_to_reviewer(open_call, organisation, application_factory, reviewer):
    application = application_factory(open_call, organisation, status=A.STATUS_ELIGIBLE)
    with pytest.raises(ProjectsError):
        services.start_review(application, reviewer)


def test_request_corrections_unlocks_only_named_sections(
    under_review, editor, asso_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_corrections(under_review, editor, ["budget"], "Détaillez le budget.")
    under_review.refresh_from_db()
    assert under_review.status == A.STATUS_CORRECTIONS_REQUESTED
    assert under_review.section_editable("budget")
    assert not under_review.section_editable("project")
    assert under_review.messages.filter(from_staff=True).exists()
    assert any("Compléments" in m.subject for m in mail.outbox)
    with pytest.raises(ProjectsError, match="pas ouverte"):
        services.save_step(under_review, asso_admin, "project", {"title": "Nouveau titre"})
    services.save_step(under_review, asso_admin, "budget", {"co_funding": Decimal("5000")})


def test_request_corrections_needs_sections_and_message(under_review, editor):
    with pytest.raises(ProjectsError):
        services.request_corrections(under_review, editor, [], "Détaillez.")
    with pytest.raises(ProjectsError):
        services.request_corrections(under_review, editor, ["budget"], "")
    assert status_of(under_review) == A.STATUS_UNDER_REVIEW


def test_request_corrections_refused_from_submitted(submitted, editor):
    with pytest.raises(ProjectsError):
        services.request_corrections(submitted, editor, ["budget"], "x")


def test_resubmit_locks_sections_again(under_review, editor, asso_member):
    services.request_corrections(under_review, editor, ["budget"], "Détaillez.")
    services.resubmit(under_review, asso_member)
    under_review.refresh_from_db()
    assert under_review.status == A.STATUS_RESUBMITTED and under_review.unlocked_sections == []
    assert not under_review.section_editable("budget")


def test_resubmit_refused_to_other_association(under_review, editor, asso_b_admin):
    services.request_corrections(under_review, editor, ["budget"], "Détaillez.")
    with pytest.raises(ProjectsError):
        services.resubmit(under_review, asso_b_admin)


def test_resubmit_refused_when_no_correction_was_requested(under_review, asso_admin):
    with pytest.raises(ProjectsError):
        services.resubmit(under_review, asso_admin)


def test_corrections_can_be_requested_again_after_resubmission(under_review, editor, asso_admin):
    services.request_corrections(under_review, editor, ["budget"], "Détaillez.")
    services.resubmit(under_review, asso_admin)
    services.request_corrections(under_review, editor, ["attachments"], "Joignez le rapport.")
    assert status_of(under_review) == A.STATUS_CORRECTIONS_REQUESTED


def test_shortlist_from_under_review_and_resubmitted(under_review, editor, asso_admin):
    services.shortlist(under_review, editor)
    assert status_of(under_review) == A.STATUS_SHORTLISTED


def test_shortlist_refused_from_eligible(open_call, organisation, application_factory, editor):
    application = application_factory(open_call, organisation, status=A.STATUS_ELIGIBLE)
    with pytest.raises(ProjectsError):
        services.shortlist(application, editor)


def test_shortlist_refused_to_reviewer(under_review, reviewer):
    with pytest.raises(ProjectsError):
        services.shortlist(under_review, reviewer)


def test_accept_with_granted_amount_and_letter(under_review, editor, django_capture_on_commit_callbacks):
    services.shortlist(under_review, editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(under_review, editor, "15000", "Projet solide.")
    under_review.refresh_from_db()
    assert under_review.status == A.STATUS_ACCEPTED and under_review.granted_amount == Decimal("15000")
    assert under_review.decided_at is not None
    assert any("Décision" in m.subject for m in mail.outbox)


def test_accept_refused_above_requested_or_max(under_review, editor):
    services.shortlist(under_review, editor)
    with pytest.raises(ProjectsError):
        services.accept(under_review, editor, "25000", "Trop")  # requested is 20 000
    with pytest.raises(ProjectsError):
        services.accept(under_review, editor, "0", "Rien")
    with pytest.raises(ProjectsError):
        services.accept(under_review, editor, "10000", "")
    assert status_of(under_review) == A.STATUS_SHORTLISTED


def test_accept_refused_unless_shortlisted(under_review, editor):
    with pytest.raises(ProjectsError):
        services.accept(under_review, editor, "10000", "Bien")


def test_accept_refused_to_reviewer(under_review, editor, reviewer):
    services.shortlist(under_review, editor)
    with pytest.raises(ProjectsError):
        services.accept(under_review, reviewer, "10000", "Bien")


def test_reject_with_motivation(under_review, editor):
    services.reject(under_review, editor, "Projet insuffisamment abouti.")
    under_review.refresh_from_db()
    assert under_review.status == A.STATUS_REJECTED and under_review.decision_motivation


def test_reject_requires_motivation(under_review, editor):
    with pytest.raises(ProjectsError):
        services.reject(under_review, editor, "")


def test_reject_refused_from_submitted(submitted, editor):
    with pytest.raises(ProjectsError):
        services.reject(submitted, editor, "Non")


# --- withdraw ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", A.UNDECIDED_STATUSES)
def test_withdraw_from_every_undecided_status(status, open_call, organisation, application_factory, asso_member):
    application = application_factory(open_call, organisation, status=status)
    services.withdraw(application, asso_member)
    assert status_of(application) == A.STATUS_WITHDRAWN


@pytest.mark.parametrize("status", [A.STATUS_ACCEPTED, A.STATUS_REJECTED, A.STATUS_INELIGIBLE, A.STATUS_WITHDRAWN])
def test_withdraw_refused_once_decided(status, open_call, organisation, application_factory, asso_admin):
    application = application_factory(open_call, organisation, status=status)
    with pytest.raises(ProjectsError):
        services.withdraw(application, asso_admin)
    assert status_of(application) == status


def test_withdraw_refused_to_another_association(submitted, asso_b_admin):
    with pytest.raises(ProjectsError):
        services.withdraw(submitted, asso_b_admin)


def test_withdraw_refused_to_editor(submitted, editor):
    with pytest.raises(ProjectsError):
        services.withdraw(submitted, editor)


def test_every_transition_is_audited(submitted, editor):
    services.declare_eligible(submitted, editor)
    services.start_review(submitted, editor)
    services.shortlist(submitted, editor)
    services.reject(submitted, editor, "Non retenu")
    actions = list(AuditEntry.objects.filter(application=submitted).values_list("action", "to_status"))
    assert actions == [
        ("eligible", "eligible"),
        ("start_review", "under_review"),
        ("shortlist", "shortlisted"),
        ("reject", "rejected"),
    ]
