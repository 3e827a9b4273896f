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
import secrets

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token

# Placeholders are plain letters: HTML escaping leaves them untouched.
CSRF_PLACEHOLDER = "agoraPageCacheCsrfToken"
NONCE_PLACEHOLDER = "agoraPageCacheNonce"
RENDERING = "_agora_page_cache_rendering"
GLOBAL_SCOPE = "all"


def version(scope: str) -> int:
    """The current version of a scope ("home", "consultation-12", "all"); created at 1 when missing."""
    key = f"version:{scope}"
    value = cache.get(key)
    if value is None:
        value = 1
        cache.add(key, value, None)
    return value


def bump(scope: str) -> None:
    """Make every cached item of a scope stale (call it after commit)."""
    key = f"version:{scope}"
    try:
        cache.incr(key)
    except ValueError:  # missing (evicted, or never read): any value other than the old one will do
        cache.set(key, secrets.randbelow(2**31) + 2, None)


def placeholders_active(request) -> bool:
    """True while a page meant for the cache renders (read by core.context_processors)."""
    return getattr(request, RENDERING, False)


def cacheable(request) -> bool:
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False
    return not request.user.is_authenticated


def serve(request, scope: str, render, *key_parts) -> HttpResponse:
    """Answer with a cached copy of the page `render()` produces, for anonymous readers; `render()` otherwise.

    `scope` names the version the page depends on; `key_parts` add what else varies (e.g. a status derived
    from the clock). The path with its query string and the language are always part of the key.
    """
    if not cacheable(request):
        return render()
    path_hash = hashlib.blake2b(request.get_full_path().encode(), digest_size=12).hexdigest()
    versions = f"{version(GLOBAL_SCOPE)}.{version(scope)}"
    extra = ".".join(str(part) for part in key_parts)
    key = f"page:{scope}:{versions}:{request.LANGUAGE_CODE}:{extra}:{path_hash}"
    entry = cache.get(key)
    if entry is None:
        # Templates read the nonce from the request (django-dsfr's base does): lend them the placeholder.
        nonce, request.csp_nonce = request.csp_nonce, NONCE_PLACEHOLDER
        setattr(request, RENDERING, True)
        try:
            response = render()
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        finally:
            setattr(request, RENDERING, False)
            request.csp_nonce = nonce
        if response.status_code != 200 or response.streaming or response.cookies:
            return _personalise(request, response)
        entry = (response.content, response["Content-Type"])
        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        return _personalise(request, response)
    content, content_type = entry
    return _personalise(request, HttpResponse(content, content_type=content_type))


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
