"""The anonymous page cache (core/pagecache.py) on the consultation and section pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from consult import services

pytestmark = pytest.mark.django_db

NONCE = re.compile(r'nonce="([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def section_url(section):
    return reverse("consult:section", args=[section.page_id, section.anchor])


@pytest.fixture
def published(alice, section, contribution_factory):
    return contribution_factory(alice, section, body="Un avis publié sur la section.")


def test_a_second_anonymous_reader_is_served_without_rendering_the_threads_again(
    client, section, published, django_assert_max_num_queries
):
    client.get(section_url(section))
    # Served by EarlyPageCacheMiddleware: no URL resolution, no page lookup, no query at all.
    with django_assert_max_num_queries(0):
        response = Client().get(section_url(section))
    assert response.status_code == 200
    assert "Un avis publié sur la section." in response.text
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Language"] == "fr"


def test_a_copy_is_not_served_once_the_consultation_gets_a_view_restriction(
    client, consultation, section, published, django_capture_on_commit_callbacks
):
    from wagtail.models import PageViewRestriction

    assert client.get(section_url(section)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=consultation, restriction_type="login")
    assert Client().get(section_url(section)).status_code == 404
    assert Client().get(consultation.url).status_code in (302, 404)


def test_a_copy_is_not_served_once_the_consultation_is_unpublished(
    client, consultation, section, published, django_capture_on_commit_callbacks
):
    assert client.get(section_url(section)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        consultation.unpublish()
    assert Client().get(section_url(section)).status_code == 404


def test_a_copy_expires_when_the_consultation_closes_on_its_own(
    client, consultation, section, published, monkeypatch, django_assert_max_num_queries
):
    from core import pagecache

    assert client.get(section_url(section)).status_code == 200  # a copy made while open
    closing = consultation.closes_at.timestamp()
    monkeypatch.setattr(pagecache.time, "time", lambda: closing + 1)
    with django_assert_max_num_queries(40) as captured:
        later = Client().get(section_url(section))
    assert len(captured) > 0, "the copy made while open was served after the closing time"
    assert later.status_code == 200


def test_each_copy_carries_its_own_nonce_matching_its_csp_header(client, section, published):
    first, second = client.get(section_url(section)), Client().get(section_url(section))
    nonces = []
    for response in (first, second):
        found = set(NONCE.findall(response.text))
        assert len(found) == 1
        nonce = found.pop()
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    assert "agoraPageCache" not in second.text


def test_a_cached_copy_carries_the_visitors_own_csrf_token_and_the_language_switch_works(section, published):
    Client().get(section_url(section))  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.get(section_url(section))
    token = CSRF_INPUT.search(response.text).group(1)
    assert "csrftoken" in response.cookies
    switched = visitor.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


def test_a_hidden_contribution_leaves_the_cached_page_at_once(
    client, section, published, moderator, django_capture_on_commit_callbacks
):
    assert "Un avis publié sur la section." in client.get(section_url(section)).text
    with django_capture_on_commit_callbacks(execute=True):
        services.hide(moderator, published, "Propos injurieux")
    response = Client().get(section_url(section))
    assert "Un avis publié sur la section." not in response.text
    assert "Propos injurieux" in response.text


def test_a_new_contribution_appears_on_the_next_anonymous_page(
    client, section, published, bob, django_capture_on_commit_callbacks
):
    client.get(section_url(section))
    with django_capture_on_commit_callbacks(execute=True):
        services.create_contribution(
            bob,
            section,
            "Une seconde contribution, arrivée après.",
            stance="contre",
            no_interests=True,
        )
    assert "Une seconde contribution, arrivée après." in Client().get(section_url(section)).text


def test_the_consultation_page_follows_its_events_too(
    client, consultation, section, published, moderator, django_capture_on_commit_callbacks
):
    first = client.get(consultation.url)
    assert first.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.hide(moderator, published, "Hors sujet")
    again = Client().get(consultation.url)
    assert again.content != first.content


def test_logged_in_readers_never_get_a_cached_page(client, section, published, alice):
    client.get(section_url(section))  # an anonymous copy exists
    viewer = Client()
    viewer.force_login(alice)
    response = viewer.get(section_url(section))
    # Her own contribution form is there; anonymous readers get the log-in invitation instead.
    assert 'name="body"' in response.text
    assert 'name="body"' not in Client().get(section_url(section)).text


def test_a_visitor_with_a_pending_message_gets_a_freshly_rendered_page(
    client, section, published, django_assert_max_num_queries
):
    client.get(section_url(section))  # an anonymous copy exists
    visitor = Client()
    visitor.cookies["messages"] = "pending"
    with django_assert_max_num_queries(40) as captured:
        assert visitor.get(section_url(section)).status_code == 200
    assert len(captured) > 2


def test_the_page_cache_can_be_turned_off(client, section, published, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(section_url(section))
    with django_assert_max_num_queries(30) as captured:
        Client().get(section_url(section))
    assert len(captured) > 2


def _store_later(seconds, action):
    import threading

    timer = threading.Timer(seconds, action)
    timer.start()
    return timer


def _being_rendered(url, wait_seconds, settings, additive=False):
    """A copy of `url` made stale (by a hiding, or by a new contribution when `additive`) while another request
    holds its render lock. Returns (cache key, stale entry)."""
    from django.core.cache import cache
    from django.test import RequestFactory

    from core import pagecache

    settings.PAGE_CACHE_WAIT_SECONDS = wait_seconds
    Client().get(url)  # a first copy, and the page's versions
    request = RequestFactory().get(url)
    request.LANGUAGE_CODE = "fr"
    key = pagecache.entry_key(request)
    entry = cache.get(key)
    pagecache.bump(entry.scope, additive=additive)
    cache.add(pagecache.lock_key(key), entry.scope, 10)
    return key, entry


def test_a_reader_arriving_while_the_page_renders_waits_for_that_copy_instead_of_rendering_it_too(
    section, published, settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    from core import pagecache

    key, entry = _being_rendered(section_url(section), 3, settings)
    fresh = entry._replace(versions=pagecache.current_versions(entry.scope), content=b"<html>copie fraiche</html>")
    timer = _store_later(0.3, lambda: (cache.set(key, fresh, 60), cache.delete(pagecache.lock_key(key))))
    with django_assert_max_num_queries(0):
        response = Client().get(section_url(section))
    timer.join()
    assert response.content == b"<html>copie fraiche</html>"


def test_a_waiting_reader_renders_the_page_itself_when_the_other_render_ends_without_a_copy(
    section, published, settings
):
    from django.core.cache import cache

    from core import pagecache

    key, _ = _being_rendered(section_url(section), 3, settings)
    timer = _store_later(0.2, lambda: cache.delete(pagecache.lock_key(key)))  # that render failed
    response = Client().get(section_url(section))
    timer.join()
    assert response.status_code == 200 and "Un avis publié sur la section." in response.text


def test_a_waiting_reader_gives_up_after_the_wait_and_never_gets_a_copy_older_than_its_arrival(
    section, published, settings
):
    from django.core.cache import cache

    key, entry = _being_rendered(section_url(section), 0.3, settings)  # that render never ends (it hangs)
    cache.set(key, entry._replace(content=b"<html>copie perimee</html>"), 60)  # an older version's copy
    response = Client().get(section_url(section))
    assert response.status_code == 200 and b"copie perimee" not in response.content
    assert "Un avis publié sur la section." in response.text


def test_while_a_page_behind_by_a_new_contribution_renders_readers_get_its_previous_copy_at_once(
    section, published, settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    key, entry = _being_rendered(section_url(section), 3, settings, additive=True)
    cache.set(key, entry._replace(content=b"<html>copie precedente</html>"), 60)
    with django_assert_max_num_queries(0):  # neither a wait nor a render: live.js catches up over the socket
        response = Client().get(section_url(section))
    assert response.content == b"<html>copie precedente</html>"


def test_a_copy_behind_by_a_hidden_contribution_is_never_served_while_the_page_renders(section, published, settings):
    from django.core.cache import cache

    key, entry = _being_rendered(section_url(section), 0.3, settings)  # a hiding: the strict version moved
    cache.set(key, entry._replace(content=b"<html>copie avec le masque</html>"), 60)
    response = Client().get(section_url(section))
    assert response.status_code == 200 and b"copie avec le masque" not in response.content


def test_a_previous_copy_older_than_the_stale_limit_is_not_served(section, published, settings):
    import time

    from django.core.cache import cache

    key, entry = _being_rendered(section_url(section), 0.3, settings, additive=True)
    settings.PAGE_CACHE_STALE_SECONDS = 5
    cache.set(key, entry._replace(content=b"<html>trop vieille</html>", rendered_at=time.time() - 6), 60)
    response = Client().get(section_url(section))
    assert b"trop vieille" not in response.content and "Un avis publié sur la section." in response.text


def test_new_contributions_and_votes_bump_additively_hidings_strictly(
    client, section, published, moderator, bob, django_capture_on_commit_callbacks
):
    from core import pagecache

    client.get(section_url(section))
    scope = section.page.specific.page_cache_scope
    versions, strict = pagecache.current_state(scope)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_contribution(bob, section, "Encore un avis sur la section.", stance="pour", no_interests=True)
    after_new = pagecache.current_state(scope)
    assert after_new[0] != versions and after_new[1] == strict
    with django_capture_on_commit_callbacks(execute=True):
        services.hide(moderator, published, "Propos injurieux")
    assert pagecache.current_state(scope)[1] != strict


def test_a_hiding_whose_bump_could_not_reach_redis_is_applied_before_the_next_copy_is_served(
    section, published, moderator, monkeypatch, django_capture_on_commit_callbacks
):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from core import pagecache

    monkeypatch.setattr(pagecache, "_lost_bumps", set())
    assert "Un avis publié sur la section." in Client().get(section_url(section)).text  # a copy is stored
    write_version, redis = pagecache._write_version, {"down": True}

    def unreachable_while_down(name):
        if redis["down"]:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        write_version(name)

    monkeypatch.setattr(pagecache, "_write_version", unreachable_while_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.hide(moderator, published, "Propos injurieux")
    assert pagecache._lost_bumps  # kept by this process
    redis["down"] = False  # Redis answers again, the copy stored before the hiding still in it
    response = Client().get(section_url(section))
    assert response.status_code == 200 and "Un avis publié sur la section." not in response.text
    assert "Contribution masquée par la modération" in response.text and not pagecache._lost_bumps


def _aged_copy(url, age_past_lifetime, settings, rendering):
    """The page's copy, current by versions but rendered PAGE_CACHE_SECONDS + `age_past_lifetime` ago; its render
    lock held by another request when `rendering`. Returns the cache key."""
    import time

    from django.core.cache import cache
    from django.test import RequestFactory

    from core import pagecache

    Client().get(url)
    request = RequestFactory().get(url)
    request.LANGUAGE_CODE = "fr"
    key = pagecache.entry_key(request)
    entry = cache.get(key)
    rendered_at = time.time() - settings.PAGE_CACHE_SECONDS - age_past_lifetime
    cache.set(key, entry._replace(content=b"<html>copie agee</html>", rendered_at=rendered_at), 600)
    if rendering:
        cache.add(pagecache.lock_key(key), entry.scope, 10)
    return key


def test_a_copy_past_its_lifetime_is_served_while_its_successor_renders(section, published, settings):
    # Copies rendered together age out together: their readers must not all wait for (or render) a new one.
    settings.PAGE_CACHE_STALE_SECONDS = 5
    _aged_copy(section_url(section), 1, settings, rendering=True)
    assert Client().get(section_url(section)).content == b"<html>copie agee</html>"


def test_a_copy_past_its_lifetime_is_rendered_again_by_the_first_reader_when_nobody_renders_it(
    section, published, settings
):
    _aged_copy(section_url(section), 1, settings, rendering=False)
    response = Client().get(section_url(section))
    assert b"copie agee" not in response.content and "Un avis publié sur la section." in response.text


def test_a_copy_past_its_lifetime_by_more_than_the_stale_window_is_never_served(section, published, settings):
    settings.PAGE_CACHE_STALE_SECONDS = 5
    _aged_copy(section_url(section), 6, settings, rendering=True)
    settings.PAGE_CACHE_WAIT_SECONDS = 0.2
    response = Client().get(section_url(section))
    assert b"copie agee" not in response.content and "Un avis publié sur la section." in response.text


def test_copies_stay_in_the_cache_for_the_stale_window_past_their_lifetime(section, published, settings, monkeypatch):
    from core import pagecache

    settings.PAGE_CACHE_SECONDS, settings.PAGE_CACHE_STALE_SECONDS = 60, 5
    timeouts, real_set = [], pagecache.cache.set

    def recording_set(key, value, timeout=None, **kwargs):
        if isinstance(value, pagecache.PageCopy):
            timeouts.append(timeout)
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(pagecache.cache, "set", recording_set)
    Client().get(section_url(section))
    assert timeouts == [65]
