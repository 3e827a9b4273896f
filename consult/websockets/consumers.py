"""The live socket of a consultation: `ws/consultations/<id>/`.

Anyone may watch (anonymous visitors included); writing goes through HTTP (consult/services.py writes the
database first, then broadcasts). The socket only:
- relays the consultation's events, filtered by audience for this reader (visibility.py);
- answers {"type": "catch_up", "last_event_id": N} with the missed events from the database, in one message:
  {"type": "synced", "last_event_id", "has_more", "events": [...]} (events.catch_up_message);
- answers {"type": "ping"} with "pong";
- shows how many people read the consultation now (presence.py).
Client messages are validated strictly and rate-limited; Origin and session are checked in config/asgi.py.

Events reach the socket through the process's hub (hub.py: one layer channel per server process, not one per
socket) and this socket's bounded outbox.

Close codes: 4404 unknown, unpublished or view-restricted consultation, 4408 reader too slow (outbox full), 4413 message too big,
4429 too many messages, 1012 the channel layer came back after a failure (reconnect and catch up).
"""

import asyncio
import contextlib
import json
import logging
import random
import time
from collections import deque
from types import SimpleNamespace

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError

from consult import rules
from consult.models import ConsultationPage, page_cache_scope
from core import pagecache, ratelimit

from . import conf, presence
from .events import catch_up_message, off_the_shared_thread
from .handlers import group_name
from .hub import get_hub
from .visibility import Viewer, may_receive

logger = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
CLOSE_TOO_SLOW = 4408
CLOSE_RESYNC = 1012  # "service restart": the server lost its subscription; reconnect and catch up
CLOSE_TRY_LATER = 1013  # "try again later": the database did not answer the connect-time check
# A catch-up the database cannot answer now (pool exhausted under load, restart) is retried on the open socket
# after these many seconds (jittered): closing it would bring the client back at once, with a new connect
# check and catch-up, and turn an overload into a reconnect storm.
CATCH_UP_RETRY_SECONDS = (1.0, 3.0, 6.0, 10.0)
DATABASE_BUSY = (OperationalError, InterfaceError)
OUTBOX_LIMIT = 500  # events waiting for one slow reader before it is disconnected (it will catch up)
CLOSE_TOO_BIG = 4413
CLOSE_TOO_MANY = 4429
MAX_EVENT_ID = 2**53  # what a browser's Number holds exactly

SLOW_STEP_SECONDS = 5.0  # a socket step slower than this is logged: the client's pongs wait behind it


@contextlib.contextmanager
def _slow_step_logged(what: str, consultation_id: int):
    """Log a step of a socket's life that took long: while a consumer awaits, uvicorn does not read the client's
    frames (not even pongs), so a step slower than the keepalive timeout (20 s) closes the socket with 1011."""
    started = time.monotonic()
    try:
        yield
    finally:
        elapsed = time.monotonic() - started
        if elapsed > SLOW_STEP_SECONDS:
            logger.warning("socket %s for consultation %s took %.1f s", what, consultation_id, elapsed)


# Delayed presence broadcasts outlive the consumer that scheduled them: keep a reference until done.
_pending_broadcasts: set[asyncio.Task] = set()


def parse_client_message(content):
    """Return the validated message, or None. Only two shapes exist; anything else is refused."""
    if not isinstance(content, dict):
        return None
    kind = content.get("type")
    if kind == "ping" and content.keys() == {"type"}:
        return {"type": "ping"}
    if kind == "catch_up" and content.keys() == {"type", "last_event_id"}:
        value = content["last_event_id"]
        if type(value) is int and 0 <= value <= MAX_EVENT_ID:  # bool is not an id
            return {"type": "catch_up", "last_event_id": value}
    return None


# Consultation id → the page-cache versions (core/pagecache.py) under which it was last found live and without
# any view restriction. An anonymous reader's connect check is then answered from memory with one cache round
# trip instead of a database query: a flash crowd opening 1,000 sockets must not queue behind the pool. Every
# change that could refuse a reader bumps one of those versions (an unpublication bumps the consultation's, a
# view restriction, a move or a deletion the global one), so the memory goes stale in every process at once.
_known_watchable: dict[int, str] = {}


def _versions(consultation_id: int) -> str | None:
    # The strict versions: new contributions and votes do not change whether a consultation may be watched.
    return pagecache.strict_versions(page_cache_scope(consultation_id))


