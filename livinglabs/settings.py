"""App knobs (override in Django settings with the LIVINGLABS_ prefix)."""

from django.conf import settings


def get(name, default):
    return getattr(settings, f"LIVINGLABS_{name}", default)


def revalidation_months() -> int:
    """Months after the last verification before the contact is asked to confirm."""
    return get("REVALIDATION_MONTHS", 12)


def grace_months() -> int:
    """Months without answer after the reminder before the page shows 'non vérifiées'."""
    return get("GRACE_MONTHS", 3)


def page_size() -> int:
    return get("PAGE_SIZE", 20)


def revalidation_cutoff(today=None):
    from livinglabs.models import months_ago

    return months_ago(revalidation_months(), today)


def overdue_cutoff(today=None):
    from livinglabs.models import months_ago

    return months_ago(revalidation_months() + grace_months(), today)
