"""The gunicorn worker class of scripts/serve_prod.sh: uvicorn's, without WebSocket compression.

Live events are JSON messages of 150–300 bytes sent to every open page of a consultation. With per-message
deflate (uvicorn's default) each copy was compressed separately on the event loop — one zlib run per reader
per event, 7 % of the loop's time in bench/load_mixed with 1,000 sockets open — and every socket kept two zlib
contexts in memory, to save a few dozen bytes per message.
"""

from uvicorn_worker import UvicornWorker


class AgoraUvicornWorker(UvicornWorker):
    CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "ws_per_message_deflate": False}
