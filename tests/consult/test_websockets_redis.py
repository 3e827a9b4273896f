"""Several server processes share events through Redis: a message published by one process reaches a socket
served by another. Needs REDIS_URL (make test-all sets it); skipped with the reason otherwise."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from consult import services
from consult.models import Contribution
from consult.websockets.events import load_event
from consult.websockets.handlers import group_message

from .ws_helpers import clean_layer, next_message, open_socket  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_layer")]

PUBLISHER = """
import json, sys
import django
django.setup()
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
group, message = sys.argv[1], json.loads(sys.argv[2])
async_to_sync(get_channel_layer().group_send)(group, message)
print(type(get_channel_layer()).__name__)
"""


@pytest.fixture
def redis_only():
    if not settings.REDIS_URL:
        reason = "REDIS_URL is not set: the cross-process test needs the Redis channel layer"
        print(f"\n*** {reason} ***")
        pytest.skip(reason)


async def test_an_event_published_by_another_process_reaches_this_socket(
    redis_only, settings, consultation, section, alice
):
    settings.CONSULT_LIVE_PRESENCE_BROADCAST_DELAY = 0
    communicator = await open_socket(consultation.pk)

    @database_sync_to_async
    def written_elsewhere():
        # Written without broadcasting here: the other process does the broadcast.
        from django.db import transaction

        with transaction.atomic():
            contribution = Contribution.objects.create(
                consultation_id=consultation.pk,
                section=section,
                author=alice,
                body="Écrite ailleurs.",
                stance=Contribution.STANCE_FOR,
            )
            event = services.ConsultationEvent.objects.create(
                consultation_id=consultation.pk,
                kind=services.ConsultationEvent.KIND_CREATED,
                contribution=contribution,
            )
        return contribution, group_message(load_event(event.pk))

    contribution, (group, message) = await written_elsewhere()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "REDIS_URL": settings.REDIS_URL}
    result = await database_sync_to_async(subprocess.run)(
        [sys.executable, "-c", PUBLISHER, group, json.dumps(message)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "RedisChannelLayer"
    event = await next_message(communicator, timeout=10)
    assert (event["type"], event["contribution_id"]) == ("event", contribution.pk)
    await communicator.disconnect()
