"""The live socket of a consultation: delivery, catch-up, audience, Origin, validation, rate limit, presence.

Runs on the in-memory layer by default and on Redis when REDIS_URL is set (settings switch the layer).
"""

import pytest
from channels.db import database_sync_to_async

from consult import services
from consult.models import ConsultationEvent, ConsultationPage, Contribution

from .ws_helpers import catch_up, clean_layer, closed_with, next_message, open_socket, read_all  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_layer", "live_settings")]


@pytest.fixture
def live_settings(settings):
    settings.CONSULT_LIVE_PRESENCE_BROADCAST_DELAY = 0  # no delayed task outliving the test
    return settings


def post(user, section, body="Une contribution sur la section.", parent=None, **kwargs):
    kwargs.setdefault("no_interests", parent is None)
    contribution, _ = services.create_contribution(
        user, section, body, stance="" if parent else Contribution.STANCE_FOR, parent=parent, **kwargs
    )
    return contribution


apost = database_sync_to_async(post)


@database_sync_to_async
def last_event_id(consultation):
    return (
        ConsultationEvent.objects.filter(consultation=consultation).order_by("-id").values_list("id", flat=True).first()
        or 0
    )


async def test_a_reader_receives_a_contribution_posted_by_someone_else(consultation, section, alice, bob):
    watcher = await open_socket(consultation.pk)  # anonymous visitor
    other = await open_socket(consultation.pk, bob)
    contribution = await apost(alice, section)

    for communicator in (watcher, other):
        event = await next_message(communicator)
        assert event["type"] == "event"
        assert event["kind"] == ConsultationEvent.KIND_CREATED
        assert event["contribution_id"] == contribution.pk
        assert event["section"] == section.anchor
        assert event["parent_id"] is None
        assert "body" not in event and "body_html" not in event
        assert "audience_user_id" not in event
    await watcher.disconnect()
    await other.disconnect()


async def test_a_reply_carries_its_parent_and_vote_counts_follow(consultation, section, alice, bob):
    parent = await apost(alice, section)
    watcher = await open_socket(consultation.pk)
    reply = await apost(bob, section, "Je réponds.", parent=parent)
    event = await next_message(watcher)
    assert (event["contribution_id"], event["parent_id"], event["depth"]) == (reply.pk, parent.pk, 1)

    await database_sync_to_async(services.vote)(bob, parent, 1)
    event = await next_message(watcher)
    assert event["kind"] == ConsultationEvent.KIND_VOTES
    assert (event["contribution_id"], event["votes_up"], event["votes_down"]) == (parent.pk, 1, 0)
    await watcher.disconnect()


async def test_reconnecting_with_the_last_event_id_receives_exactly_the_missed_events(consultation, section, alice):
    first = await apost(alice, section, "Avant la coupure.")
    communicator = await open_socket(consultation.pk)
    seen = await last_event_id(consultation)
    await communicator.disconnect()  # network cut

    missed = [await apost(alice, section, f"Pendant la coupure {i}.") for i in range(3)]

    communicator = await open_socket(consultation.pk)
    events, synced = await catch_up(communicator, seen)
    assert [e["contribution_id"] for e in events] == [c.pk for c in missed]
    assert first.pk not in [e["contribution_id"] for e in events]
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert synced["last_event_id"] == events[-1]["id"]
    assert synced["has_more"] is False
    # Caught up: asking again from the new last id gives nothing.
    events, synced = await catch_up(communicator, synced["last_event_id"])
    assert events == []
    await communicator.disconnect()


async def test_catch_up_is_capped_and_says_there_is_more(consultation, section, alice, live_settings):
    live_settings.CONSULT_LIVE_CATCHUP_LIMIT = 2
    posted = [await apost(alice, section, f"Texte {i}.") for i in range(3)]
    communicator = await open_socket(consultation.pk)
    events, synced = await catch_up(communicator, 0)
    assert [e["contribution_id"] for e in events] == [c.pk for c in posted[:2]]
    assert synced["has_more"] is True
    events, synced = await catch_up(communicator, synced["last_event_id"])
    assert [e["contribution_id"] for e in events] == [posted[2].pk]
    assert synced["has_more"] is False
    await communicator.disconnect()


