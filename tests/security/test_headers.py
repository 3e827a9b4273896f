"""Security headers and cookies as production sends them (config/settings/production.py, core/middleware.py).

`manage.py check --deploy --fail-level WARNING` itself runs in tests/core/test_health.py.
"""

import importlib
import json
import re
import sys

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(monkeypatch):
    """The production settings module, evaluated with a realistic environment."""
    monkeypatch.setenv("SECRET_KEY", "p" * 30 + "-a-realistic-production-secret-key-0123456789")
    monkeypatch.delenv("SECURE_SSL_REDIRECT", raising=False)
    monkeypatch.delenv("SECURE_HSTS_SECONDS", raising=False)
    saved = {name: sys.modules.pop(name, None) for name in ("config.settings.production", "config.settings.base")}
    try:
        module = importlib.import_module("config.settings.production")
    finally:
        # Put the modules Django already loaded back: only this fixture sees the fresh evaluation.
        for name, original in saved.items():
            if original is not None:
                sys.modules[name] = original
            else:
                sys.modules.pop(name, None)
    return module


@pytest.fixture
def production_client(client, settings, production):
    for name in (
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "LANGUAGE_COOKIE_SECURE",
        "LANGUAGE_COOKIE_HTTPONLY",
        "LANGUAGE_COOKIE_SAMESITE",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_REFERRER_POLICY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY",
        "X_FRAME_OPTIONS",
        "MIDDLEWARE",
    ):
        setattr(settings, name, getattr(production, name))
    settings.SECURE_SSL_REDIRECT = False
    return client


def test_production_settings_are_hardened(production):
    assert production.DEBUG is False
    assert production.SECURE_SSL_REDIRECT is True
    assert production.SECURE_HSTS_SECONDS >= 365 * 24 * 3600
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS and production.SECURE_HSTS_PRELOAD
    assert production.SESSION_COOKIE_SECURE and production.SESSION_COOKIE_HTTPONLY
    assert production.CSRF_COOKIE_SECURE and production.CSRF_COOKIE_HTTPONLY
    assert production.LANGUAGE_COOKIE_SECURE and production.LANGUAGE_COOKIE_HTTPONLY
    assert production.SESSION_COOKIE_SAMESITE == production.CSRF_COOKIE_SAMESITE == "Lax"
    assert production.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert "core.middleware.DatabaseUnavailableMiddleware" in production.MIDDLEWARE


def test_public_page_sends_every_security_header(production_client, home_page):
    response = production_client.get("/", secure=True)
    assert response.status_code == 200
    headers = response.headers
    print({k: v for k, v in headers.items() if k.lower() != "set-cookie"})
    assert int(re.search(r"max-age=(\d+)", headers["Strict-Transport-Security"]).group(1)) >= 31536000
    assert "includeSubDomains" in headers["Strict-Transport-Security"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"] and "microphone=()" in headers["Permissions-Policy"]
    csp = dict((part.strip().split(" ", 1) + [""])[:2] for part in headers["Content-Security-Policy"].split(";"))
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert re.search(r"'nonce-[A-Za-z0-9_-]{16,}'", csp["script-src"])
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["default-src"] == "'self'"


def test_every_script_tag_of_a_page_carries_the_request_nonce(production_client, home_page):
    response = production_client.get("/", secure=True)
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler in the page"
    assert "javascript:" not in html


def test_nonce_changes_on_every_request(client, home_page):
    first = client.get("/")["Content-Security-Policy"]
    second = client.get("/")["Content-Security-Policy"]
    assert first != second


def test_session_csrf_and_language_cookies_are_secure_httponly_samesite(production_client, alice, home_page):
    from tests.conftest import PASSWORD

    production_client.get(reverse("account_login"), secure=True)
    response = production_client.post(
        reverse("account_login"), {"login": alice.email, "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = production_client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = production_client.post(reverse("set_language"), {"language": "en", "next": "/"}, secure=True)
    language = response.cookies["django_language"]
    assert language["secure"] and language["httponly"] and language["samesite"] == "Lax"


def test_admin_refuses_anonymous_and_non_staff(client, alice):
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    client.force_login(alice)
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"]
    response = client.get("/django-admin/")
    assert response.status_code == 302 and "/django-admin/login/" in response["Location"]


def test_database_outage_answers_503_in_french_and_json_callers_keep_their_text(rf, alice):
    from django.db import OperationalError

    from core.middleware import DatabaseUnavailableMiddleware

    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = rf.post("/participation/1/section/a/contribuer/", HTTP_ACCEPT="application/json")
    response = middleware.process_exception(request, OperationalError("server closed the connection"))
    assert response.status_code == 503
    assert response["Retry-After"]
    body = json.loads(response.content)
    assert body["ok"] is False and "momentanément indisponible" in body["message"]
    html = middleware.process_exception(rf.get("/"), OperationalError("connection refused"))
    assert html.status_code == 503 and "réessayez" in html.content.decode()
    assert middleware.process_exception(rf.get("/"), ValueError("other")) is None
