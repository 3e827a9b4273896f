"""Versioned caches: whole pages for anonymous readers, and the version counters every cached thing keys on.

A national consultation can turn into a flash crowd of readers who are not logged in. Their pages are the same
for everyone except three per-response values, so we render a page once per *version* and serve copies:

- the CSRF token (the language switch is a POST form on every page) and the CSP nonce are rendered as
  placeholders (core.context_processors) and replaced in each copy by the visitor's own token and a fresh
  nonce — a cached copy never carries somebody else's token or a reused nonce;
- the cache key holds the scope's version (e.g. one consultation), bumped after commit by every change that
  alters what readers see (a contribution event, a page publication, an account deletion): a hidden
  contribution disappears from the very next page served, not after a delay;
- PAGE_CACHE_SECONDS bounds what no event announces (a display name changed in a profile).

Only plain anonymous GETs are cached: no session cookie, no pending message, a 200 answer that sets no cookie.
Logged-in people always get a fresh page (their votes, their pending contributions, their forms). When the
cache is unreachable (a Redis restart), `get` misses and pages are rendered as usual.
"""

import hashlib
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token

# Placeholders are plain letters: HTML escaping leaves them untouched.
CSRF_PLACEHOLDER = "agoraPageCacheCsrfToken"
NONCE_PLACEHOLDER = "agoraPageCacheNonce"
RENDERING = "_agora_page_cache_rendering"
NOT_CACHEABLE = "_agora_page_cache_skip"
GLOBAL_SCOPE = "all"
RENDER_LOCK_SECONDS = 10  # a render lock outlives a crashed renderer by this much at most
WAIT_STEP_SECONDS = 0.05


def _new_counter() -> int:
    """The first value of a counter created (or re-created after an eviction or a cache flush): milliseconds
    since the epoch, so it never equals a value the lost counter had — copies and the socket consumer's memory
    of an older value can never pass for current."""
    return int(time.time() * 1000)


def version(scope: str) -> int:
    """The current version of a scope ("home", "consultation-12", "all"); created when missing."""
    key = f"version:{scope}"
    value = cache.get(key)
    if value is None:
        value = _new_counter()
        if not cache.add(key, value, None):  # another process created it first: use theirs
            value = cache.get(key) or value
    return value


def bump(scope: str) -> None:
    """Make every cached item of a scope stale (call it after commit)."""
    key = f"version:{scope}"
    try:
        cache.incr(key)
    except ValueError:  # missing (evicted, or never read): any value other than the old one will do
        cache.set(key, _new_counter(), None)


def do_not_cache(response):
    """Keep this one answer out of the cache (e.g. search results answered by the fallback engine)."""
    setattr(response, NOT_CACHEABLE, True)
    return response


def placeholders_active(request) -> bool:
    """True while a page meant for the cache renders (read by core.context_processors)."""
    return getattr(request, RENDERING, False)


def cacheable(request) -> bool:
    if not early_cacheable(request):
        return False
    return not request.user.is_authenticated


def early_cacheable(request) -> bool:
    """What can be told before authentication: a plain GET with no session and no pending message (without a
    session cookie nobody is logged in)."""
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def entry_key(request) -> str:
    """One entry per URL (path + query string) and language."""
    path_hash = hashlib.blake2b(request.get_full_path().encode(), digest_size=12).hexdigest()
    return f"page:{request.LANGUAGE_CODE}:{path_hash}"


def current_versions(scope: str) -> str | None:
    """"<global>.<scope>" from one cache round trip; None when a counter is missing (never read, evicted)."""
    keys = (f"version:{GLOBAL_SCOPE}", f"version:{scope}")
    values = cache.get_many(keys)
    if len(values) != len(keys):
        return None
    return ".".join(str(values[key]) for key in keys)


def _unexpired(entry) -> bool:
    """Before the entry's `valid_until` (e.g. its consultation opening or closing at a set time)."""
    return entry[2] is None or time.time() < entry[2]


def _fresh(entry, versions: str | None) -> bool:
    return entry is not None and versions is not None and entry[1] == versions and _unexpired(entry)


def lock_key(key: str) -> str:
    return f"render:{key}"


def _parse(versions: str | None) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in versions.split("."))
    except (AttributeError, ValueError):
        return None


def _at_least(entry, wanted: tuple[int, ...]) -> bool:
    """The copy was rendered at `wanted` or later (counters only grow; a re-created one starts above the lost
    one: _new_counter), so it is as fresh as a page rendered now would be for a reader who arrived at `wanted`."""
    got = _parse(entry[1]) if entry is not None else None
    return (
        got is not None
        and len(got) == len(wanted)
        and all(a >= b for a, b in zip(got, wanted, strict=True))
        and _unexpired(entry)
    )