async def test_a_pending_contribution_reaches_only_its_author_and_moderators(
    consultation_factory, alice, bob, moderator
):
    consultation = await database_sync_to_async(consultation_factory)(mode=ConsultationPage.MODERATION_A_PRIORI)
    section = await database_sync_to_async(lambda: consultation.sections.first())()
    anonymous = await open_socket(consultation.pk)
    citizen = await open_socket(consultation.pk, bob)
    author = await open_socket(consultation.pk, alice)
    moderation = await open_socket(consultation.pk, moderator)

    pending = await apost(alice, section, "En attente de validation.")
    assert pending.status == Contribution.STATUS_PENDING
    for communicator in (author, moderation):
        event = await next_message(communicator)
        assert (event["contribution_id"], event["status"]) == (pending.pk, Contribution.STATUS_PENDING)
    assert await read_all(anonymous) == []
    assert await read_all(citizen) == []

    # Nor does a catch-up give it away.
    for communicator in (anonymous, citizen):
        events, _ = await catch_up(communicator, 0)
        assert events == []
    events, _ = await catch_up(author, 0)
    assert [e["contribution_id"] for e in events] == [pending.pk]

    # Once a moderator publishes it, everyone hears about it.
    await database_sync_to_async(services.publish)(moderator, pending)
    for communicator in (anonymous, citizen, author, moderation):
        event = await next_message(communicator)
        assert (event["kind"], event["contribution_id"]) == (ConsultationEvent.KIND_PUBLISHED, pending.pk)
    for communicator in (anonymous, citizen, author, moderation):
        await communicator.disconnect()


async def test_a_hidden_contribution_goes_out_as_a_tombstone_without_its_text(
    consultation, section, alice, bob, moderator
):
    contribution = await apost(alice, section, "Propos qui seront masqués.")
    citizen = await open_socket(consultation.pk, bob)
    await database_sync_to_async(services.hide)(moderator, contribution, "propos injurieux")
    event = await next_message(citizen)
    assert event["kind"] == ConsultationEvent.KIND_HIDDEN
    assert event["status"] == Contribution.STATUS_HIDDEN
    assert event["hidden_reason"] == "propos injurieux"
    assert "masqués" not in repr(event)

    # Caught up later, the creation event shows the current (hidden) state, never the text.
    events, _ = await catch_up(citizen, 0)
    assert {e["status"] for e in events} == {Contribution.STATUS_HIDDEN}
    assert "masqués" not in repr(events)
    await citizen.disconnect()


async def test_moderator_only_events_are_never_sent_to_citizens(consultation, section, alice, bob, moderator):
    contribution = await apost(alice, section)
    citizen = await open_socket(consultation.pk, bob)
    author = await open_socket(consultation.pk, alice)
    moderation = await open_socket(consultation.pk, moderator)

    @database_sync_to_async
    def moderators_event():
        from django.db import transaction

        with transaction.atomic():
            return services.record_event(
                contribution, ConsultationEvent.KIND_EDITED, ConsultationEvent.AUDIENCE_MODERATORS
            )

    event = await moderators_event()
    received = await next_message(moderation)
    assert received["id"] == event.pk
    assert await read_all(citizen) == []
    assert await read_all(author) == []
    for communicator in (citizen, author):
        events, _ = await catch_up(communicator, event.pk - 1)
        assert events == []
    for communicator in (citizen, author, moderation):
        await communicator.disconnect()


async def test_a_foreign_origin_is_refused(consultation):
    from channels.testing import WebsocketCommunicator

    from .ws_helpers import application

    for origin in ((b"origin", b"https://evil.example"), None):
        headers = [origin] if origin else []
        communicator = WebsocketCommunicator(application(), f"/ws/consultations/{consultation.pk}/", headers=headers)
        connected, _ = await communicator.connect()
        assert not connected
        await communicator.disconnect()


