import pytest
from django.core.cache import caches
from django.test import override_settings

from core.ratelimit import client_ip


def test_a_redis_cache_that_cannot_be_reached_fails_open():
    dead = {
        "BACKEND": "core.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    with override_settings(CACHES={"default": dead}):
        cache = caches.create_connection("default")
        assert cache.get("key") is None
        assert cache.add("counter", 1) is True
        assert cache.incr("counter") == 1
        cache.set("key", "value")


@pytest.mark.django_db
def test_pages_still_render_when_redis_is_down(client, home_page):
    dead = {
        "BACKEND": "core.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    with override_settings(CACHES={"default": dead}):
        assert client.get("/").status_code == 200


@override_settings(USE_X_FORWARDED_FOR=True)
def test_rate_limits_use_the_address_our_proxy_saw_not_a_forged_one(rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "198.51.100.7"


def test_cache_objects_of_different_threads_share_one_connection_pool(settings):
    """Django makes a cache object per thread and, under ASGI, each request runs in a thread of its own: the
    Redis connections must outlive the request (core.cache.SharedPoolRedisCacheClient)."""
    import threading

    if not settings.REDIS_URL:
        reason = "REDIS_URL is not set: the connection pool test needs Redis (make test-all sets it)"
        print(f"\n*** {reason} ***")
        pytest.skip(reason)
    pools, objects = [], []

    def one_request():
        cache = caches.create_connection("default")  # what a new thread gets
        cache.set("pool-test", 1)
        objects.append(cache)
        pools.append(cache._cache._get_connection_pool(write=True))

    def in_a_new_thread():
        thread = threading.Thread(target=one_request)
        thread.start()
        thread.join()

    in_a_new_thread()  # the pool may already exist in this process, with connections of earlier tests
    connections = pools[0]._created_connections
    for _ in range(3):
        in_a_new_thread()
    assert len({id(o) for o in objects}) == 4 and len({id(p) for p in pools}) == 1
    assert pools[0]._created_connections == connections  # one request after another: no new connection
