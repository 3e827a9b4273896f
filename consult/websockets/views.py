"""HTTP catch-up: the events of a consultation after a given id, for clients without a socket or behind a
proxy that drops them. Same audience rule and same payloads as the socket."""

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from consult import rules
from consult.models import ConsultationPage

from .events import events_after
from .visibility import Viewer


@require_GET
def events(request, consultation_id: int):
    consultation = get_object_or_404(ConsultationPage.objects.live(), pk=consultation_id)
    if not rules.passes_view_restrictions(request, consultation):
        raise Http404
    raw = request.GET.get("after", "0")
    if not raw.isdigit() or len(raw) > 16:
        return JsonResponse({"error": _("Le paramètre « after » doit être un numéro d'événement.")}, status=400)
    payloads, has_more, last_id = events_after(consultation.pk, Viewer.of(request.user), int(raw))
    response = JsonResponse({"events": payloads, "has_more": has_more, "last_event_id": last_id})
    # The answer depends on who asks: never share it between readers.
    response["Cache-Control"] = "private, no-store"
    return response
