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

