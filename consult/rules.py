"""Who may do what in consultations: small predicates shared by the views, the API, the exports, the socket
consumer (part B) and the admin. None of them touches the database more than once per call (and most not at all
once `user._consult_blocked` is cached).
"""

from datetime import timedelta

from django.utils import timezone

from accounts.roles import is_editor, is_moderator
from consult import settings as consult_settings
from consult.models import Contribution, ParticipationBlock

WRITABLE_STATUSES = (Contribution.STATUS_PUBLISHED, Contribution.STATUS_PENDING)


def is_authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_blocked(user) -> bool:
    """A moderator barred this person from participating (cached on the user object for the request)."""
    if not is_authenticated(user):
        return False
    cached = getattr(user, "_consult_blocked", None)
    if cached is None:
        cached = ParticipationBlock.objects.filter(user=user).exists()
        user._consult_blocked = cached
    return cached


def is_author(user, contribution) -> bool:
    return is_authenticated(user) and contribution.author_id == user.pk


def can_moderate(user, consultation=None) -> bool:
    return is_moderator(user)


def can_edit_synthesis(user, consultation=None) -> bool:
    return is_editor(user)


def can_export_staff(user, consultation=None) -> bool:
    """The staff export carries moderation fields and author pseudonyms' keys: moderators and editors only."""
    return is_moderator(user) or is_editor(user)


def can_view_consultation(user, consultation) -> bool:
    return bool(consultation.live) or is_editor(user) or is_moderator(user)


def passes_view_restrictions(request, consultation, restrictions=None) -> bool:
    """The consultation's Wagtail privacy settings (login, password, groups, on it or an ancestor) hold for
    everything that reaches its contributions: section and contribution URLs, exports, the live socket and its
    HTTP catch-up. `request` needs only `.user` and `.session` (a socket's scope gives both). Editors and
    moderators pass: they work on restricted consultations from the admin. No query for an unrestricted
    consultation read recently (view_restrictions), none either when the caller passes the `restrictions` it read."""
    if restrictions is None:
        restrictions = view_restrictions(consultation)
    if not restrictions:  # most consultations: no need to read the person's roles either
        return True
    user = request.user
    if is_editor(user) or is_moderator(user):
        return True
    return all(restriction.accept_request(request) for restriction in restrictions)


# Consultation id → the global page-cache version (core/pagecache.py) under which it was last found without any
# view restriction. Every restriction change, page move or deletion bumps that version (core/apps.py), so the
# memory goes stale in every process at once; until then a reader costs one cache round trip, not two queries.
_unrestricted: dict[int, int] = {}


def view_restrictions(consultation) -> list:
    """The Wagtail view restrictions on the consultation or one of its ancestors."""
    from core import pagecache

    version = pagecache.version(pagecache.GLOBAL_SCOPE)  # read first: a change during the query leaves it stale
    if _unrestricted.get(consultation.pk) == version:
        return []
    restrictions = list(consultation.get_view_restrictions())
    if not restrictions:
        _unrestricted[consultation.pk] = version
    return restrictions


def can_view_contribution(user, contribution) -> bool:
    """May `user` read the body? Published: everyone. Otherwise only its author and moderators.

    Hidden and withdrawn contributions still occupy their place in a thread, as a tombstone without body.
    """
    if contribution.status == Contribution.STATUS_PUBLISHED:
        return True
    return is_author(user, contribution) or is_moderator(user)


def can_see_in_thread(user, contribution) -> bool:
    """Listed in a thread at all (with body or as a tombstone)? Pending ones exist only for author + moderators."""
    if contribution.status == Contribution.STATUS_PENDING:
        return is_author(user, contribution) or is_moderator(user)
    return True


def post_refusal(user, consultation) -> str | None:
    """Why `user` may not post in `consultation` (French message), or None when allowed."""
    from consult.models import STATUS_CLOSED, STATUS_UPCOMING

    if not is_authenticated(user):
        return "Connectez-vous pour contribuer."
    if is_blocked(user):
        return "Votre participation aux consultations a été suspendue par la modération."
    status = consultation.status
    if status == STATUS_UPCOMING:
        return "Cette consultation n'est pas encore ouverte : vous pourrez contribuer à partir de son ouverture."
    if status == STATUS_CLOSED:
        return "Cette consultation est close : il n'est plus possible de contribuer."
    if not consultation.live:
        return "Cette consultation n'est pas publiée."
    return None


def can_post(user, consultation) -> bool:
    return post_refusal(user, consultation) is None


def can_reply(user, contribution) -> bool:
    return contribution.status == Contribution.STATUS_PUBLISHED and can_post(user, contribution.consultation)


def can_vote(user, contribution) -> bool:
    """Open consultation, published contribution, not one's own."""
    return (
        contribution.status == Contribution.STATUS_PUBLISHED
        and not is_author(user, contribution)
        and can_post(user, contribution.consultation)
    )


def can_flag(user, contribution) -> bool:
    """Any logged-in, non-blocked person may flag a published contribution of someone else (even once closed)."""
    return (
        is_authenticated(user)
        and not is_blocked(user)
        and contribution.status == Contribution.STATUS_PUBLISHED
        and not is_author(user, contribution)
    )


def edit_deadline(contribution):
    return contribution.created_at + timedelta(minutes=consult_settings.edit_window_minutes())


def can_edit(user, contribution) -> bool:
    """The author, within the edit window, while the consultation is open, on a published or pending text."""
    return (
        is_author(user, contribution)
        and contribution.status in WRITABLE_STATUSES
        and timezone.now() <= edit_deadline(contribution)
        and can_post(user, contribution.consultation)
    )


def can_withdraw(user, contribution) -> bool:
    """The author may withdraw a published or pending contribution while the consultation is open."""
    return (
        is_author(user, contribution)
        and contribution.status in WRITABLE_STATUSES
        and contribution.consultation.status != "closed"
    )


def can_follow(user, consultation) -> bool:
    return is_authenticated(user)


def can_speak_for(user, organisation) -> bool:
    """Speak in the name of a verified organisation the user belongs to."""
    return (
        is_authenticated(user)
        and organisation is not None
        and organisation.is_verified
        and organisation.memberships.filter(user=user).exists()
    )
