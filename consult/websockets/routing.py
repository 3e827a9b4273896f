"""WebSocket routes of consult/ (mounted by config/routing.py, behind Origin check and session auth)."""

from django.urls import path

from .consumers import ConsultationConsumer

websocket_urlpatterns = [
    path("ws/consultations/<int:consultation_id>/", ConsultationConsumer.as_asgi()),
]
