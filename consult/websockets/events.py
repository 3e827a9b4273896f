"""The wire format of live events, shared by the broadcast (handlers.py), the socket catch-up and the HTTP
catch-up, so a client cannot tell a live event from a caught-up one.

Messages are compact on purpose: ids, kind, place in the thread and counters — never a contribution's body.
Clients fetch the rendered contribution over HTTP (consult:contribution_fragment), which applies the
visibility rules of the page; so an event can never leak the text of a pending or hidden contribution.
"""

import json
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from channels.db import database_sync_to_async
from django.db.models import Count, Max

from consult.models import ConsultationEvent, Contribution, page_cache_scope
from core import pagecache

from . import conf
from .visibility import AUTHOR, PUBLIC, Viewer, may_receive

# The live layer's database reads (socket connect checks, catch-ups, the hub's reconciliation) run on their own
# small executor. On Channels' default thread-sensitive path they would share the process's one sync thread with
# the session and user lookups of every handshake, and a queue of catch-ups waiting for a pooled connection made
# new sockets time out before they opened (load_mixed run 5: 9,372 handshake timeouts in 300 s). Two threads bound
# their database use.
LIVE_DB_THREADS = 2
_live_db_executor = ThreadPoolExecutor(max_workers=LIVE_DB_THREADS, thread_name_prefix="consult-live-db")


def off_the_shared_thread(func):
    """`func` as a coroutine on the live layer's executor (database connections closed/returned around it)."""
    return database_sync_to_async(func, thread_sensitive=False, executor=_live_db_executor)


def effective_audience(event) -> tuple[str, int | None]:
    """The event's audience, narrowed when its contribution is (now) pending.

    A pending contribution only exists for its author and moderators: even a mistakenly public event
    about it goes to them only.
    """
    contribution = event.contribution
    if event.audience == PUBLIC and contribution is not None and contribution.status == Contribution.STATUS_PENDING:
        return AUTHOR, contribution.author_id
    return event.audience, event.audience_user_id


def event_payload(event) -> dict:
    """What a client receives for one event (no audience data, no body)."""
    payload = {
        "type": "event",
        "id": event.pk,
        "kind": event.kind,
        "consultation_id": event.consultation_id,
        "contribution_id": event.contribution_id,
    }
    contribution = event.contribution
    if contribution is not None:
        payload.update(
            section=contribution.section.anchor,
            parent_id=contribution.parent_id,
            root_id=contribution.root_id,
            depth=contribution.depth,
            status=contribution.status,
            votes_up=contribution.votes_up,
            votes_down=contribution.votes_down,
            replies_count=contribution.replies_count,
        )
        if contribution.status == Contribution.STATUS_PUBLISHED and contribution.depth == 0:
            # Public on the page; lets a client filtered on one stance skip the others.
            payload["stance"] = contribution.stance
        if contribution.status == Contribution.STATUS_HIDDEN:
            # The public reason is public (it replaces the text on the page); the text itself never travels.
            payload["hidden_reason"] = contribution.hidden_reason
    return payload


def layer_message(event) -> dict:
    """The channel-layer message: the client payload plus the audience the consumer filters on."""
    audience, audience_user_id = effective_audience(event)
    return {
        "type": "consult.event",
        "audience": audience,
        "audience_user_id": audience_user_id,
        "event": event_payload(event),
    }


def load_event(event_id: int):
    """One event with what its payload needs, in one query."""
    return ConsultationEvent.objects.select_related("contribution__section").filter(pk=event_id).first()


def events_after(consultation_id: int, viewer: Viewer, after: int, limit: int | None = None):
    """The events of a consultation after `after` that this viewer may receive, oldest first.

    Returns (payloads, has_more, last_id): a page holds at most `limit` events of any audience, of which the
    viewer gets those it may receive; last_id is the highest id examined (even if filtered out), so a client
    resumes after it.
    """
    limit = limit or conf.catchup_limit()
    page = shared_page(consultation_id, after, limit)
    return _payloads(page, viewer), page.has_more, page.last_id


def _payloads(page: "SharedPage", viewer: Viewer) -> list[dict]:
    return [payload for payload, audience, user_id in page.entries if may_receive(viewer, audience, user_id)]


def catch_up_message(consultation_id: int, viewer: Viewer, after: int, limit: int | None = None) -> str:
    """The socket's answer to a catch-up, serialized: ONE message, {"type": "synced", "last_event_id", "has_more",
    "events": [...]}, not one message per event then "synced".

    live.js asks for one about every minute, 50 events back from the last it saw (and on every reconnection, all
    at once after a server restart). As 51 messages, the 1,000 catch-ups of 1,000 sockets were 51,000 sends from
    one event loop within seconds: the once-a-minute stall of load_mixed (docs/benchmarks.md, run 11). The text
    for readers who receive public events only (anonymous ones: most of them) is serialized once per shared page.
    """
    page = shared_page(consultation_id, after, limit or conf.catchup_limit())
    public_only = viewer.user_id is None and not viewer.moderator
    text = page.texts.get("public") if public_only else None
    if text is None:
        text = json.dumps(
            {
                "type": "synced",
                "last_event_id": page.last_id,
                "has_more": page.has_more,
                "events": _payloads(page, viewer),
            }
        )
        if public_only:
            page.texts["public"] = text  # two threads may both build it: the same text
    return text


