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