def _load_consultation(consultation_id: int, scope, versions: str | None = None):
    """(may this reader watch the consultation, who is watching) — one sync call at connect.

    Watchable: live, and the reader passes its Wagtail view restrictions (login, password, groups), as on the
    page itself; a restricted consultation answers "not found", like its pages. `versions` (read before this
    check, so that a change during it leaves the memory stale) is remembered when the answer holds for anyone."""
    user = scope.get("user")
    consultation = ConsultationPage.objects.live().filter(pk=consultation_id).first()
    if consultation is None:
        return False, Viewer.of(user)
    restrictions = list(consultation.get_view_restrictions())
    if not restrictions and versions is not None:
        _known_watchable[consultation_id] = versions
    reader = SimpleNamespace(user=user or AnonymousUser(), session=scope.get("session") or {})
    return rules.passes_view_restrictions(reader, consultation, restrictions), Viewer.of(user)


async def _check_consultation(consultation_id: int, scope):
    """_load_consultation, answered from `_known_watchable` for anonymous readers when it still holds."""
    user = scope.get("user")
    versions = None
    if user is None or not user.is_authenticated:
        versions = await sync_to_async(_versions, thread_sensitive=False)(consultation_id)
        if versions is not None and _known_watchable.get(consultation_id) == versions:
            return True, Viewer(None, False)
    return await off_the_shared_thread(_load_consultation)(consultation_id, scope, versions)


async def _broadcast_presence(layer, consultation_id: int, delay: float) -> None:
    if delay > 0:
        await asyncio.sleep(delay)
    try:
        number = await sync_to_async(presence.count, thread_sensitive=False)(consultation_id)
        group = group_name(consultation_id)
        await layer.group_send(group, {"type": "consult.presence", "group": group, "count": number})
    except Exception:  # presence is decoration: never let it break a socket
        logger.exception("presence broadcast failed for consultation %s", consultation_id)


