"""Every write on accounts and organisations goes through these functions."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import ANONYMOUS_NAME, Invitation, Membership, Organisation
from core import pagecache
from core.mail import send_templated


class AccountsError(Exception):
    """A refused action, with a French message for the user."""


@transaction.atomic
def create_organisation(user, organisation: Organisation) -> Organisation:
    organisation.created_by = user
    organisation.save()
    Membership.objects.create(organisation=organisation, user=user, role=Membership.ROLE_ADMIN)
    return organisation


@transaction.atomic
def verify_organisation(organisation: Organisation, by) -> Organisation:
    if organisation.verified_at:
        raise AccountsError("Cette organisation est déjà vérifiée.")
    organisation.verified_at = timezone.now()
    organisation.verified_by = by
    organisation.save(update_fields=["verified_at", "verified_by"])
    admins = organisation.memberships.filter(role=Membership.ROLE_ADMIN).select_related("user")
    send_templated(
        [m.user.email for m in admins], "accounts/email/organisation_verified", {"organisation": organisation}
    )
    return organisation


@transaction.atomic
def invite(organisation: Organisation, email: str, role: str, by, request=None) -> Invitation:
    email = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise AccountsError("Cette personne est déjà membre de l'organisation.")
    invitation, _ = Invitation.objects.update_or_create(
        organisation=organisation, email=email, accepted_at=None, defaults={"role": role, "invited_by": by}
    )
    url = reverse("accounts:invitation_accept", args=[invitation.token])
    if request is not None:
        url = request.build_absolute_uri(url)
    send_templated(email, "accounts/email/invitation", {"invitation": invitation, "url": url, "by": by})
    return invitation


@transaction.atomic
def accept_invitation(invitation: Invitation, user) -> Membership:
    if invitation.accepted_at:
        raise AccountsError("Cette invitation a déjà été utilisée.")
    if invitation.is_expired:
        raise AccountsError("Cette invitation a expiré : demandez-en une nouvelle.")
    if invitation.email.lower() != user.email.lower():
        raise AccountsError("Cette invitation a été envoyée à une autre adresse électronique.")
    membership, _ = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def remove_member(membership: Membership, by) -> None:
    organisation = membership.organisation
    admins = organisation.memberships.filter(role=Membership.ROLE_ADMIN)
    if membership.role == Membership.ROLE_ADMIN and admins.count() == 1:
        raise AccountsError("L'organisation doit garder au moins un·e administrateur·rice.")
    membership.delete()


# Apps register callables that add the user's data to the export: fn(user) -> (key, data).
PERSONAL_DATA_EXPORTERS = []


def export_personal_data(user) -> dict:
    data = {
        "compte": {
            "email": user.email,
            "nom_affiche": user.display_name,
            "prenom": user.first_name,
            "nom": user.last_name,
            "inscrit_le": user.date_joined.isoformat(),
            "derniere_connexion": user.last_login.isoformat() if user.last_login else None,
        },
        "organisations": [
            {"nom": m.organisation.name, "role": m.role, "depuis": m.joined_at.isoformat()}
            for m in user.memberships.select_related("organisation")
        ],
    }
    for exporter in PERSONAL_DATA_EXPORTERS:
        key, value = exporter(user)
        data[key] = value
    return data


@transaction.atomic
def delete_account(user) -> None:
    """Remove the person, keep their public contributions under an anonymous name.

    The row stays (foreign keys from contributions keep pointing at it) but every personal field is wiped
    and the account can no longer log in.
    """
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).delete()
    user.memberships.all().delete()
    user.username = f"anonyme-{user.pk}"
    user.email = f"anonyme-{user.pk}@invalid.agora-sante.local"
    user.first_name = user.last_name = ""
    user.display_name = ANONYMOUS_NAME
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.anonymised_at = timezone.now()
    user.save()
    # Cached public pages show the old name until their version changes.
    transaction.on_commit(lambda: pagecache.bump(pagecache.GLOBAL_SCOPE))
    user.groups.clear()
