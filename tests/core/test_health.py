import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_every_engine(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert set(checks) == {"database", "channel_layer", "search", "tasks"}
    assert all(check["status"] in {"ok", "degraded"} for check in checks.values())
    assert checks["database"]["engine"] == (
        "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    )
    expected_layer = "RedisChannelLayer" if settings.REDIS_URL else "InMemoryChannelLayer"
    assert checks["channel_layer"]["engine"] == expected_layer
    assert checks["search"]["engine"] == ("elasticsearch" if settings.ELASTICSEARCH_URL else "database")


def test_healthz_answers_503_when_an_engine_is_down(client, monkeypatch):
    from core import health

    def broken():
        raise ConnectionError("down")

    monkeypatch.setitem(health.CHECKS, "channel_layer", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"] == {
        "status": "down",
        "ms": pytest.approx(0, abs=50),
        "error": "ConnectionError",
    }


def test_production_settings_pass_check_deploy_without_warnings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k" * 20 + "realistic-production-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "agora-sante.gouv.fr",
        "SITE_URL": "https://agora-sante.gouv.fr",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_the_development_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
