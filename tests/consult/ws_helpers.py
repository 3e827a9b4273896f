"""Helpers for the real-time tests (sockets and catch-up): connect as someone, read events, skip presence."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

ORIGIN = (b"origin", b"http://localhost")


def application():
    from config.asgi import application as app

    return app


def session_cookie(user) -> bytes | None:
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def open_socket(consultation_id, user=None, origin=ORIGIN, path=None):
    """A connected communicator (asserts the handshake was accepted); returns it after the first presence."""
    headers = [origin] if origin else []
    cookie = await database_sync_to_async(session_cookie)(user)
    if cookie:
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(
        application(), path or f"/ws/consultations/{consultation_id}/", headers=headers
    )
    connected, code = await communicator.connect()
    assert connected, f"refused with {code}"
    return communicator


async def read_all(communicator, timeout=0.3, presence=False):
    """Every message until the socket stays quiet for `timeout` s (presence updates skipped by default)."""
    messages = []
    while not await communicator.receive_nothing(timeout=timeout):
        message = await communicator.receive_json_from()
        if presence or message.get("type") != "presence":
            messages.append(message)
    return messages


async def next_message(communicator, timeout=3):
    """The next message that is not a presence update."""
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message.get("type") != "presence":
            return message


async def catch_up(communicator, last_event_id):
    """Send catch_up and return (the events it answered, the synced message that carried them)."""
    await communicator.send_json_to({"type": "catch_up", "last_event_id": last_event_id})
    while True:
        message = await next_message(communicator)
        if message["type"] == "synced":
            return message["events"], message


async def closed_with(communicator, timeout=3):
    """The close code the server sent next (skipping any data frames before it)."""
    while True:
        output = await communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            return output.get("code")


@pytest.fixture
async def clean_layer():
    """A fresh channel layer per test (the in-memory layer keeps groups between tests)."""
    from consult.websockets import consumers

    consumers._known_watchable.clear()  # the connect checks remembered by an earlier test
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        await layer.flush()
    yield layer
    if hasattr(layer, "flush"):
        await layer.flush()
    # The next test gets a new layer instance: the Redis layer keeps per-channel receive locks, and one left held
    # by a receive of this test's (closing) event loop would make every later receive fail in another loop.
    channel_layers.backends.clear()
