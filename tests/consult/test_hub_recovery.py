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
            raise ConnectionError(
                "layer restarting"
            )  # an OSError, as redis-py raises when Redis is down
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
    await layer.group_send(
        "consultation-1", {"type": "consult.event", "group": "consultation-1", "event": {"id": 1}}
    )
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
    await layer.group_send(
        "consultation-1", {"type": "consult.event", "group": "consultation-1", "event": {"id": 2}}
    )
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


def test_a_failed_broadcast_is_published_again_once_the_layer_answers(
    consultation, section, alice, monkeypatch
):
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
    assert layer.sent == [
        (handlers.group_name(consultation.pk), e.pk) for e in events
    ]  # oldest first, once each
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
