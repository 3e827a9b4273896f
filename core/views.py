from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import run_checks


@never_cache
@require_GET
def healthz(request):
    """200 when every engine answers; 503 as soon as one is down (a degraded search still counts as up)."""
    report = run_checks()
    healthy = all(item["status"] != "down" for item in report.values())
    return JsonResponse({"status": "ok" if healthy else "down", "checks": report}, status=200 if healthy else 503)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /compte/",
        "Disallow: /rechercher/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def site_plan(request):
    """Plan du site (RGAA): every public page, indented by depth; shallow levels only to stay readable."""
    from wagtail.models import Page, Site

    site = Site.find_for_request(request)
    root = site.root_page if site else None
    pages = []
    if root is not None:
        for item in (
            Page.objects.live()
            .public()
            .descendant_of(root, inclusive=True)
            .filter(depth__lte=root.depth + 2)
            .specific(defer=True)
            .order_by("path")
        ):
            pages.append({"title": item.title, "url": item.get_url(request), "depth": item.depth - root.depth})
    return render(request, "core/sitemap_page.html", {"pages": pages, "breadcrumb": [("Plan du site", None)]})
