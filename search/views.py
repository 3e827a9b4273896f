"""Public search views: the results page and the header box's suggestions (JSON)."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import pagecache
from core.ratelimit import ratelimit
from search import service
from search import settings as conf

PARAMS = ("q", "type", "theme", "region", "status", "date", "tri")


def _url(base: dict, **changes) -> str:
    params = {**base, **changes}
    params = {k: v for k, v in params.items() if v and k != "page"} | (
        {"page": changes["page"]} if changes.get("page") and changes["page"] != 1 else {}
    )
    return "?" + urlencode(params) if params else "?"


@require_GET
def results(request):
    # Anonymous readers share one rendering per query and index version: a flash crowd searches the same few
    # words. Every write to the index bumps the version (search.indexing.apply), so a hidden or deleted item
    # never comes back from a copy.
    return pagecache.serve(request, conf.PAGE_CACHE_SCOPE, lambda: _render_results(request))


def _render_results(request):
    query = request.GET.get("q", "")
    sort = "date" if request.GET.get("tri") == "date" else "relevance"
    result = service.search(query, request.GET, sort, request.GET.get("page", 1), request.user)
    base = {"q": result.query, **result.filters, "tri": "date" if result.sort == "date" else ""}
    for facet in result.facets:
        for value in facet.values:
            value.url = _url(base, **{facet.name: "" if value.selected else value.value})
    pages = []
    if result.num_pages > 1:
        for number in range(max(1, result.page - 2), min(result.num_pages, result.page + 2) + 1):
            pages.append({"number": number, "url": _url(base, page=number), "current": number == result.page})
    context = {
        "result": result,
        "search_query": result.query,
        "title": _("Rechercher"),
        "breadcrumb": [(_("Rechercher"), None)],
        "pages": pages,
        "first_url": _url(base, page=1),
        "previous_url": _url(base, page=result.page - 1) if result.page > 1 else None,
        "next_url": _url(base, page=result.page + 1) if result.page < result.num_pages else None,
        "last_url": _url(base, page=result.num_pages),
        "suggestion_url": _url(base, q=result.suggestion) if result.suggestion else None,
        "clear_filters_url": _url({"q": result.query}),
        "active_filters": [
            (facet.label, value.label, value.url) for facet in result.facets for value in facet.values if value.selected
        ],
    }
    response = render(request, "search/results.html", context)
    if result.degraded:  # answered by the fallback engine: not a copy to keep once Elasticsearch is back
        pagecache.do_not_cache(response)
    return response


@require_GET
@ratelimit("search_suggest", user_rate="240/m", ip_rate="240/m", methods=("GET",))
def suggestions(request):
    data = service.suggestions(request.GET.get("q", ""))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=60"
    return response
