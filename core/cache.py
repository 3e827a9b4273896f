"""A Redis cache that fails open: when Redis is unreachable the site keeps serving pages.

Everything we keep in the cache can be lost (cached fragments, site config, rate-limit counters, presence): a
miss costs a few queries, a lost counter lets a few more requests through. An exception would turn a Redis
restart into an error page on every URL.
"""

import logging
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

# Only "Redis is unreachable" fails open; ValueError (incr on a missing key) keeps its meaning.
UNAVAILABLE = (RedisError, OSError)

logger = logging.getLogger(__name__)


def _fail_open(default):
    def decorate(method):
        def wrapped(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as error:
                logger.warning("cache unavailable (%s): %s answered without it", type(error).__name__, method.__name__)
                return default() if callable(default) else default

        wrapped.__name__ = method.__name__
        return wrapped

    return decorate


# (server URL, pool options) → the process's one connection pool to it.
_pools: dict[tuple[str, str], object] = {}
_pools_lock = threading.Lock()


class SharedPoolRedisCacheClient(RedisCacheClient):
    """Django's client keeps its connection pools on itself, and Django makes one cache object per thread. Under
    ASGI every request's synchronous part runs in a thread of its own, so every request opened a new Redis
    connection (connect and health check were 19 % of an app worker's samples under load_mixed). Here the
    pools belong to the process, one per server: connections are reused by every thread (redis-py's pool is
    thread-safe, and makes new connections after a fork)."""

    def _get_connection_pool(self, write):
        index = self._get_connection_pool_index(write)
        key = (self._servers[index], repr(sorted(self._pool_options.items(), key=lambda item: item[0])))
        pool = _pools.get(key)
        if pool is None:
            with _pools_lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(self._servers[index], **self._pool_options)
        return pool


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient

    get = _fail_open(lambda: None)(RedisCache.get)
    get_many = _fail_open(dict)(RedisCache.get_many)
    set = _fail_open(None)(RedisCache.set)
    set_many = _fail_open(list)(RedisCache.set_many)
    add = _fail_open(True)(RedisCache.add)  # rate limits: a lost counter lets the request through
    touch = _fail_open(False)(RedisCache.touch)
    delete = _fail_open(False)(RedisCache.delete)
    delete_many = _fail_open(None)(RedisCache.delete_many)
    has_key = _fail_open(False)(RedisCache.has_key)
    incr = _fail_open(1)(RedisCache.incr)
    clear = _fail_open(False)(RedisCache.clear)
    # The same writes without the fail-open default, for a caller that must know one was lost: core.pagecache
    # keeps a page-cache version bump that did not reach Redis and writes it again once Redis answers.
    incr_or_raise = RedisCache.incr
    set_or_raise = RedisCache.set
