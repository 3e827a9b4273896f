import pytest
from django.core.cache import caches
from django.test import override_settings

from core.ratelimit import client_ip


def test_a_redis_cache_that_cannot_be_reached_fails_open():
    dead = {"BACKEND": "core.cache.FailOpenRedisCache", "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    with override_settings(CACHES={"default": dead}):
        cache = caches.create_connection("default")
        assert cache.get("key") is None
        assert cache.add("counter", 1) is True
        assert cache.incr("counter") == 1
        cache.set("key", "value")


@pytest.mark.django_db
def test_pages_still_render_when_redis_is_down(client, home_page):
    dead = {"BACKEND": "core.cache.FailOpenRedisCache", "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    with override_settings(CACHES={"default": dead}):
        assert client.get("/").status_code == 200


@override_settings(USE_X_FORWARDED_FOR=True)
def test_rate_limits_use_the_address_our_proxy_saw_not_a_forged_one(rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "198.51.100.7"
