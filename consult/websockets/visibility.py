"""Who may receive which live event: written once, used by the socket consumer and the catch-up view.

An event's `audience` is decided when it is written (consult/services.py):
- public: everyone watching the consultation;
- moderators: moderators only;
- author: moderators and the one user `audience_user_id` (e.g. a pending contribution's author).
"""

from accounts.roles import is_moderator
from consult.models import ConsultationEvent

PUBLIC = ConsultationEvent.AUDIENCE_PUBLIC
MODERATORS = ConsultationEvent.AUDIENCE_MODERATORS
AUTHOR = ConsultationEvent.AUDIENCE_AUTHOR


class Viewer:
    """What the audience filter needs to know about a reader, computed once (no query per event)."""

    __slots__ = ("user_id", "moderator")

    def __init__(self, user_id: int | None, moderator: bool):
        self.user_id = user_id
        self.moderator = moderator

    @classmethod
    def of(cls, user) -> "Viewer":
        """Build from a user (may hit the database once for the groups: call it from sync code)."""
        if user is None or not user.is_authenticated:
            return cls(None, False)
        return cls(user.pk, is_moderator(user))


def may_receive(viewer: Viewer, audience: str, audience_user_id: int | None) -> bool:
    """The audience rule for one event."""
    if audience == PUBLIC:
        return True
    if viewer.moderator:
        return audience in (MODERATORS, AUTHOR)
    if audience == AUTHOR:
        return viewer.user_id is not None and viewer.user_id == audience_user_id
    return False