# Catch-up pages shared by the readers of a consultation, in each process. Every open page asks for one every
# 60 s (live.js), 50 events back from the last it saw, and the readers of a consultation have all seen the same
# events: they ask for the same page. Building it (events, contributions and sections as model instances, then
# payloads) for each of them took a quarter of a server process's GIL time in bench/load_mixed with 1,000
# sockets open (docs/benchmarks.md, run 10). A page is now built once per state of
# the log and shared: the key holds what any change to the answer moves —
# - how many events follow `after` and the highest id among them (one index-only query): a newly committed
#   event moves them, even one committed out of id order (the count), and so does every change a payload shows
#   (status, votes, replies: each writes an event);
# - the consultation's strict page-cache version (core/pagecache.py), bumped by anything that takes something
#   away (hidden, withdrawn, edited, an account deleted): a belt to the braces above.
# A page is never older than its key (it is read after the key), and each viewer's audience is applied to it
# on every answer. Without a cache version (Redis unreachable) the page is built and not kept.
SHARED_PAGES = 32


class SharedPage(NamedTuple):
    entries: list  # [(payload, audience, audience_user_id)], every audience
    has_more: bool
    last_id: int  # the highest id examined: a client resumes after it
    texts: dict  # serialized answers shared by viewers of one kind (catch_up_message)


_shared_pages: "OrderedDict[tuple, SharedPage]" = OrderedDict()
_shared_lock = threading.Lock()


def shared_page(consultation_id: int, after: int, limit: int) -> SharedPage:
    """The page of events after `after`, every audience (each viewer's is applied by the caller)."""
    events = ConsultationEvent.objects.filter(consultation_id=consultation_id, id__gt=after)
    state = events.aggregate(n=Count("id"), top=Max("id"))
    scope = page_cache_scope(consultation_id)
    strict = pagecache.strict_versions(scope)
    if strict is None:  # counters never read or evicted: create them (still None if the cache is unreachable)
        pagecache.version(pagecache.GLOBAL_SCOPE)
        pagecache.version(pagecache.strict_scope(scope))
        strict = pagecache.strict_versions(scope)
    key = (consultation_id, after, limit, state["n"], state["top"], strict)
    if strict is not None:
        with _shared_lock:
            page = _shared_pages.get(key)
            if page is not None:
                _shared_pages.move_to_end(key)
                return page
    rows = list(events.select_related("contribution__section").order_by("id")[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    page = SharedPage(
        [(event_payload(e), *effective_audience(e)) for e in rows], has_more, rows[-1].pk if rows else after, {}
    )
    if strict is not None:
        with _shared_lock:
            _shared_pages[key] = page
            while len(_shared_pages) > SHARED_PAGES:
                _shared_pages.popitem(last=False)
    return page


def latest_event_id(consultation_id: int) -> int:
    """Id of the newest event of a consultation (0 if none): pages render it as data-last-event-id."""
    last = (
        ConsultationEvent.objects.filter(consultation_id=consultation_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return last or 0


def unseen_events(consultation_id: int, floor: int | None, seen, now=None, since=None):
    """The committed events of a consultation that a hub has not delivered: the other half of the hub's
    reconciliation (hub.py). Returns (events, floor).

    Looks at events with id > floor; an id in `seen` (delivered live) is skipped, and so is an event younger
    than conf.reconcile_grace() (its broadcast is probably on the way). The returned floor is the highest id
    inserted more than conf.reconcile_window() ago: below it no event can still commit, so the next call
    starts there. floor=None (a hub's first call) starts at the window.

    `since`: when the hub started following the consultation. Older events are not its business: each reader
    caught up from the log when it connected. Without it, a hub that had just (re)started following would
    hand every reader the whole window again (30 s of events: hundreds after a Redis restart, when every
    reader had reconnected at once).
    """
    from datetime import timedelta

    from django.utils import timezone

    now = now or timezone.now()
    settled = now - timedelta(seconds=conf.reconcile_window())
    start = settled if since is None else max(settled, since)
    events = ConsultationEvent.objects.filter(consultation_id=consultation_id)
    if floor is None:
        floor = events.filter(created_at__lt=start).order_by("-id").values_list("id", flat=True).first() or 0
    rows = list(events.filter(id__gt=floor).order_by("id").values_list("id", "created_at"))
    fresh = now - timedelta(seconds=conf.reconcile_grace())
    missing = [
        pk for pk, created in rows if pk not in seen and created <= fresh and (since is None or created >= since)
    ]
    for pk, created in rows:
        if created < settled:
            floor = pk
        else:
            break
    if not missing:
        return [], floor
    found = ConsultationEvent.objects.select_related("contribution__section").filter(pk__in=missing)
    return sorted(found, key=lambda e: e.pk), floor
