"""The posting URL of a section answered by a view that only authenticates the session and answers like the real
one (201, JSON); every other URL as usual. Used by consult_ingest --floor."""

from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.http import require_POST


@require_POST
def empty_post(request, consultation_id, section_anchor):
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False, "message": "Connectez-vous pour contribuer."}, status=401)
    return JsonResponse(
        {"ok": True, "receipt_number": "C-0000-000000", "length": len(request.POST.get("body", ""))}, status=201
    )


urlpatterns = [
    path("participation/<int:consultation_id>/section/<slug:section_anchor>/contribuer/", empty_post),
    path("", include("config.urls")),
]
