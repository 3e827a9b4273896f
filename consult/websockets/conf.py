"""Knobs of the real-time layer, overridable from Django settings (prefix CONSULT_LIVE_)."""

from django.conf import settings


def get(name: str, default):
    return getattr(settings, f"CONSULT_LIVE_{name}", default)


def catchup_limit() -> int:
    """Most events one catch-up answer carries (socket and HTTP); the client asks again while has_more."""
    return get("CATCHUP_LIMIT", 500)


def max_message_bytes() -> int:
    """Largest text frame a client may send; bigger ones close the socket (4413)."""
    return get("MAX_MESSAGE_BYTES", 2048)


def message_rate() -> tuple[int, float]:
    """(messages, seconds) a single connection may send; past it the socket is closed (4429)."""
    return get("MESSAGE_RATE", (10, 10.0))


def user_message_rate() -> str:
    """Budget shared by all the sockets of one signed-in user (core.ratelimit syntax)."""
    return get("USER_MESSAGE_RATE", "30/10s")


def presence_ttl() -> int:
    """Seconds of one presence bucket: every connection re-announces itself once per bucket."""
    return get("PRESENCE_TTL", 30)


def presence_broadcast_delay() -> float:
    """At most one presence broadcast per consultation per this many seconds (0 = immediately)."""
    return get("PRESENCE_BROADCAST_DELAY", 5.0)


def reconcile_seconds() -> float:
    """How often each process's hub compares the event log with what it delivered (0 = never), so an event
    whose broadcast was lost (its publishing process killed between commit and publish) still reaches the
    readers of this process."""
    return get("RECONCILE_SECONDS", 5.0)


def reconcile_grace() -> float:
    """Seconds an event is left to its own broadcast before the hub delivers it from the log."""
    return get("RECONCILE_GRACE", 2.0)


def reconcile_window() -> float:
    """Seconds after its insert an event may still commit (ids are allocated before commit) and be picked up."""
    return get("RECONCILE_WINDOW", 30.0)
