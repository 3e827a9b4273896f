"""All WebSocket routes of the site (each app contributes its own list)."""

from consult.websockets.routing import websocket_urlpatterns as consult_websockets

websocket_urlpatterns = [*consult_websockets]
