"""The one entry point of search: `search(query, filters, sort, page, user)` and `suggestions(query)`.

Elasticsearch answers when ELASTICSEARCH_URL is set and the node responds within SEARCH_TIMEOUT; otherwise the
database engine answers the same question (`degraded=True`, a discreet notice on the page). Both return the
same shapes. Only public content is ever indexed, so `user` does not widen results (kept for future per-role
search, e.g. moderators).
"""

import logging
import math
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from search import db_engine
from search import settings as conf
from search.sources import TYPE_LABELS, region_names

logger = logging.getLogger(__name__)

SORTS = ("relevance", "date")
STATUS_LABELS = {"open": _("Ouvert"), "upcoming": _("À venir"), "closed": _("Terminé")}
DATE_LABELS = {"mois": _("Moins d'un mois"), "an": _("Moins d'un an"), "ancien": _("Plus d'un an")}
FACET_LABELS = {
    "type": _("Type de contenu"),
    "theme": _("Thème"),
    "region": _("Région"),
    "status": _("Statut"),
    "date": _("Date"),
}
FILTER_KEYS = ("type", "theme", "region", "status", "date", "consultation")
MAX_PAGE = 100
MAX_QUERY = 200


@dataclass
class Hit:
    key: str
    doc_type: str
    type_label: str
    title: str
    title_html: str
    url: str
    excerpt_html: str
    date: object


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    values: list


@dataclass
class SearchResult:
    query: str
    filters: dict
    sort: str
    page: int
    page_size: int
    total: int = 0
    hits: list = field(default_factory=list)
    facets: list = field(default_factory=list)
    suggestion: str | None = None
    engine: str = "database"
    degraded: bool = False

    @property
    def num_pages(self) -> int:
        return max(1, min(MAX_PAGE, math.ceil(self.total / self.page_size)))

    @property
    def has_filters(self) -> bool:
        return any(self.filters.values())


def clean_filters(raw) -> dict:
    filters = {}
    for key in FILTER_KEYS:
        value = (raw.get(key) or "").strip() if raw else ""
        if not value:
            continue
        if key == "type" and value not in TYPE_LABELS:
            continue
        if key == "status" and value not in STATUS_LABELS:
            continue
        if key == "date" and value not in DATE_LABELS:
            continue
        if key == "consultation" and not value.isdigit():
            continue
        filters[key] = value[:120]
    return filters


def _engine_search(q, filters, sort, offset, size, now):
    """(raw result, engine name, degraded)."""
    if conf.es_url():
        from search import es

        if not es.is_marked_down():
            try:
                raw = es.search(q, filters, sort, offset, size, now)
                _drop_stale_hits(raw)
                return raw, "elasticsearch", False
            except Exception as exc:  # noqa: BLE001 - any engine failure falls back, never an error page
                logger.warning("search: Elasticsearch failed (%s), answering from the database", type(exc).__name__)
                es.mark_down()
        return db_engine.search(q, filters, sort, offset, size, now), "database", True
    return db_engine.search(q, filters, sort, offset, size, now), "database", False


def _drop_stale_hits(raw):
    """Defence in depth: never show an Elasticsearch hit the database table no longer has.

    The table is updated in the same commit as the content; Elasticsearch can lag behind when it was down while
    something was hidden (the removal then waits in PendingUpdate). One indexed query per page of hits.
    """
    from search.models import SearchDocument

    keys = [h["key"] for h in raw["hits"]]
    if not keys:
        return
    known = set(SearchDocument.objects.filter(key__in=keys).values_list("key", flat=True))
    stale = [h for h in raw["hits"] if h["key"] not in known]
    if stale:
        raw["hits"] = [h for h in raw["hits"] if h["key"] in known]
        raw["total"] = max(0, raw["total"] - len(stale))


def _theme_names(slugs) -> dict:
    from search.models import DocumentTheme

    return dict(DocumentTheme.objects.filter(slug__in=list(slugs)).values_list("slug", "name").distinct())


def build_facets(raw: dict, filters: dict) -> list[Facet]:
    regions = region_names()
    themes = _theme_names(raw["theme"].keys())
    label_maps = {
        "type": {k: str(v) for k, v in TYPE_LABELS.items()},
        "theme": themes,
        "region": regions,
        "status": {k: str(v) for k, v in STATUS_LABELS.items()},
        "date": {k: str(v) for k, v in DATE_LABELS.items()},
    }
    facets = []
    for name in ("type", "theme", "region", "status", "date"):
        counts = raw[name]
        values = []
        order = (
            list(label_maps[name])
            if name in ("type", "status", "date")
            else sorted(counts, key=lambda k: (-counts[k], label_maps[name].get(k, k)))
        )
        for value in order:
            count = counts.get(value, 0)
            if count or filters.get(name) == value:
                values.append(FacetValue(value, label_maps[name].get(value, value), count, filters.get(name) == value))
        facets.append(Facet(name, str(FACET_LABELS[name]), values))
    return facets


def search(
    query: str = "", filters=None, sort: str = "relevance", page: int = 1, user=None, page_size: int | None = None
) -> SearchResult:
    q = " ".join((query or "").split())[:MAX_QUERY]
    filters = clean_filters(filters or {})
    sort = sort if sort in SORTS else "relevance"
    try:
        page = max(1, min(MAX_PAGE, int(page)))
    except (TypeError, ValueError):
        page = 1
    size = page_size or conf.PAGE_SIZE
    raw, engine, degraded = _engine_search(q, filters, sort, (page - 1) * size, size, timezone.now())
    hits = [
        Hit(
            key=h["key"],
            doc_type=h["doc_type"],
            type_label=str(TYPE_LABELS.get(h["doc_type"], h["doc_type"])),
            title=h["title"],
            title_html=mark_safe(h["title_html"]) if h.get("title_html") else None,  # noqa: S308 - escaped by the engine
            url=h["url"],
            excerpt_html=mark_safe(h["excerpt_html"] or ""),  # noqa: S308 - escaped by the engine
            date=_parse_date(h["date"]),
        )
        for h in raw["hits"]
    ]
    return SearchResult(
        query=q,
        filters=filters,
        sort=sort,
        page=page,
        page_size=size,
        total=raw["total"],
        hits=hits,
        facets=build_facets(raw["facets"], filters),
        suggestion=raw["suggestion"],
        engine=engine,
        degraded=degraded,
    )


def _parse_date(value):
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        return parse_datetime(value)
    return value


def suggestions(query: str, size: int | None = None) -> dict:
    q = " ".join((query or "").split())[:MAX_QUERY]
    size = size or conf.SUGGEST_SIZE
    if len(q) < 2:
        return {"query": q, "results": [], "engine": "none"}
    if conf.es_url():
        from search import es

        if not es.is_marked_down():
            try:
                return {"query": q, "results": _label(es.suggest(q, size)), "engine": "elasticsearch"}
            except Exception as exc:  # noqa: BLE001
                logger.warning("search: suggestions fell back to the database (%s)", type(exc).__name__)
                es.mark_down()
    return {"query": q, "results": _label(db_engine.suggest(q, size)), "engine": "database"}


def _label(items):
    for item in items:
        item["type_label"] = str(TYPE_LABELS.get(item["doc_type"], item["doc_type"]))
    return items
