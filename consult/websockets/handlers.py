"""The one place that pushes consultation events to the sockets.

consult/services.py writes the change and its ConsultationEvent row in one transaction and then calls
`transaction.on_commit(lambda: broadcast_event(event.id))`: clients never hear about a rolled-back write.
Delivery is best-effort (the channel layer delivers at most once); the event table is the source of truth
and clients catch up from it after a reconnect.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from consult.models import ConsultationPage

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


def broadcast_event(event_id: int) -> None:
    """Send one committed event to everyone watching its consultation (the consumers filter by audience)."""
    event = load_event(event_id)
    if event is None:
        logger.warning("broadcast_event: event %s not found (rolled back?)", event_id)
        return
    layer = get_channel_layer()
    if layer is None:
        return
    group, message = group_message(event)
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # the write is committed; readers will catch up from the event table
        logger.exception("broadcast_event: could not publish event %s", event_id)
