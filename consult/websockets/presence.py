""" "N personnes lisent maintenant": an approximate count of open sockets per consultation, kept in the cache
(Redis when REDIS_URL is set, so every server process shares it).

Time is cut into buckets of `presence_ttl()` seconds. Each connection counts itself in the current bucket when
it opens and again at the start of every bucket while it stays open (heartbeat), and takes itself out of the
bucket it was last counted in when it closes. Keys expire after two buckets, so the sockets of a crashed server process stop
being counted within a minute without any clean-up. Right after a bucket starts (while heartbeats land) the
count is the larger of this bucket and the previous one.
"""

import time

from django.core.cache import cache

from . import conf

HEARTBEAT_SPREAD = 2.0  # seconds over which the heartbeats of one bucket are spread (jitter)


def bucket(now: float | None = None) -> int:
    return int((now if now is not None else time.time()) // conf.presence_ttl())


def _key(consultation_id: int, number: int) -> str:
    return f"consult:presence:{consultation_id}:{number}"


def add(consultation_id: int, number: int | None = None) -> int:
    """Count one connection in a bucket (the current one by default); return the bucket."""
    number = bucket() if number is None else number
    key = _key(consultation_id, number)
    try:
        cache.incr(key)  # one round trip, except for the first connection of a bucket
    except ValueError:  # the bucket's first connection (or expired in between): create it
        if not cache.add(key, 1, timeout=2 * conf.presence_ttl() + 5):
            try:
                cache.incr(key)  # another connection created it first
            except ValueError:
                pass
    return number


def join(consultation_id: int) -> tuple[int, int, bool]:
    """A socket opens: (the bucket it is counted in, the count to show it, whether it broadcasts the count) —
    one thread hop for the three cache operations of a connect."""
    number = add(consultation_id)
    return number, count(consultation_id), claim_broadcast(consultation_id)


def beat(consultation_id: int) -> tuple[int, bool]:
    """Heartbeat: counted again in the current bucket; (that bucket, whether it broadcasts the count)."""
    return add(consultation_id), claim_broadcast(consultation_id)


def leave(consultation_id: int, number: int | None) -> bool:
    """A socket closes: out of its bucket; whether it broadcasts the count."""
    if number is not None:
        remove(consultation_id, number)
    return claim_broadcast(consultation_id)


def remove(consultation_id: int, number: int) -> None:
    """Take one connection out of the bucket it was last counted in (a no-op once that bucket has expired)."""
    try:
        cache.decr(_key(consultation_id, number))
    except ValueError:
        pass


def count(consultation_id: int) -> int:
    now = time.time()
    current = bucket(now)
    values = cache.get_many([_key(consultation_id, current), _key(consultation_id, current - 1)])
    value = values.get(_key(consultation_id, current), 0) or 0
    if now - current * conf.presence_ttl() < HEARTBEAT_SPREAD + 1:
        value = max(value, values.get(_key(consultation_id, current - 1), 0) or 0)
    return max(0, int(value))


def claim_broadcast(consultation_id: int) -> bool:
    """True for the one caller that should broadcast the count for the next window (rate limit)."""
    delay = conf.presence_broadcast_delay()
    if delay <= 0:
        return True
    return cache.add(f"consult:presence-broadcast:{consultation_id}", 1, timeout=max(1, int(delay)))


def seconds_to_next_bucket(now: float | None = None) -> float:
    now = time.time() if now is None else now
    ttl = conf.presence_ttl()
    return ttl - (now % ttl)
