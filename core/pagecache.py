"""Versioned caches: whole pages for anonymous readers, and the version counters every cached thing keys on.

A national consultation can turn into a flash crowd of readers who are not logged in. Their pages are the same
for everyone except three per-response values, so we render a page once per *version* and serve copies:

- the CSRF token (the language switch is a POST form on every page) and the CSP nonce are rendered as
  placeholders (core.context_processors) and replaced in each copy by the visitor's own token and a fresh
  nonce — a cached copy never carries somebody else's token or a reused nonce;
- the cache key holds the scope's version (e.g. one consultation), bumped after commit by every change that
  alters what readers see (a contribution event, a page publication, an account deletion): a hidden
  contribution disappears from the very next page served, not after a delay;
- a bump that cannot reach the cache (Redis unreachable) is kept by its process and written again before that
  process serves any page or bumps again: otherwise copies stored before the outage, still in Redis, would look
  fresh once it answers (a contribution hidden meanwhile shown again). Other processes cannot know of the lost
  bump; their window ends at this process's next request, and in any case with the copies' TTL (below);
- PAGE_CACHE_SECONDS bounds what no event announces (a display name changed in a profile): a copy older than
  that is no longer fresh. It stays in the cache PAGE_CACHE_STALE_SECONDS longer and is served, like a copy
  behind by additions, while one request renders its successor. Before, it simply expired: copies rendered
  together expired together, and the readers of every page then waited for a render (up to
  PAGE_CACHE_WAIT_SECONDS) or rendered it themselves at once;
- while one request re-renders a page made stale by *additions only* (a new contribution, vote counts), other
  readers get the previous copy at once, if it is at most PAGE_CACHE_STALE_SECONDS old: live.js catches up from
  the copy's last event id over the socket, so nothing is missed, and a flash crowd never waits on the render.
  Anything that takes something away (a contribution hidden, withdrawn or edited, a page unpublished, a view
  restriction) also bumps the scope's *strict* version, and a copy behind on that is never served.

Only plain anonymous GETs are cached: no session cookie, no pending message, a 200 answer that sets no cookie.
Logged-in people always get a fresh page (their votes, their pending contributions, their forms). When the
cache is unreachable (a Redis restart), `get` misses and pages are rendered as usual.
"""

import hashlib
import logging
import math
import threading
import time
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token

from core.cache import UNAVAILABLE

logger = logging.getLogger(__name__)

# Placeholders are plain letters: HTML escaping leaves them untouched.
CSRF_PLACEHOLDER = "agoraPageCacheCsrfToken"
NONCE_PLACEHOLDER = "agoraPageCacheNonce"
RENDERING = "_agora_page_cache_rendering"
NOT_CACHEABLE = "_agora_page_cache_skip"
GLOBAL_SCOPE = "all"
RENDER_LOCK_SECONDS = 10  # a render lock outlives a crashed renderer by this much at most
WAIT_STEP_SECONDS = 0.05


class PageCopy(NamedTuple):
    """One cached page. `versions` and `strict` are "<global>.<scope>" and "<global>.<strict scope>" as read
    before the render started; `valid_until` is a timestamp or None; `rendered_at` is when the render started."""

    scope: str
    versions: str
    strict: str
    valid_until: float | None
    rendered_at: float
    content: bytes
    content_type: str


def strict_scope(scope: str) -> str:
    """The counter bumped only by changes that take something away from a scope's pages."""
    return f"{scope}!strict"


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


def bump(scope: str, additive: bool = False) -> None:
    """Make every cached item of a scope stale (call it after commit). `additive`: the change only adds to what
    the pages show (a new contribution, vote counts), so their previous copy may still be served for a few seconds
    while one request renders the new one; anything else also bumps the strict version."""
    retry_lost_bumps()
    for name in (scope,) if additive else (scope, strict_scope(scope)):
        try:
            _write_version(name)
        except UNAVAILABLE as error:
            with _lost_lock:
                _lost_bumps.add(name)
            logger.warning("page cache: version bump of %s kept for later (%s)", name, type(error).__name__)


# Version names whose bump could not reach the cache (Redis unreachable), written again by retry_lost_bumps.
_lost_bumps: set[str] = set()
_lost_lock = threading.Lock()


def _write_version(name: str) -> None:
    """Move a version on; raises UNAVAILABLE when the cache cannot be reached (never fails open)."""
    key = f"version:{name}"
    try:
        getattr(cache, "incr_or_raise", cache.incr)(key)
    except ValueError:  # missing (evicted, or never read): any value other than the old one will do
        getattr(cache, "set_or_raise", cache.set)(key, _new_counter(), None)


def retry_lost_bumps() -> None:
    """Write again the bumps this process could not write (core.cache: the cache fails open). Called before any
    copy is served (EarlyPageCacheMiddleware) and before each bump; a set check when nothing was lost."""
    if not _lost_bumps:
        return
    with _lost_lock:
        names = sorted(_lost_bumps)
        _lost_bumps.clear()
    for name in names:
        try:
            _write_version(name)
        except UNAVAILABLE:
            with _lost_lock:
                _lost_bumps.add(name)


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