def wait_for_copy(key: str, scope: str):
    """Someone is rendering this page (its render lock is held): wait up to PAGE_CACHE_WAIT_SECONDS for the copy
    instead of rendering it too. When a contribution bumps a consultation's version, every reader of its pages
    misses at once; without this they would all render the same page together (a dogpile), each holding a
    database connection. Waits without touching the database. Returns the entry, or None (render yourself)."""
    wanted = _parse(current_versions(scope))
    if wanted is None:
        return None
    deadline = time.monotonic() + settings.PAGE_CACHE_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP_SECONDS)
        entry, lock = _get_pair(key)
        if _at_least(entry, wanted):
            return entry
        if lock is None:  # the render ended without a copy (an error, a non-200 answer): render yourself
            return None
    return None


def _get_pair(key: str):
    values = cache.get_many([key, lock_key(key)])
    return values.get(key), values.get(lock_key(key))


def serve(request, scope: str, render, valid_until=None) -> HttpResponse:
    """Answer with a cached copy of the page `render()` produces, for anonymous readers; `render()` otherwise.

    `scope` names the version the page depends on (with the global one); `valid_until` (a timestamp) is when
    the page would change without any event, e.g. a consultation opening or closing at a set time. The entry
    also serves later requests from EarlyPageCacheMiddleware, before the URL is even resolved.
    """
    if not cacheable(request):
        return render()
    key = entry_key(request)
    entry = cache.get(key)
    versions = current_versions(scope)
    if versions is None:  # a counter never read or evicted: create it, so the copy can be checked later
        versions = f"{version(GLOBAL_SCOPE)}.{version(scope)}"
    if _fresh(entry, versions):
        return _from_entry(request, entry)
    # Readers arriving while this render runs wait for its copy (EarlyPageCacheMiddleware): one render per page
    # and version. Not claimed (another request renders it): render anyway, never wait here, where the request
    # may already hold a database connection.
    claimed = cache.add(lock_key(key), scope, RENDER_LOCK_SECONDS)
    # Templates read the nonce from the request (django-dsfr's base does): lend them the placeholder.
    nonce, request.csp_nonce = request.csp_nonce, NONCE_PLACEHOLDER
    setattr(request, RENDERING, True)
    try:
        response = render()
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not getattr(response, NOT_CACHEABLE, False)
            and versions
        ):
            timeout = settings.PAGE_CACHE_SECONDS
            if valid_until is not None:
                timeout = max(1, min(timeout, int(valid_until - time.time())))
            cache.set(key, (scope, versions, valid_until, response.content, response["Content-Type"]), timeout)
    finally:
        setattr(request, RENDERING, False)
        request.csp_nonce = nonce
        if claimed:
            cache.delete(lock_key(key))
    return _personalise(request, response)


class EarlyPageCacheMiddleware:
    """Serves the anonymous copies that `serve` stored, before URL resolution, page lookups and permission
    checks: a copy is only ever stored after they passed, and everything that could change their answer bumps a
    version the copy is checked against (a page unpublished, moved or deleted, a view restriction, an event).

    Sits after the middleware whose response phase a copy needs (CSP nonce, language, CSRF cookie, frame
    options); see MIDDLEWARE in config/settings/base.py.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if early_cacheable(request):
            key = entry_key(request)
            entry, lock = _get_pair(key)
            if entry is not None and _fresh(entry, current_versions(entry[0])):
                return _from_entry(request, entry)
            if lock is not None:  # being rendered right now (the lock holds the page's scope)
                entry = wait_for_copy(key, lock)
                if entry is not None:
                    return _from_entry(request, entry)
        return self.get_response(request)


def _from_entry(request, entry) -> HttpResponse:
    """A cached entry (scope, versions, valid_until, content, content type) as this visitor's response."""
    return _personalise(request, HttpResponse(entry[3], content_type=entry[4]))


def _personalise(request, response: HttpResponse) -> HttpResponse:
    """Put this visitor's CSRF token and this response's nonce in place of the placeholders."""
    if response.streaming:
        return response
    content = response.content
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    content = content.replace(NONCE_PLACEHOLDER.encode(), request.csp_nonce.encode())
    response.content = content
    return response


def bump_everything(**kwargs) -> None:
    """Signal receiver: make every cached page stale once the current transaction commits. Connected (core/apps.py)
    to what can change any page's answer without an event of its own: a page deleted or moved, a view
    restriction added or removed, the site or its DSFR settings edited."""
    from django.db import transaction

    transaction.on_commit(lambda: bump(GLOBAL_SCOPE))
