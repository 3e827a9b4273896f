"""Sliding-window rate limits kept in the cache (Redis in production, shared by every process).

A limit of N per period counts the accepted hits of the current fixed window plus those of the previous window
weighted by the part of it still inside the sliding period (the approximation Cloudflare's limiter
uses). A fixed window alone let a client spend its whole budget in the first instants of every window, and twice
the budget across a boundary (30 posts at 12:00:59 and 30 more at 12:01:00). Here a client that keeps trying is
accepted at the steady rate: 30/m becomes one post every two seconds.

Refused hits are not counted, so a client that keeps trying is accepted again as soon as its rate allows.
Concurrent hits of one client may overshoot the limit by the number of requests in flight (the check and the
count are two round trips); a limit is a protection, not an accounting.

IP addresses are never stored in clear: the key is an HMAC of the address, and counters expire one window
after the window they count (see docs/personal-data.md).
"""

import functools
import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _

RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/m' -> (10, 60); '5/10m' -> (5, 600)."""
    count, period = rate.split("/")
    unit = period[-1]
    multiplier = int(period[:-1] or 1)
    return int(count), RATE_UNITS[unit] * multiplier


def client_ip(request) -> str:
    # Behind our load balancer the LAST X-Forwarded-For entry is the address it saw: earlier entries come from
    # the client and can be forged to dodge the limits.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if getattr(settings, "USE_X_FORWARDED_FOR", False) else ""
    return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "") or "unknown"


def hashed(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:24]


def hit(scope: str, ident: str, rate: str, now: float | None = None) -> bool:
    """Count one hit if the sliding window allows it; return True when it is allowed."""
    if not settings.RATELIMIT_ENABLED:
        return True
    limit, period = parse_rate(rate)
    window, elapsed = divmod(time.time() if now is None else now, period)
    window = int(window)
    base = f"rl:{scope}:{hashed(ident)}:"
    current_key, previous_key = f"{base}{window}", f"{base}{window - 1}"
    counts = cache.get_many([previous_key, current_key])
    previous, current = counts.get(previous_key, 0), counts.get(current_key, 0)
    if previous * (1 - elapsed / period) + current + 1 > limit:
        return False
    # The counter is read during the next window too: it lives two windows (+1 s for clock skew).
    if not cache.add(current_key, 1, timeout=2 * period + 1):
        try:
            cache.incr(current_key)
        except ValueError:  # expired between add and incr
            cache.add(current_key, 1, timeout=2 * period + 1)
    return True


def check_request(request, scope: str, user_rate: str, ip_rate: str) -> bool:
    """True when both the user's and the IP's budgets allow one more write."""
    user = getattr(request, "user", None)
    ok = hit(scope + ":ip", client_ip(request), ip_rate)
    if user is not None and user.is_authenticated:
        ok = hit(scope + ":user", str(user.pk), user_rate) and ok
    return ok


def too_many_requests(request=None):
    message = _("Trop de demandes en peu de temps. Merci de patienter une minute avant de réessayer.")
    response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "60"
    return response


def ratelimit(scope: str, user_rate: str = "30/m", ip_rate: str = "60/m", methods=("POST",)):
    """View decorator: refuse with 429 (French message) past the budget."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and not check_request(request, scope, user_rate, ip_rate):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
