"""Security headers that Django does not set on its own: CSP with per-request nonces, Permissions-Policy."""

import secrets

from django.conf import settings


def build_csp(nonce: str) -> str:
    tile_hosts = "https://*.tile.openstreetmap.fr https://*.tile.openstreetmap.org"
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        # DSFR and Wagtail set inline style attributes; styles cannot run code.
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {tile_hosts}",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
    ]
    return "; ".join(directives)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        # The Wagtail admin ships inline scripts of its own: the strict policy covers the public site.
        if not request.path.startswith(("/admin/", "/django-admin/")):
            header = "Content-Security-Policy-Report-Only" if settings.CSP_REPORT_ONLY else "Content-Security-Policy"
            response.headers.setdefault(header, build_csp(request.csp_nonce))
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(self), payment=(), usb=()"
        )
        return response


class LanguageMiddleware:
    """French by default; English only when the visitor chose it with the language switch (cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language and show English to many French
    visitors whose browser is set to English; a French public service answers in French unless asked.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        from django.utils import translation

        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        if language not in self.available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        from django.utils.cache import patch_vary_headers

        patch_vary_headers(response, ("Cookie",))
        return response


class DatabaseUnavailableMiddleware:
    """A database that is restarting or unreachable answers 503 with a French message, not a 500.

    `OperationalError`/`InterfaceError` raised by a view (connection refused, server closed the connection,
    admin shutdown) mean "try again in a moment": the transaction was rolled back, nothing was written.
    JSON callers (the section page's fetch) get `{"ok": false, "message": ...}`, so the form keeps its text;
    others get a short HTML page. The broken connection is closed so the next request reconnects.
    Errors raised outside views (e.g. a session saved in a middleware's response phase) still go to the
    500 page, whose text says the same thing.
    """

    MESSAGE = (
        "Le service est momentanément indisponible. Votre texte n'a pas été enregistré mais il est conservé : "
        "réessayez dans quelques instants."
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError, connections

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        import logging

        logging.getLogger("core.database").warning("database unavailable: %s", type(exception).__name__)
        for connection in connections.all(initialized_only=True):
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - closing a dead connection may fail too
                pass
        from django.http import HttpResponse, JsonResponse
        from django.utils.html import escape
        from django.utils.translation import gettext as _

        message = _(self.MESSAGE)
        wants_json = (
            "application/json" in request.headers.get("Accept", "")
            or request.headers.get("X-Requested-With") == "fetch"
        )
        if wants_json:
            response = JsonResponse({"ok": False, "message": message}, status=503)
        else:
            title = _("Service momentanément indisponible")
            response = HttpResponse(
                '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{escape(title)} — Agora Santé</title></head><body>"
                f'<main id="content" role="main"><h1>{escape(title)}</h1><p>{escape(message)}</p>'
                f"<p>{escape(_('Revenez à la page précédente de votre navigateur pour retrouver votre saisie.'))}</p>"
                "</main></body></html>",
                status=503,
                content_type="text/html; charset=utf-8",
            )
        response["Retry-After"] = "5"
        return response
