"""Per-process fan-out of consultation events.

Channels' usual pattern gives every socket its own layer channel in the group: with the Redis layer one event
to 1,000 readers is then 1,000 Redis messages, popped one by one by each server process. Instead, each server
process (each event loop) has one `Hub`: a single layer channel that joins a consultation's group while at
least one local socket follows that consultation, and hands every message it receives to the local sockets.
One event costs one Redis message per process, whatever the number of readers. Works the same on the
in-memory layer.

Each socket gets the message through its own bounded outbox (see consumers.py), so a slow reader never holds
up the others; a reader whose outbox overflows is disconnected and catches up from the database on reconnect.
"""

import asyncio
import json
import logging
import weakref

from channels.layers import get_channel_layer
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Connection-level failures of the layer (Redis down or restarting), as opposed to programming errors.
LAYER_UNREACHABLE = (OSError, RedisError)

GROUP_REFRESH_SECONDS = 3600  # layers expire group memberships (a day by default): renew well before


class Hub:
    def __init__(self, layer):
        self.layer = layer
        self.channel: str | None = None
        self.members: dict[str, set] = {}
        self.subscribed: set[str] = set()
        self.lock = asyncio.Lock()
        self.tasks: list[asyncio.Task] = []

    async def join(self, group: str, consumer) -> None:
        self.members.setdefault(group, set()).add(consumer)
        if group in self.subscribed:
            return
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("consult-hub")
                self.tasks = [asyncio.create_task(self._pump()), asyncio.create_task(self._refresh())]
            if group not in self.subscribed and self.members.get(group):
                await self.layer.group_add(group, self.channel)
                self.subscribed.add(group)

    async def leave(self, group: str, consumer) -> None:
        members = self.members.get(group)
        if members is None:
            return
        members.discard(consumer)
        if members:
            return
        async with self.lock:
            if self.members.get(group):  # someone joined meanwhile
                return
            self.members.pop(group, None)
            if group in self.subscribed:
                self.subscribed.discard(group)
                try:
                    await self.layer.group_discard(group, self.channel)
                except Exception:
                    logger.exception("hub: could not leave %s", group)
            if not self.members and self.channel is not None:
                # Nobody left in this process: stop listening (and leave no task behind).
                for task in self.tasks:
                    task.cancel()
                self.tasks = []
                self.channel = None

    async def _pump(self):
        channel = self.channel
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except LAYER_UNREACHABLE:  # e.g. Redis restarting: it forgot our group memberships
                logger.warning("hub: channel layer unreachable; re-subscribing once it answers")
                await self._recover()
                continue
            except Exception:  # anything else: keep listening
                logger.exception("hub: receive failed")
                await asyncio.sleep(1)
                continue
            self.dispatch(message)

    async def _recover(self):
        """Re-add this process's groups once the layer answers again, then make every local reader reconnect:
        events sent while the layer was down never reached us, and live.js catches up from the database."""
        while True:
            await asyncio.sleep(1)
            try:
                for group in list(self.subscribed):
                    await self.layer.group_add(group, self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # still down
                continue
            break
        for members in list(self.members.values()):
            for consumer in list(members):
                consumer.resync()

    def dispatch(self, message: dict) -> None:
        members = self.members.get(message.get("group"))
        if not members:
            return
        if "event" in message:
            # Encoded once for every reader of this process.
            message["text"] = json.dumps(message["event"], ensure_ascii=False)
        for consumer in list(members):
            consumer.deliver(message)

    async def _refresh(self):
        while True:
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            for group in list(self.subscribed):
                try:
                    await self.layer.group_add(group, self.channel)
                except Exception:
                    logger.exception("hub: could not renew %s", group)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    """The hub of the running event loop (one per server process; tests get a fresh one per loop)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub(get_channel_layer())
    return hub