def current_state(scope: str) -> tuple[str | None, str | None]:
    """("<global>.<scope>", "<global>.<strict scope>") from one cache round trip; None for a pair with a counter
    missing (never read, evicted)."""
    names = (GLOBAL_SCOPE, scope, strict_scope(scope))
    values = cache.get_many([f"version:{name}" for name in names])
    got = [values.get(f"version:{name}") for name in names]
    versions = f"{got[0]}.{got[1]}" if got[0] is not None and got[1] is not None else None
    strict = f"{got[0]}.{got[2]}" if got[0] is not None and got[2] is not None else None
    return versions, strict


def current_versions(scope: str) -> str | None:
    """ "<global>.<scope>" (None when a counter is missing)."""
    return current_state(scope)[0]


def strict_versions(scope: str) -> str | None:
    """ "<global>.<strict scope>": moves only when something may no longer be shown (None when missing)."""
    return current_state(scope)[1]


def _unexpired(entry: PageCopy) -> bool:
    """Before the entry's `valid_until` (e.g. its consultation opening or closing at a set time)."""
    return entry.valid_until is None or time.time() < entry.valid_until


def _young(entry: PageCopy) -> bool:
    """Rendered at most PAGE_CACHE_SECONDS ago: nothing that no event announces can be older than that."""
    return time.time() - entry.rendered_at <= settings.PAGE_CACHE_SECONDS


def _fresh(entry: PageCopy | None, versions: str | None) -> bool:
    return (
        entry is not None
        and versions is not None
        and entry.versions == versions
        and _unexpired(entry)
        and _young(entry)
    )


def _servable_stale(entry: PageCopy | None, strict: str | None, versions: str | None) -> bool:
    """May be served while its next version renders: behind only by additions and rendered at most
    PAGE_CACHE_STALE_SECONDS ago, or current but aged past PAGE_CACHE_SECONDS by at most as much."""
    if entry is None or strict is None or entry.strict != strict or not _unexpired(entry):
        return False
    age = time.time() - entry.rendered_at
    if versions is not None and entry.versions == versions:
        return age <= settings.PAGE_CACHE_SECONDS + settings.PAGE_CACHE_STALE_SECONDS
    return age <= settings.PAGE_CACHE_STALE_SECONDS


def lock_key(key: str) -> str:
    return f"render:{key}"


def _parse(versions: str | None) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in versions.split("."))
    except (AttributeError, ValueError):
        return None


def _at_least(entry, wanted: tuple[int, ...]) -> bool:
    """The copy was rendered at `wanted` or later (counters only grow; a re-created one starts above the lost
    one: _new_counter) and within its lifetime, so it is as fresh as a page rendered now would be for a reader who
    arrived at `wanted`."""
    got = _parse(entry.versions) if entry is not None else None
    return (
        got is not None
        and len(got) == len(wanted)
        and all(a >= b for a, b in zip(got, wanted, strict=True))
        and _unexpired(entry)
        and _young(entry)
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
    entry = values.get(key)
    if not isinstance(entry, PageCopy):  # absent, or written by an older release in another shape
        entry = None
    return entry, values.get(lock_key(key))


def serve(request, scope: str, render, valid_until=None) -> HttpResponse:
    """Answer with a cached copy of the page `render()` produces, for anonymous readers; `render()` otherwise.

    `scope` names the version the page depends on (with the global one); `valid_until` (a timestamp) is when
    the page would change without any event, e.g. a consultation opening or closing at a set time. The entry
    also serves later requests from EarlyPageCacheMiddleware, before the URL is even resolved.
    """
    if not cacheable(request):
        return render()
    key = entry_key(request)
    entry, _ = _get_pair(key)
    versions, strict = current_state(scope)
    if versions is None or strict is None:  # a counter never read or evicted: create it, so copies can be checked
        versions = f"{version(GLOBAL_SCOPE)}.{version(scope)}"
        strict = f"{version(GLOBAL_SCOPE)}.{version(strict_scope(scope))}"
    if _fresh(entry, versions):
        return _from_entry(request, entry)
    # Readers arriving while this render runs wait for its copy (EarlyPageCacheMiddleware): one render per page
    # and version. Not claimed (another request renders it): render anyway, never wait here, where the request
    # may already hold a database connection.
    claimed = cache.add(lock_key(key), scope, RENDER_LOCK_SECONDS)
    rendered_at = time.time()
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
            # Kept past its freshness by the stale window: served while its successor renders (_servable_stale).
            timeout = settings.PAGE_CACHE_SECONDS + math.ceil(settings.PAGE_CACHE_STALE_SECONDS)
            if valid_until is not None:
                timeout = max(1, min(timeout, int(valid_until - time.time())))
            copy = PageCopy(
                scope, versions, strict, valid_until, rendered_at, response.content, response["Content-Type"]
            )
            cache.set(key, copy, timeout)
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
        retry_lost_bumps()  # before any copy is read: one stored before a lost bump must not look fresh
        if early_cacheable(request):
            key = entry_key(request)
            entry, lock = _get_pair(key)
            if entry is not None:
                versions, strict = current_state(entry.scope)
                if _fresh(entry, versions):
                    return _from_entry(request, entry)
                if lock is not None and _servable_stale(entry, strict, versions):  # its successor is rendering
                    return _from_entry(request, entry)
            if lock is not None:  # being rendered right now (the lock holds the page's scope)
                entry = wait_for_copy(key, lock)
                if entry is not None:
                    return _from_entry(request, entry)
        return self.get_response(request)


def _from_entry(request, entry) -> HttpResponse:
    """A cached copy as this visitor's response."""
    return _personalise(request, HttpResponse(entry.content, content_type=entry.content_type))


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
