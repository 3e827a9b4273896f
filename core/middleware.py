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
