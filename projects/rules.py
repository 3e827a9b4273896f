"""Who may do what with calls and applications. Views, downloads, exports and the open data all ask these."""

from accounts.roles import is_editor, is_reviewer
from accounts.rules import is_member


def can_manage(user) -> bool:
    """Ministry staff who decide: eligibility, assignments, corrections, decisions, exports."""
    return is_editor(user)


def can_apply(user, call, organisation) -> bool:
    return bool(
        user.is_authenticated
        and is_member(user, organisation)
        and call.is_open()
        and (not call.requires_verified_association or organisation.is_verified)
    )


def is_applicant(user, application) -> bool:
    """A member (any role) of the applying organisation."""
    return bool(user.is_authenticated and is_member(user, application.organisation))


def active_assignment(user, application, declared=True):
    """The reviewer's assignment on this application, when not recused (None otherwise).

    With `declared` (the default for every read of the file), the reviewer must have declared their conflicts
    of interest first: nothing of the file is shown before that declaration.
    """
    if not user.is_authenticated or not is_reviewer(user):
        return None
    for assignment in application.assignments.all():
        if assignment.reviewer_id == user.pk and not assignment.recused:
            if declared and assignment.conflict_declared_at is None:
                return None
            return assignment
    return None


def can_view(user, application) -> bool:
    if is_applicant(user, application) or can_manage(user):
        return True
    return application.status != application.STATUS_DRAFT and active_assignment(user, application) is not None


def can_edit(user, application) -> bool:
    return is_applicant(user, application) and application.is_editable


def can_see_identity(user, application) -> bool:
    """Blind review hides the applicant's identity (and partners) from reviewers, not from staff or members."""
    if is_applicant(user, application) or can_manage(user):
        return True
    return not application.call.blind_review


def can_view_attachments(user, application) -> bool:
    # Statutes and letters name the organisation: hidden from reviewers in blind review.
    return can_view(user, application) and can_see_identity(user, application)


def can_view_messages(user, application) -> bool:
    return is_applicant(user, application) or can_manage(user)


def can_export(user) -> bool:
    return can_manage(user)


def is_public(application) -> bool:
    return application.status == application.STATUS_ACCEPTED
