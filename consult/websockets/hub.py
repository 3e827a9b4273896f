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

# More events than this missing from one reconciliation round: the readers reconnect and catch up instead.
RECONCILE_BURST = 100

GROUP_REFRESH_SECONDS = 3600  # layers expire group memberships (a day by default): renew well before
STOP_WAIT_SECONDS = 5.0  # how long leaving waits for the cancelled tasks of a hub that stops listening


class Hub:
    def __init__(self, layer):
        self.layer = layer
        self.channel: str | None = None
        self.members: dict[str, set] = {}
        self.subscribed: set[str] = set()
        self.lock = asyncio.Lock()
        self.tasks: list[asyncio.Task] = []
        # Bumped each time the hub stops listening: a task of an earlier run that outlives its cancellation
        # (a library may turn a CancelledError into another exception) sees it and ends by itself.
        self.generation = 0
        # Reconciliation state per group: the consultation, the log floor, the event ids delivered above it.
        self.consultations: dict[str, int] = {}
        self.floors: dict[str, int | None] = {}
        self.seen: dict[str, set[int]] = {}
        self.since: dict[str, object] = {}  # when this hub started following the group (a datetime)
        self.reconciled = 0  # events delivered from the log rather than the layer (figures, tests)

    async def join(self, group: str, consumer) -> None:
        self.members.setdefault(group, set()).add(consumer)
        consultation_id = getattr(consumer, "consultation_id", None)
        if consultation_id is not None and group not in self.consultations:
            from django.utils import timezone

            self.consultations[group] = consultation_id
            self.floors[group] = None
            self.seen[group] = set()
            self.since[group] = timezone.now()
        if group in self.subscribed:
            return
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("consult-hub")
                generation = self.generation
                self.tasks = [
                    asyncio.create_task(self._pump(generation)),
                    asyncio.create_task(self._refresh(generation)),
                    asyncio.create_task(self._reconcile(generation)),
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
            for state in (self.consultations, self.floors, self.seen, self.since):
                state.pop(group, None)
            if group in self.subscribed:
                self.subscribed.discard(group)
                try:
                    await self.layer.group_discard(group, self.channel)
                except Exception:
                    logger.exception("hub: could not leave %s", group)
            if not self.members and self.channel is not None:
                await self._stop()

    async def _stop(self) -> None:
        """Nobody left in this process: stop listening (and leave no task behind). Called with the lock held.

        Waits a little for the cancelled tasks (a receive interrupted mid-way releases the layer's receive lock
        only once it runs its cleanup), but never for ever: the lock is held, and every socket opening in this
        process waits for it (a wait that never ended left new sockets silent until the keepalive closed them)."""
        self.generation += 1
        self.channel = None
        tasks, self.tasks = self.tasks, []
        for task in tasks:
            task.cancel()
        if not tasks:
            return
        _done, pending = await asyncio.wait(tasks, timeout=STOP_WAIT_SECONDS)
        for task in pending:
            logger.warning(
                "hub: a task did not stop within %.0f s of its cancellation: %r; stack: %s",
                STOP_WAIT_SECONDS,
                task,
                task.get_stack(limit=5),
            )

    async def _pump(self, generation: int):
        channel = self.channel
        while self.generation == generation:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except LAYER_UNREACHABLE:  # e.g. Redis restarting: it forgot our group memberships
                if self.generation != generation:
                    return
                logger.warning("hub: channel layer unreachable; re-subscribing once it answers")
                await self._recover(generation)
                continue
            except Exception:  # anything else: keep listening
                if self.generation != generation:
                    return
                logger.exception("hub: receive failed")
                await asyncio.sleep(1)
                continue
            self.dispatch(message)

    async def _recover(self, generation: int):
        """Re-add this process's groups once the layer answers again, then make every local reader reconnect:
        events sent while the layer was down never reached us, and live.js catches up from the database."""
        attempts = 0
        while True:
            await asyncio.sleep(1)
            if self.generation != generation:  # the hub stopped meanwhile: nothing to recover
                return
            attempts += 1
            await drop_idle_connections(self.layer)
            try:
                for group in list(self.subscribed):
                    await self.layer.group_add(group, self.channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # still down
                if attempts % 10 == 0:
                    logger.warning("hub: channel layer still unreachable after %d attempts (%r)", attempts, error)
                continue
            break
        readers = [consumer for members in list(self.members.values()) for consumer in list(members)]
        logger.warning(
            "hub: channel layer answers again; %d groups re-added, %d local readers asked to reconnect",
            len(self.subscribed),
            len(readers),
        )
        for consumer in readers:
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

    async def _reconcile(self, generation: int):
        """Deliver to local readers the committed events whose broadcast never reached this process."""
        from .handlers import group_message

        loop = asyncio.get_running_loop()
        while self.generation == generation:
            period = conf.reconcile_seconds()  # read each round: 0 turns it off, without any query
            started = loop.time()
            await asyncio.sleep(period if period > 0 else 1.0)
            late = loop.time() - started - (period if period > 0 else 1.0)
            if late > 1.0:  # something blocked this process's event loop: every socket of it waited too
                logger.warning("hub: event loop stalled (a %.1f s sleep woke %.1f s late)", period, late)
            if period <= 0 or self.generation != generation:
                continue
            for group, consultation_id in list(self.consultations.items()):
                try:
                    events, floor = await off_the_shared_thread(unseen_events)(
                        consultation_id,
                        self.floors.get(group),
                        frozenset(self.seen.get(group, ())),
                        since=self.since.get(group),
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
                events = [event for event in events if event.pk not in seen]
                if len(events) > RECONCILE_BURST:
                    # The live path was broken for a while: rather than pour this many events into every
                    # reader's outbox at once (past OUTBOX_LIMIT they would be closed as too slow), make the
                    # readers reconnect and catch up from the log, page by page.
                    seen.update(event.pk for event in events)
                    readers = list(self.members.get(group, ()))
                    logger.warning(
                        "hub: %d events of %s never arrived live; %d local readers asked to reconnect",
                        len(events),
                        group,
                        len(readers),
                    )
                    for consumer in readers:
                        consumer.resync()
                    continue
                for event in events:
                    if event.pk in seen:  # arrived live while we were reading
                        continue
                    self.reconciled += 1
                    logger.info("hub: event %s reached %s from the log, not the layer", event.pk, group)
                    self.dispatch(group_message(event)[1])

    async def _refresh(self, generation: int):
        while self.generation == generation:
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            if self.generation != generation:
                return
            for group in list(self.subscribed):
                try:
                    await self.layer.group_add(group, self.channel)
                except Exception:
                    logger.exception("hub: could not renew %s", group)


async def drop_idle_connections(layer) -> None:
    """Close the idle connections of this event loop's pools to the layer's Redis servers.

    After Redis restarts, every connection left in a pool is dead, and each fails one command before the pool
    replaces it: a publish to retry, or the hub's next receive failing again — a second "unreachable" and a second
    wave of reconnecting readers, seen in the fault scenario. Connections in use are left alone."""
    connection = getattr(layer, "connection", None)
    if connection is None:  # the in-memory layer
        return
    for index in range(getattr(layer, "ring_size", 1)):
        try:
            await connection(index).connection_pool.disconnect(inuse_connections=False)
        except Exception:  # closing a dead socket may fail: it is dropped anyway
            logger.debug("hub: could not close idle layer connections", exc_info=True)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    """The hub of the running event loop (one per server process; tests get a fresh one per loop)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub(get_channel_layer())
    return hub
