"""Who may do what with organisations: small predicates, asked by views, admin and exports alike."""

from accounts.models import Membership, Organisation
from accounts.roles import is_editor


def is_member(user, organisation: Organisation) -> bool:
    return organisation.role_of(user) is not None


def is_org_admin(user, organisation: Organisation) -> bool:
    return organisation.role_of(user) == Membership.ROLE_ADMIN


def can_view_private(user, organisation: Organisation) -> bool:
    """Members list, invitations, applications: members and ministry editors only."""
    return is_member(user, organisation) or is_editor(user)


def can_edit(user, organisation: Organisation) -> bool:
    return is_org_admin(user, organisation)


def can_verify(user) -> bool:
    return bool(user.is_authenticated and user.has_perm("accounts.verify_organisation"))
