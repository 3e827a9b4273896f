"""A Redis cache that fails open: when Redis is unreachable the site keeps serving pages.

Everything we keep in the cache can be lost (cached fragments, site config, rate-limit counters, presence): a
miss costs a few queries, a lost counter lets a few more requests through. An exception would turn a Redis
restart into an error page on every URL.
"""

import logging

from django.core.cache.backends.redis import RedisCache
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
                logger.warning("cache unavailable (%s): %s answered without it", type(error).__name__,
                               method.__name__)
                return default() if callable(default) else default

        wrapped.__name__ = method.__name__
        return wrapped

    return decorate


class FailOpenRedisCache(RedisCache):
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
