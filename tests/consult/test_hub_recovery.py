"""When the channel layer fails under the hub (Redis restarting), the hub re-subscribes and every local reader
is asked to reconnect, so live.js catches up from the database instead of silently missing events.
(The real Redis kill/restart is exercised by tests/faults and bench/fault_redis_restart.py.)"""

import asyncio

from channels.layers import InMemoryChannelLayer

from consult.websockets.hub import Hub


class FlakyLayer(InMemoryChannelLayer):
    """An in-memory layer whose next receive fails once and which forgets every group, like a restarted Redis."""

    def __init__(self):
        super().__init__()
        self.fail_next = False

    async def receive(self, channel):
        if self.fail_next:
            self.fail_next = False
            self.groups.clear()
            raise ConnectionError("layer restarting")  # an OSError, as redis-py raises when Redis is down
        return await super().receive(channel)


class Reader:
    def __init__(self):
        self.messages, self.resynced = [], 0

    def deliver(self, message):
        self.messages.append(message)

    def resync(self):
        self.resynced += 1


async def test_the_hub_resubscribes_and_asks_readers_to_catch_up_after_a_layer_failure():
    layer = FlakyLayer()
    hub = Hub(layer)
    reader = Reader()
    await hub.join("consultation-1", reader)
    await layer.group_send("consultation-1", {"type": "consult.event", "group": "consultation-1", "event": {"id": 1}})
    await asyncio.sleep(0.05)
    assert [m["event"]["id"] for m in reader.messages] == [1]

    layer.fail_next = True
    # Wake the pump so it meets the failure.
    await layer.send(hub.channel, {"type": "noop", "group": "none"})
    for _ in range(40):
        await asyncio.sleep(0.1)
        if reader.resynced:
            break
    assert reader.resynced == 1
    assert hub.channel in layer.groups.get("consultation-1", {})
    await layer.group_send("consultation-1", {"type": "consult.event", "group": "consultation-1", "event": {"id": 2}})
    await asyncio.sleep(0.05)
    assert [m["event"]["id"] for m in reader.messages] == [1, 2]
    await hub.leave("consultation-1", reader)


class DownThenUpLayer(InMemoryChannelLayer):
    """group_send fails while `down`, like a process whose Redis connection is broken; records what got through."""

    def __init__(self):
        super().__init__()
        self.down = True
        self.sent = []

    async def group_send(self, group, message):
        if self.down:
            raise ConnectionError("layer unreachable")
        self.sent.append((group, message["event"]["id"]))


