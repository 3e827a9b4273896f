"""Per-process fan-out of consultation events.

Channels' usual pattern gives every socket its own layer channel in the group: with the Redis layer one event
to 1,000 readers is then 1,000 Redis messages, popped one by one by each server process. Instead, each server
process (each event loop) has one `Hub`: a single layer channel that joins a consultation's group while at
least one local socket follows that consultation, and hands every message it receives to the local sockets.
One event costs one Redis message per process, whatever the number of readers. Works the same on the
in-memory layer.

Each socket gets the message through its own bounded outbox (see consumers.py), so a slow reader never holds
up the others; a reader whose outbox overflows is disconnected and catches up from the database on reconnect.

The layer delivers at most once, and a broadcast can be lost for good: its process was killed between the
commit and the publish. Readers connected elsewhere would only learn of that event at their next catch-up
(live.js: every 60 s, from 50 ids back — too late if many events followed). So every
conf.reconcile_seconds() the hub reads the ids of its consultations' recent events (one indexed query per
followed consultation per process) and hands its readers any committed event it did not deliver
(events.unseen_events); clients drop duplicates by id.
"""

import asyncio
import json
import logging
import weakref

from channels.layers import get_channel_layer
from redis.exceptions import RedisError

from . import conf
from .events import off_the_shared_thread, unseen_events

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
        # Reconciliation state per group: the consultation, the log floor, the event ids delivered above it.
        self.consultations: dict[str, int] = {}
        self.floors: dict[str, int | None] = {}
        self.seen: dict[str, set[int]] = {}
        self.reconciled = 0  # events delivered from the log rather than the layer (figures, tests)

    async def join(self, group: str, consumer) -> None:
        self.members.setdefault(group, set()).add(consumer)
        consultation_id = getattr(consumer, "consultation_id", None)
        if consultation_id is not None and group not in self.consultations:
            self.consultations[group] = consultation_id
            self.floors[group] = None
            self.seen[group] = set()
        if group in self.subscribed:
            return
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("consult-hub")
                self.tasks = [
                    asyncio.create_task(self._pump()),
                    asyncio.create_task(self._refresh()),
                    asyncio.create_task(self._reconcile()),
                ]
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
            for state in (self.consultations, self.floors, self.seen):
                state.pop(group, None)
            if group in self.subscribed:
                self.subscribed.discard(group)
                try:
                    await self.layer.group_discard(group, self.channel)
                except Exception:
                    logger.exception("hub: could not leave %s", group)
            if not self.members and self.channel is not None:
                # Nobody left in this process: stop listening (and leave no task behind). Wait for the
                # cancelled tasks: a receive interrupted mid-way releases the layer's per-channel lock only
                # once it runs its cleanup, and a lock left held blocks the next hub's receive.
                tasks, self.tasks = self.tasks, []
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
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
        group = message.get("group")
        members = self.members.get(group)
        if not members:
            return
        if "event" in message:
            seen = self.seen.get(group)
            if seen is not None:
                seen.add(message["event"].get("id"))
            # Encoded once for every reader of this process.
            message["text"] = json.dumps(message["event"], ensure_ascii=False)
        for consumer in list(members):
            consumer.deliver(message)

    async def _reconcile(self):
        """Deliver to local readers the committed events whose broadcast never reached this process."""
        from .handlers import group_message

        while True:
            period = conf.reconcile_seconds()  # read each round: 0 turns it off, without any query
            await asyncio.sleep(period if period > 0 else 1.0)
            if period <= 0:
                continue
            for group, consultation_id in list(self.consultations.items()):
                try:
                    events, floor = await off_the_shared_thread(unseen_events)(
                        consultation_id, self.floors.get(group), frozenset(self.seen.get(group, ()))
                    )
                except asyncio.CancelledError:
                    raise
                except Exception:  # database busy or down: the next round tries again
                    logger.warning("hub: could not reconcile %s", group, exc_info=True)
                    continue
                if group not in self.consultations:  # everyone left meanwhile
                    continue
                self.floors[group] = floor
                seen = self.seen[group]
                seen.difference_update([pk for pk in seen if pk is None or pk <= floor])
                for event in events:
                    if event.pk in seen:  # arrived live while we were reading
                        continue
                    self.reconciled += 1
                    logger.info("hub: event %s reached %s from the log, not the layer", event.pk, group)
                    self.dispatch(group_message(event)[1])

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
