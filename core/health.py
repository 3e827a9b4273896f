"""Liveness of each engine, as reported by /healthz."""

import time
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"engine": connection.vendor}


def check_channel_layer():
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)("healthz.")
    token = uuid.uuid4().hex
    async_to_sync(layer.send)(channel, {"type": "healthz", "token": token})
    message = async_to_sync(layer.receive)(channel)
    if message.get("token") != token:
        raise RuntimeError("channel layer returned another message")
    return {"engine": type(layer).__name__}


def check_search():
    from search.engine import engine_status

    return engine_status()


def check_tasks():
    from django_tasks_db.models import DBTaskResult

    pending = DBTaskResult.objects.filter(status="READY")
    oldest = pending.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return {
        "backend": settings.TASKS["default"]["BACKEND"].rsplit(".", 1)[-1],
        "pending": pending.count(),
        "oldest_pending_age_s": None if oldest is None else round(time.time() - oldest.timestamp()),
    }


CHECKS = {
    "database": check_database,
    "channel_layer": check_channel_layer,
    "search": check_search,
    "tasks": check_tasks,
}


def run_checks():
    report = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail = check()
            status = "degraded" if detail.get("degraded") else "ok"
        except Exception as exc:  # noqa: BLE001 - any failure is a health signal, reported not raised
            detail, status = {"error": type(exc).__name__}, "down"
        report[name] = {"status": status, "ms": round((time.perf_counter() - started) * 1000, 1), **detail}
    return report
