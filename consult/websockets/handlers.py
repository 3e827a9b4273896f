"""The one place that pushes consultation events to the sockets.

consult/services.py writes the change and its ConsultationEvent row in one transaction and then calls
`transaction.on_commit(lambda: broadcast_event(event.id))`: clients never hear about a rolled-back write.
Delivery is best-effort (the channel layer delivers at most once); the event table is the source of truth
and clients catch up from it after a reconnect.

A publish that fails (Redis down, or this process's connection still broken just after Redis came back) is
kept by this process's `Retrier` and sent again, oldest first, once the layer answers: readers that had
already reconnected and caught up would otherwise never hear of it (measured by bench/fault_redis_restart.py).
"""

import asyncio
import logging
import threading
import time
from collections import OrderedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from consult.models import ConsultationEvent, ConsultationPage

from .events import layer_message, load_event

logger = logging.getLogger(__name__)


def group_name(consultation_id: int) -> str:
    """ConsultationPage.group_name without loading the page."""
    return ConsultationPage.group_name.fget(_PageId(consultation_id))


class _PageId:
    __slots__ = ("pk",)

    def __init__(self, pk):
        self.pk = pk


def group_message(event) -> tuple[str, dict]:
    """(group, message) for one event; "group" in the message lets each process's hub (hub.py) route it."""
    group = group_name(event.consultation_id)
    return group, {**layer_message(event), "group": group}


def broadcast_event(event) -> None:
    """Send one committed event to everyone watching its consultation (the consumers filter by audience).

    `event`: its id, or the event itself when the writer still has it in memory with its contribution and the
    contribution's section (what load_event would read).
    """
    if not isinstance(event, ConsultationEvent):
        event_id, event = event, load_event(event)
        if event is None:
            logger.warning("broadcast_event: event %s not found (rolled back?)", event_id)
            return
    layer = get_channel_layer()
    if layer is None:
        return
    group, message = group_message(event)
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # the write is committed: send it again once the layer answers (readers catch up too)
        logger.warning("broadcast_event: could not publish event %s; will retry", event.pk, exc_info=True)
        get_retrier(layer).add(event.pk, group, message)


class Retrier:
    """This process's failed broadcasts, re-sent oldest first from a daemon thread once the layer answers.

    The message is the one computed at commit time (no database access in the thread). Bounded: at most
    MAX_PENDING messages, each retried for MAX_AGE seconds; beyond that, readers still catch up from the event
    log (reconnect, periodic catch-up of live.js, reload).
    """

    MAX_PENDING = 10_000
    MAX_AGE = 600.0
    FIRST_DELAY = 0.5
    MAX_DELAY = 5.0

    def __init__(self, layer):
        self.layer = layer
        self.pending: OrderedDict[int, tuple[float, str, dict]] = OrderedDict()
        self.cond = threading.Condition()
        self.thread: threading.Thread | None = None
        self.sent = 0
        self.dropped = 0

    def add(self, event_id: int, group: str, message: dict) -> None:
        with self.cond:
            if event_id not in self.pending:
                self.pending[event_id] = (time.monotonic(), group, message)
                while len(self.pending) > self.MAX_PENDING:
                    self.pending.popitem(last=False)
                    self.dropped += 1
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="broadcast-retrier", daemon=True)
                self.thread.start()
            self.cond.notify()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()  # one loop (and one layer connection pool) for the thread's life
        delay = self.FIRST_DELAY
        try:
            while True:
                with self.cond:
                    while not self.pending:
                        self.cond.wait()
                time.sleep(delay)
                if self._flush(loop):
                    delay = self.FIRST_DELAY
                else:
                    delay = min(self.MAX_DELAY, delay * 2)
        finally:  # pragma: no cover - daemon thread, ends with the process
            loop.close()

    def _flush(self, loop) -> bool:
        """Send what is pending, oldest first; False (and keep the rest) at the first failure."""
        while True:
            with self.cond:
                if not self.pending:
                    return True
                event_id, (since, group, message) = next(iter(self.pending.items()))
            if time.monotonic() - since > self.MAX_AGE:
                self._forget(event_id)
                self.dropped += 1
                logger.warning("broadcast retry: gave up on event %s (clients catch up from the log)", event_id)
                continue
            try:
                loop.run_until_complete(self.layer.group_send(group, message))
            except Exception:
                logger.info("broadcast retry: layer still unreachable (%d pending)", len(self.pending))
                return False
            self._forget(event_id)
            self.sent += 1
            logger.info("broadcast retry: event %s published", event_id)

    def _forget(self, event_id: int) -> None:
        with self.cond:
            self.pending.pop(event_id, None)


_retriers: dict[int, Retrier] = {}
_retriers_lock = threading.Lock()


def get_retrier(layer) -> Retrier:
    """One retrier per layer object (per process in production)."""
    with _retriers_lock:
        retrier = _retriers.get(id(layer))
        if retrier is None or retrier.layer is not layer:
            retrier = _retriers[id(layer)] = Retrier(layer)
        return retrier