class ConsultationConsumer(AsyncJsonWebsocketConsumer):
    consultation_id: int
    viewer: Viewer
    # No layer channel per socket: the process's hub receives the group's messages and calls deliver().
    channel_layer_alias = "consult-sockets-use-the-hub"

    async def connect(self):
        self.consultation_id = int(self.scope["url_route"]["kwargs"]["consultation_id"])
        self.group = group_name(self.consultation_id)
        self.joined = False
        self.closing = False
        self.heartbeat = None
        self.presence_bucket = None
        self.received = deque()
        self.outbox = asyncio.Queue()
        self.writer = None
        self.catching_up = None  # the task answering this socket's latest catch-up
        try:
            with _slow_step_logged("connect check", self.consultation_id):
                exists, self.viewer = await _check_consultation(self.consultation_id, self.scope)
        except DATABASE_BUSY:
            await self.accept()
            await self._close(CLOSE_TRY_LATER)
            return
        # Accept before closing so the browser gets our close code (a refused handshake is an opaque 1006).
        await self.accept()
        if not exists:
            await self._close(CLOSE_NOT_FOUND)
            return
        self.writer = asyncio.create_task(self._write())
        with _slow_step_logged("hub join", self.consultation_id):
            await get_hub().join(self.group, self)
        self.joined = True
        with _slow_step_logged("presence join", self.consultation_id):
            self.presence_bucket, count, claimed = await sync_to_async(presence.join, thread_sensitive=False)(
                self.consultation_id
            )
        self.heartbeat = asyncio.create_task(self._heartbeat())
        await self.send_json({"type": "presence", "count": count})
        await self._presence_changed(claimed)

    async def disconnect(self, code):
        if self.heartbeat is not None:
            self.heartbeat.cancel()
        if self.writer is not None:
            self.writer.cancel()
        if self.catching_up is not None:
            self.catching_up.cancel()
        if not self.joined:
            return
        self.joined = False
        with _slow_step_logged("hub leave", self.consultation_id):
            await get_hub().leave(self.group, self)
        with _slow_step_logged("presence leave", self.consultation_id):
            claimed = await sync_to_async(presence.leave, thread_sensitive=False)(
                self.consultation_id, self.presence_bucket
            )
        await self._presence_changed(claimed)

    # --- messages from the client -------------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.closing:
            return
        if not await self._within_rate():
            await self._close(CLOSE_TOO_MANY)
            return
        if (
            text_data is None
            or len(text_data) > conf.max_message_bytes()
            or len(text_data.encode("utf-8")) > conf.max_message_bytes()
        ):
            await self._close(CLOSE_TOO_BIG)
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            content = None
        message = parse_client_message(content)
        if message is None:
            await self.send_json({"type": "error", "code": "invalid_message"})
            return
        if message["type"] == "ping":
            await self.send_json({"type": "pong"})
        else:
            self._start_catch_up(message["last_event_id"])

    def _start_catch_up(self, after: int) -> None:
        """Answer a catch-up in its own task, after this socket's previous ones (in order).

        While a message is being handled, uvicorn reads nothing more from the socket, not even the client's pongs:
        a catch-up waiting for the database (retried for up to 20 s under overload) would have the socket closed
        by the keepalive (1011) — the reconnect storm the retries exist to avoid. The per-socket message rate limit
        bounds how many can wait."""
        previous = self.catching_up

        async def run():
            if previous is not None:
                await asyncio.wait([previous])
            try:
                await self.catch_up(after)
            except asyncio.CancelledError:
                raise
            except Exception:  # the socket went away under us: disconnect() cleans up
                logger.debug("catch-up not delivered", exc_info=True)

        self.catching_up = asyncio.get_running_loop().create_task(run())

    async def catch_up(self, after: int):
        with _slow_step_logged("catch-up", self.consultation_id):
            await self._catch_up(after)

    async def _catch_up(self, after: int):
        for delay in (*CATCH_UP_RETRY_SECONDS, None):
            try:
                text = await off_the_shared_thread(catch_up_message)(self.consultation_id, self.viewer, after)
                break
            except DATABASE_BUSY:
                if delay is None or self.closing:
                    logger.warning(
                        "catch-up failed %d times; asking the client to reconnect later",
                        len(CATCH_UP_RETRY_SECONDS) + 1,
                    )
                    await self._close(CLOSE_TRY_LATER)
                    return
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
        await self.send(text_data=text)

    async def _within_rate(self) -> bool:
        limit, seconds = conf.message_rate()
        now = time.monotonic()
        while self.received and self.received[0] <= now - seconds:
            self.received.popleft()
        self.received.append(now)
        if len(self.received) > limit:
            return False
        if self.viewer.user_id is not None:
            # One budget for all the sockets (tabs, processes) of a signed-in user.
            return await sync_to_async(ratelimit.hit, thread_sensitive=False)(
                "consult-ws", str(self.viewer.user_id), conf.user_message_rate()
            )
        return True

    async def _close(self, code: int):
        self.closing = True
        await self.close(code=code)

    # --- messages from the group (through the hub) ------------------------------------------------------
    def deliver(self, message: dict) -> None:
        """Called by the hub for every group message: queue it for this socket's writer (never blocks)."""
        if self.closing:
            return
        if self.outbox.qsize() >= OUTBOX_LIMIT:
            self.closing = True
            asyncio.get_running_loop().create_task(self.close(code=CLOSE_TOO_SLOW))
            return
        self.outbox.put_nowait(message)

    def resync(self) -> None:
        """Called by the hub after the channel layer came back: close so the client reconnects and catches up."""
        if self.closing:
            return
        self.closing = True
        asyncio.get_running_loop().create_task(self.close(code=CLOSE_RESYNC))

    async def _write(self):
        while True:
            message = await self.outbox.get()
            try:
                if message["type"] == "consult.event":
                    if may_receive(self.viewer, message["audience"], message["audience_user_id"]):
                        await self.send(text_data=message["text"])
                elif message["type"] == "consult.presence":
                    await self.send_json({"type": "presence", "count": message["count"]})
            except asyncio.CancelledError:
                raise
            except Exception:  # the socket went away under us: disconnect() cleans up
                logger.debug("could not write to a socket", exc_info=True)

    # --- presence -----------------------------------------------------------------------------------
    async def _heartbeat(self):
        try:
            while True:
                await asyncio.sleep(presence.seconds_to_next_bucket() + random.uniform(0, presence.HEARTBEAT_SPREAD))
                self.presence_bucket, claimed = await sync_to_async(presence.beat, thread_sensitive=False)(
                    self.consultation_id
                )
                await self._presence_changed(claimed)
        except asyncio.CancelledError:
            pass

    async def _presence_changed(self, claimed: bool):
        """Schedule one presence broadcast for this consultation if this socket claimed it (presence.claim_broadcast:
        one per window, the rate limit)."""
        if not claimed:
            return
        delay = conf.presence_broadcast_delay()
        if delay <= 0:
            await _broadcast_presence(get_hub().layer, self.consultation_id, 0)
            return
        task = asyncio.get_running_loop().create_task(_broadcast_presence(get_hub().layer, self.consultation_id, delay))
        _pending_broadcasts.add(task)
        task.add_done_callback(_pending_broadcasts.discard)
