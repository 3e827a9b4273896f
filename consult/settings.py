"""Knobs of the consultation app, each with a default (override in Django settings with the same name)."""

from django.conf import settings


def _get(name, default):
    return getattr(settings, name, default)


def flags_to_hide() -> int:
    """Number of distinct flags after which a published contribution is hidden pending review."""
    return _get("CONSULT_FLAGS_TO_HIDE", 3)


def edit_window_minutes() -> int:
    return _get("CONSULT_EDIT_WINDOW_MINUTES", 15)


def min_fill_seconds() -> int:
    """Forms sent faster than this after being rendered are refused (bots)."""
    return _get("CONSULT_MIN_FILL_SECONDS", 3)


def threads_per_page() -> int:
    return _get("CONSULT_THREADS_PER_PAGE", 20)


def rates() -> dict:
    """(user_rate, ip_rate) per scope for core.ratelimit."""
    return _get(
        "CONSULT_RATES",
        {
            "post": ("6/m", "30/m"),
            "vote": ("60/m", "200/m"),
            "flag": ("10/m", "30/m"),
            "follow": ("20/m", "60/m"),
        },
    )


def campaign_min_length() -> int:
    """Normalised texts shorter than this never form a campaign ("d'accord" is not a campaign)."""
    return _get("CONSULT_CAMPAIGN_MIN_LENGTH", 40)