def test_a_failed_broadcast_is_published_again_once_the_layer_answers(consultation, section, alice, monkeypatch):
    import time

    from consult.models import ConsultationEvent
    from consult.websockets import handlers
    from tests.consult.conftest import force_create

    layer = DownThenUpLayer()
    monkeypatch.setattr(handlers, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(handlers.Retrier, "FIRST_DELAY", 0.05)
    monkeypatch.setattr(handlers.Retrier, "MAX_DELAY", 0.1)
    contribution = force_create(alice, section)
    events = [
        ConsultationEvent.objects.create(
            consultation=consultation,
            contribution=contribution,
            kind="contribution.created",
            audience="public",
        )
        for _ in range(2)
    ]
    for event in events:
        handlers.broadcast_event(event.pk)
    retrier = handlers.get_retrier(layer)
    assert list(retrier.pending) == [e.pk for e in events] and layer.sent == []
    time.sleep(0.3)  # still down: nothing is lost, nothing is sent
    assert list(retrier.pending) == [e.pk for e in events]

    layer.down = False
    for _ in range(100):
        if not retrier.pending:
            break
        time.sleep(0.05)
    assert layer.sent == [(handlers.group_name(consultation.pk), e.pk) for e in events]  # oldest first, once each
    assert not retrier.pending


def test_the_retrier_gives_up_on_messages_older_than_its_limit(monkeypatch):
    import asyncio as aio

    from consult.websockets.handlers import Retrier

    layer = DownThenUpLayer()
    layer.down = False
    retrier = Retrier(layer)
    now = __import__("time").monotonic()
    # Failed longer ago than the limit (not "at monotonic 0.0": on a machine up for less than MAX_AGE, that is recent).
    retrier.pending[1] = (now - retrier.MAX_AGE - 1, "g", {"event": {"id": 1}})
    retrier.pending[2] = (now, "g", {"event": {"id": 2}})
    loop = aio.new_event_loop()
    try:
        assert retrier._flush(loop)
    finally:
        loop.close()
    assert layer.sent == [("g", 2)] and retrier.dropped == 1


class CancelSwallowingLayer(InMemoryChannelLayer):
    """A receive that turns its cancellation into another error, as a layer's cleanup can (channels_redis
    re-raises a failed inner task's exception instead of the CancelledError)."""

    swallowed = False

    async def receive(self, channel):
        try:
            return await super().receive(channel)
        except asyncio.CancelledError:
            if self.swallowed:  # once: a regression then fails the test instead of hanging it
                raise
            self.swallowed = True
            raise ConnectionError("connection lost while cancelling") from None


async def test_the_last_reader_leaving_never_waits_for_ever_for_the_hubs_tasks_and_the_next_reader_is_served(
    monkeypatch,
):
    """A stop that waited for ever held the hub's lock: every socket opening afterwards in that process stayed
    silent until the keepalive closed it (seen in the Redis-restart fault scenario)."""
    from consult.websockets import hub as hub_module

    monkeypatch.setattr(hub_module, "STOP_WAIT_SECONDS", 0.5)
    layer = CancelSwallowingLayer()
    hub = Hub(layer)
    first, second = Reader(), Reader()
    await hub.join("consultation-1", first)
    await asyncio.sleep(0.05)
    old_tasks = list(hub.tasks)
    leaving = asyncio.ensure_future(hub.leave("consultation-1", first))
    done, _ = await asyncio.wait({leaving}, timeout=3)  # not wait_for: it would wait for the stuck cancellation
    assert leaving in done, "leaving waited for ever for the hub's tasks (with its lock held)"
    await asyncio.sleep(1.2)  # the old pump met its "connection lost" and saw the hub had stopped: it ended
    assert all(task.done() for task in old_tasks)

    await asyncio.wait_for(hub.join("consultation-1", second), timeout=3)
    await layer.group_send("consultation-1", {"type": "consult.event", "group": "consultation-1", "event": {"id": 7}})
    await asyncio.sleep(0.05)
    assert [m["event"]["id"] for m in second.messages] == [7]
    assert first.messages == [] and first.resynced == 0
    await hub.leave("consultation-1", second)


async def test_after_a_redis_restart_idle_pooled_connections_are_dropped_before_the_layer_is_used_again():
    """Every idle connection of a pool is dead after Redis restarts, and each would fail one command (a publish to
    retry, or the hub's receive failing again and a second wave of reconnecting readers). Here one pooled
    connection is killed on the server side, as a restart does; needs Redis (make test-all)."""
    import pytest
    import redis.asyncio as aioredis
    from channels_redis.core import RedisChannelLayer
    from django.conf import settings
    from redis.exceptions import RedisError

    from consult.websockets.hub import drop_idle_connections

    if not settings.CHANNEL_REDIS_URL:
        reason = "CHANNEL_REDIS_URL is not set: the pooled-connection test needs Redis"
        print(f"\n*** {reason} ***")
        pytest.skip(reason)

    async def kill_the_pooled_connection(layer):
        client = layer.connection(0)
        connection_id = await client.client_id()  # runs on the pool's one idle connection, then returns it
        admin = aioredis.Redis.from_url(settings.CHANNEL_REDIS_URL)
        try:
            assert await admin.client_kill_filter(_id=connection_id) == 1
        finally:
            await admin.aclose()

    control = RedisChannelLayer(hosts=[settings.CHANNEL_REDIS_URL])
    await kill_the_pooled_connection(control)
    with pytest.raises(RedisError):  # what happens without dropping them: the next command fails
        await control.group_add("consultation-test-pool", "specific.x!y")
    await control.close_pools()

    layer = RedisChannelLayer(hosts=[settings.CHANNEL_REDIS_URL])
    await kill_the_pooled_connection(layer)
    await drop_idle_connections(layer)
    await layer.group_add("consultation-test-pool", "specific.x!y")  # no error: a fresh connection
    await layer.group_discard("consultation-test-pool", "specific.x!y")
    await layer.close_pools()