async def test_an_unknown_or_unpublished_consultation_is_closed_with_4404(consultation_factory, home_page):
    from channels.testing import WebsocketCommunicator

    from .ws_helpers import ORIGIN, application

    draft = await database_sync_to_async(consultation_factory)()
    await database_sync_to_async(draft.unpublish)()
    for consultation_id in (draft.pk, 999999, home_page.pk):
        communicator = WebsocketCommunicator(application(), f"/ws/consultations/{consultation_id}/", headers=[ORIGIN])
        connected, _ = await communicator.connect()
        assert connected
        assert await closed_with(communicator) == 4404


@database_sync_to_async
def restrict(consultation, kind, group=None, password=""):
    from wagtail.models import PageViewRestriction

    restriction = PageViewRestriction.objects.create(page=consultation, restriction_type=kind, password=password)
    if group is not None:
        restriction.groups.add(group)
    return restriction


async def refused_with_4404(consultation_id, user=None, cookie=None):
    """True if the socket is closed with 4404 at once, False if it starts sending (the first presence)."""
    from channels.testing import WebsocketCommunicator

    from .ws_helpers import ORIGIN, application, session_cookie

    headers = [ORIGIN]
    cookie = cookie or await database_sync_to_async(session_cookie)(user)
    if cookie:
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(application(), f"/ws/consultations/{consultation_id}/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    first = await communicator.receive_output(3)
    if first["type"] == "websocket.close":
        return first.get("code") == 4404
    await communicator.disconnect()
    return False


async def test_a_consultation_restricted_to_signed_in_users_is_not_watchable_anonymously(consultation, alice):
    await restrict(consultation, "login")
    assert await refused_with_4404(consultation.pk)
    assert not await refused_with_4404(consultation.pk, alice)


async def test_a_consultation_restricted_to_a_group_is_watchable_only_by_its_members_and_staff(
    consultation, alice, bob, moderator
):
    from django.contrib.auth.models import Group

    group = await database_sync_to_async(Group.objects.create)(name="Comité restreint")
    await database_sync_to_async(bob.groups.add)(group)
    await restrict(consultation, "groups", group=group)
    assert await refused_with_4404(consultation.pk)
    assert await refused_with_4404(consultation.pk, alice)
    for user in (bob, moderator):
        assert not await refused_with_4404(consultation.pk, user)


async def test_a_password_restricted_consultation_is_watchable_once_the_password_was_given(consultation):
    from django.test import Client

    restriction = await restrict(consultation, "password", password="sante2026")
    assert await refused_with_4404(consultation.pk)

    @database_sync_to_async
    def cookie_after_password():
        client = Client()
        response = client.post(
            f"/_util/authenticate_with_password/{restriction.pk}/{consultation.pk}/",
            {"password": "sante2026", "return_url": consultation.url},
        )
        assert response.status_code == 302
        return f"sessionid={client.cookies['sessionid'].value}".encode()

    cookie = await cookie_after_password()
    assert not await refused_with_4404(consultation.pk, cookie=cookie)


@database_sync_to_async
def page_cache_versions(consultation):
    from core import pagecache

    scope = consultation.page_cache_scope
    return f"{pagecache.version(pagecache.GLOBAL_SCOPE)}.{pagecache.version(pagecache.strict_scope(scope))}"


async def test_an_anonymous_connect_is_answered_from_memory_until_the_consultation_changes(consultation):
    from core import pagecache

    await page_cache_versions(consultation)  # the counters exist once the page was served
    assert not await refused_with_4404(consultation.pk)  # checked in the database, remembered
    # Taken offline behind the signals' back: the memory still answers, without a query...
    await database_sync_to_async(ConsultationPage.objects.filter(pk=consultation.pk).update)(live=False)
    assert not await refused_with_4404(consultation.pk)
    # ...until the consultation's version moves, as an unpublication makes it move in every process.
    await database_sync_to_async(pagecache.bump)(consultation.page_cache_scope)
    assert await refused_with_4404(consultation.pk)


async def test_a_view_restriction_added_after_a_connect_refuses_the_next_anonymous_reader(consultation):
    await page_cache_versions(consultation)
    assert not await refused_with_4404(consultation.pk)
    await restrict(consultation, "login")
    assert await refused_with_4404(consultation.pk)


async def test_ping_gets_a_pong(consultation):
    communicator = await open_socket(consultation.pk)
    await communicator.send_json_to({"type": "ping"})
    assert await next_message(communicator) == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.parametrize(
    "text",
    [
        "pas du json",
        "[]",
        '"catch_up"',
        '{"type": "post", "body": "écrire par le socket"}',
        '{"type": "catch_up"}',
        '{"type": "catch_up", "last_event_id": "12"}',
        '{"type": "catch_up", "last_event_id": -1}',
        '{"type": "catch_up", "last_event_id": true}',
        '{"type": "catch_up", "last_event_id": 1.5}',
        '{"type": "catch_up", "last_event_id": 99999999999999999999}',
        '{"type": "catch_up", "last_event_id": 1, "extra": 1}',
        '{"type": "ping", "x": 1}',
    ],
)
async def test_an_invalid_message_is_rejected_and_the_socket_stays_open(consultation, text):
    communicator = await open_socket(consultation.pk)
    await communicator.send_to(text_data=text)
    assert await next_message(communicator) == {"type": "error", "code": "invalid_message"}
    await communicator.send_json_to({"type": "ping"})
    assert await next_message(communicator) == {"type": "pong"}
    await communicator.disconnect()


async def test_an_oversized_message_closes_the_socket(consultation):
    communicator = await open_socket(consultation.pk)
    await communicator.send_json_to({"type": "ping", "pad": "x" * 3000})
    assert await closed_with(communicator) == 4413


async def test_a_binary_frame_closes_the_socket(consultation):
    communicator = await open_socket(consultation.pk)
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert await closed_with(communicator) == 4413


async def test_a_client_flooding_the_socket_is_closed_with_4429(consultation, alice):
    communicator = await open_socket(consultation.pk, alice)
    for _ in range(10):
        await communicator.send_json_to({"type": "ping"})
        assert await next_message(communicator) == {"type": "pong"}
    await communicator.send_json_to({"type": "ping"})
    assert await closed_with(communicator) == 4429


async def test_a_signed_in_user_shares_one_budget_across_sockets(consultation, alice, live_settings):
    live_settings.CONSULT_LIVE_USER_MESSAGE_RATE = "4/60s"
    first = await open_socket(consultation.pk, alice)
    second = await open_socket(consultation.pk, alice)
    for communicator in (first, second, first, second):
        await communicator.send_json_to({"type": "ping"})
        assert await next_message(communicator) == {"type": "pong"}
    await first.send_json_to({"type": "ping"})
    assert await closed_with(first) == 4429
    await second.disconnect()


async def test_readers_are_counted_and_told_how_many_are_reading(consultation, alice):
    first = await open_socket(consultation.pk)
    assert (await first.receive_json_from()) == {"type": "presence", "count": 1}
    second = await open_socket(consultation.pk, alice)
    assert (await second.receive_json_from()) == {"type": "presence", "count": 2}
    assert await presence_reaches(first, 2)
    await second.disconnect(timeout=10)
    assert await presence_reaches(first, 1)
    await first.disconnect()


async def presence_reaches(communicator, count):
    """Read presence updates until one says `count` (the socket times out, failing the test, otherwise)."""
    while True:
        message = await communicator.receive_json_from(timeout=10)
        if message == {"type": "presence", "count": count}:
            return True


async def test_an_event_whose_broadcast_was_lost_still_reaches_connected_readers_from_the_log(
    consultation, section, alice, live_settings, monkeypatch
):
    """The publishing process died between its commit and its publish: the readers' hub finds the committed
    event in the log (consult/websockets/hub.py reconciliation) and delivers it, once."""
    from consult.websockets import handlers

    live_settings.CONSULT_LIVE_RECONCILE_SECONDS = 0.2
    live_settings.CONSULT_LIVE_RECONCILE_GRACE = 0
    watcher = await open_socket(consultation.pk)
    try:
        delivered = await apost(alice, section, body="Publiée et diffusée normalement.")
        assert (await next_message(watcher))["contribution_id"] == delivered.pk

        monkeypatch.setattr(handlers, "broadcast_event", lambda event_id: None)  # the publish never happens
        lost = await apost(alice, section, body="Enregistrée, mais sa diffusion s'est perdue.")
        event = await next_message(watcher, timeout=5)
        assert event["type"] == "event" and event["contribution_id"] == lost.pk
        assert event["kind"] == ConsultationEvent.KIND_CREATED
        assert await read_all(watcher, timeout=0.6) == []  # neither event comes a second time
        from consult.websockets.hub import get_hub

        assert get_hub().reconciled == 1  # the second one came from the log, not the layer
    finally:
        await watcher.disconnect()


async def test_a_hub_that_starts_following_a_consultation_does_not_replay_older_events_from_the_log(
    consultation, section, alice, live_settings, monkeypatch
):
    """Events from before the hub followed the consultation are each reader's own catch-up. A hub that replayed its
    whole reconciliation window when it (re)started would pour hundreds of events into every reader at once after
    a Redis restart (every reader reconnects then), and close them all as too slow."""
    from consult.websockets import handlers
    from consult.websockets.hub import get_hub

    live_settings.CONSULT_LIVE_RECONCILE_SECONDS = 0.2
    live_settings.CONSULT_LIVE_RECONCILE_GRACE = 0
    monkeypatch.setattr(handlers, "broadcast_event", lambda event_id: None)
    await apost(alice, section, body="Enregistrée avant que ce processus suive la consultation.")
    watcher = await open_socket(consultation.pk)
    try:
        assert await read_all(watcher, timeout=1.0) == []
        assert get_hub().reconciled == 0
    finally:
        await watcher.disconnect()


async def test_readers_reconnect_rather_than_receive_a_large_backlog_from_the_log(
    consultation, section, alice, live_settings, monkeypatch
):
    """When more events than RECONCILE_BURST never arrived live, the hub asks its readers to reconnect (1012: they
    catch up from the log page by page) instead of queueing them all, which would close them as too slow."""
    from consult.websockets import handlers, hub

    live_settings.CONSULT_LIVE_RECONCILE_SECONDS = 0  # off while posting: all three are found in one round
    live_settings.CONSULT_LIVE_RECONCILE_GRACE = 0
    monkeypatch.setattr(hub, "RECONCILE_BURST", 2)
    watcher = await open_socket(consultation.pk)
    try:
        monkeypatch.setattr(handlers, "broadcast_event", lambda event_id: None)
        for n in range(3):
            await apost(alice, section, body=f"Diffusion perdue numéro {n} pendant une panne.")
        live_settings.CONSULT_LIVE_RECONCILE_SECONDS = 0.2
        assert await closed_with(watcher, timeout=5) == 1012
        assert hub.get_hub().reconciled == 0
    finally:
        await watcher.disconnect()


def database_busy_once(monkeypatch) -> list:
    """The socket's first catch-up query finds the connection pool exhausted; later ones run. Returns the calls."""
    from django.db import OperationalError

    from consult.websockets import consumers

    real, calls = consumers.catch_up_message, []

    def busy_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("couldn't get a connection after 10.00 sec")
        return real(*args, **kwargs)

    monkeypatch.setattr(consumers, "catch_up_message", busy_once)
    return calls


async def test_a_catch_up_the_database_cannot_answer_yet_is_retried_on_the_open_socket(
    consultation, section, alice, monkeypatch
):
    """Under overload (connection pool exhausted) the socket stays open and the catch-up comes a moment later:
    closing it would bring every client back at once (a reconnect storm)."""
    from consult.websockets import consumers

    contribution = await apost(alice, section)
    calls = database_busy_once(monkeypatch)
    monkeypatch.setattr(consumers, "CATCH_UP_RETRY_SECONDS", (0.05,))
    watcher = await open_socket(consultation.pk)
    events, synced = await catch_up(watcher, 0)
    assert [e["contribution_id"] for e in events] == [contribution.pk]
    assert synced["has_more"] is False and len(calls) == 2
    await watcher.disconnect()


async def test_a_socket_keeps_answering_while_its_catch_up_waits_for_the_database(
    consultation, section, alice, monkeypatch
):
    """A catch-up waiting for the database is answered in its own task: the socket keeps reading meanwhile (under
    uvicorn a socket whose message is still being handled reads nothing, not even the client's pongs, and the
    keepalive closed it with 1011 after 20 s)."""
    from consult.websockets import consumers

    contribution = await apost(alice, section)
    calls = database_busy_once(monkeypatch)
    monkeypatch.setattr(consumers, "CATCH_UP_RETRY_SECONDS", (1.5,))
    monkeypatch.setattr(consumers.random, "uniform", lambda low, high: 1.0)
    watcher = await open_socket(consultation.pk)
    await watcher.send_json_to({"type": "catch_up", "last_event_id": 0})
    await watcher.send_json_to({"type": "ping"})
    assert await next_message(watcher, timeout=1) == {"type": "pong"}  # before the catch-up's retry
    synced = await next_message(watcher, timeout=5)
    assert synced["type"] == "synced"
    assert [event["contribution_id"] for event in synced["events"]] == [contribution.pk]
    assert len(calls) == 2  # the first query found the database busy, the retry answered
    await watcher.disconnect()


async def test_a_catch_up_that_keeps_failing_asks_the_client_to_come_back_later(consultation, monkeypatch):
    from django.db import OperationalError

    from consult.websockets import consumers

    def busy(*args, **kwargs):
        raise OperationalError("couldn't get a connection after 10.00 sec")

    monkeypatch.setattr(consumers, "catch_up_message", busy)
    monkeypatch.setattr(consumers, "CATCH_UP_RETRY_SECONDS", (0.01, 0.01))
    watcher = await open_socket(consultation.pk)
    await watcher.send_json_to({"type": "catch_up", "last_event_id": 0})
    assert await closed_with(watcher) == consumers.CLOSE_TRY_LATER


async def test_a_signed_in_reader_connects_while_another_readers_catch_up_waits_for_the_database(
    consultation, alice, monkeypatch
):
    """Catch-ups run on the live layer's own threads (consult/websockets/events.py): one stuck waiting for a
    database connection must not hold up the session lookup every signed-in handshake needs on Channels' shared
    thread (the reconnect storm of load_mixed run 5, docs/benchmarks.md)."""
    import asyncio
    import threading

    from consult.websockets import consumers

    started, release = threading.Event(), threading.Event()
    catch_up_message = consumers.catch_up_message

    def waiting_for_a_pooled_connection(*args, **kwargs):
        started.set()
        release.wait(15)
        return catch_up_message(*args, **kwargs)

    monkeypatch.setattr(consumers, "catch_up_message", waiting_for_a_pooled_connection)
    reader = await open_socket(consultation.pk)
    await reader.send_json_to({"type": "catch_up", "last_event_id": 0})
    assert await asyncio.to_thread(started.wait, 5), "the catch-up never started"
    try:
        signed_in = await asyncio.wait_for(open_socket(consultation.pk, alice), timeout=5)
    finally:
        release.set()
    _, synced = await catch_up(signed_in, 0)
    assert synced["type"] == "synced"
    assert (await next_message(reader, timeout=10))["type"] == "synced"  # the held catch-up ends once released
    await signed_in.disconnect()
    await reader.disconnect()
