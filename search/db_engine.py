"""Database engine: queries the `SearchDocument` table.

PostgreSQL: full text on the generated `search_vector` column (GIN index, 'simple' configuration over text
already normalised by search.text), ranked with ts_rank. SQLite: LIKE over the same normalised text, ranked by
title match then date. Same documents, same filters and facets as Elasticsearch; no "did you mean".
"""

import datetime
import re

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.html import escape

from search.models import DocumentTheme, SearchDocument
from search.text import WORD_RE, expand, fold, query_stems, stem, strip_elision


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


def tsquery(q: str) -> str:
    clauses = []
    for clause in expand(q):
        variants = [" <-> ".join(f"'{t}'" for t in variant) for variant in clause]
        clauses.append("(" + " | ".join(f"({v})" for v in variants) + ")")
    return " & ".join(clauses)


def text_filter(qs, q: str):
    clauses = expand(q)
    if not clauses:
        return qs, False
    if _is_pg():
        tsq = tsquery(q)
        qs = qs.extra(where=["search_vector @@ to_tsquery('simple', %s)"], params=[tsq])
        return qs.annotate(rank=RawSQL("ts_rank(search_vector, to_tsquery('simple', %s))", [tsq])), True
    for clause in clauses:
        condition = Q()
        for variant in clause:
            condition |= Q(search_text__contains=" " + " ".join(variant) + " ")
        qs = qs.filter(condition)
    # Rank: number of query words found at a word start in the title (shorter titles win ties, see search()).
    rank = Value(0)
    for clause in clauses:
        rank = rank + Case(
            When(title_text__contains=" " + clause[0][0][:5], then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return qs.annotate(rank=rank), True


def status_q(now):
    return {
        "open": Q(opens_at__lte=now, closes_at__gt=now),
        "upcoming": Q(opens_at__gt=now),
        "closed": Q(closes_at__lte=now),
    }


def date_q(now):
    month = (now - datetime.timedelta(days=30)).replace(hour=0, minute=0, second=0, microsecond=0)
    year = (now - datetime.timedelta(days=365)).replace(hour=0, minute=0, second=0, microsecond=0)
    return {"mois": Q(date__gte=month), "an": Q(date__gte=year), "ancien": Q(date__lt=year)}


def filtered(q: str, filters: dict, now):
    qs = SearchDocument.objects.all()
    if filters.get("type"):
        qs = qs.filter(doc_type=filters["type"])
    if filters.get("theme"):
        qs = qs.filter(pk__in=DocumentTheme.objects.filter(slug=filters["theme"]).values("document_id"))
    if filters.get("region"):
        qs = qs.filter(region=filters["region"])
    if filters.get("status"):
        qs = qs.filter(status_q(now)[filters["status"]])
    if filters.get("date"):
        qs = qs.filter(date_q(now)[filters["date"]])
    if filters.get("consultation"):
        qs = qs.filter(consultation_id=filters["consultation"])
    return text_filter(qs, q) if q else (qs, False)


def highlight(text: str, stems: set[str], size: int = 200, whole: bool = False) -> str:
    """Escaped excerpt around the first matching word, matches wrapped in <mark>."""
    text = " ".join((text or "").split())
    matches = [m for m in WORD_RE.finditer(text) if stems and _stem_of(m.group()) in stems]
    if whole:
        start, end = 0, len(text)
    elif matches:
        start = max(0, matches[0].start() - size // 3)
        start = text.rfind(" ", 0, start) + 1 if start else 0
        end = min(len(text), start + size)
    else:
        start, end = 0, min(len(text), size)
    out, pos = [], start
    for m in matches:
        if m.start() < start or m.end() > end:
            continue
        out.append(escape(text[pos : m.start()]))
        out.append(f"<mark>{escape(m.group())}</mark>")
        pos = m.end()
    out.append(escape(text[pos:end]))
    excerpt = "".join(out)
    if not whole:
        excerpt = ("…" if start else "") + excerpt + ("…" if end < len(text) else "")
    return excerpt


def _stem_of(word: str) -> str:
    return stem(strip_elision(fold(word)).replace("'", ""))


# PostgreSQL answers a query with words in one statement (_pg_search); False falls back to one statement per
# facet (the SQLite path), which tests compare it with.
SINGLE_STATEMENT = True
HIT_FIELDS = ("key", "doc_type", "object_id", "title", "url", "date", "body")  # what _hit reads


def _condition_sql(q, table: str) -> tuple[str, list]:
    """A Q object on SearchDocument as SQL over unqualified columns (to be applied to a CTE of its rows)."""
    query = SearchDocument.objects.filter(q).query
    sql, params = query.where.as_sql(query.get_compiler(connection=connection), connection)
    return sql.replace(f"{connection.ops.quote_name(table)}.", ""), list(params)


def _pg_search(qs, sort: str, offset: int, size: int, now) -> tuple[int, dict, list]:
    """PostgreSQL with words to match: the full-text match and its rank evaluated once, not once per facet.

    One statement materialises the matching rows (id, facet columns, rank) and returns every facet count and the
    ids of the requested page in rank order; the page's ten documents are then read by id. On 100,000 documents
    the five statements of the ORM path re-ran the match five times (docs/search.md, search_query)."""
    table = SearchDocument._meta.db_table
    rows = (
        qs.order_by()
        .annotate(title_length=Length("title"))
        .values("id", "doc_type", "region", "opens_at", "closes_at", "date", "title_length", "rank")
    )
    base_sql, base_params = rows.query.sql_with_params()
    order = "date DESC, id DESC" if sort == "date" else "rank DESC, title_length ASC, date DESC, id DESC"
    counts, count_params = ["count(*)"], []
    names = ["total"]
    for prefix, conditions in (("status", status_q(now)), ("date", date_q(now))):
        for key, condition in conditions.items():
            sql, params = _condition_sql(condition, table)
            counts.append(f"count(*) FILTER (WHERE {sql})")
            count_params += params
            names.append(f"{prefix}_{key}")
    values = ", ".join(f"('{name}', n{i})" for i, name in enumerate(names))
    statement = f"""
        WITH m AS MATERIALIZED ({base_sql}),
        agg AS (SELECT {", ".join(f"{c} AS n{i}" for i, c in enumerate(counts))} FROM m)
        SELECT 'type', doc_type, count(*) FROM m GROUP BY doc_type
        UNION ALL SELECT 'region', region, count(*) FROM m WHERE region <> '' GROUP BY region
        UNION ALL (SELECT 'theme', t.slug, count(*) FROM {connection.ops.quote_name(DocumentTheme._meta.db_table)} t
                   JOIN m ON m.id = t.document_id GROUP BY t.slug ORDER BY 3 DESC, 2 LIMIT 20)
        UNION ALL SELECT 'agg', x.name, x.n FROM agg, LATERAL (VALUES {values}) AS x(name, n)
        UNION ALL SELECT 'page', array_to_string(ARRAY(SELECT id FROM m ORDER BY {order} LIMIT %s OFFSET %s), ','), 0
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, [*base_params, *count_params, size, offset])
        result = cursor.fetchall()
    agg = {name: n for kind, name, n in result if kind == "agg"}
    facets = {"type": {}, "region": {}, "theme": {}}
    page_ids = []
    for kind, name, n in result:
        if kind in facets:
            facets[kind][name] = n
        elif kind == "page":
            page_ids = [int(pk) for pk in name.split(",") if pk]
    facets["status"] = {k: agg[f"status_{k}"] for k in status_q(now)}
    facets["date"] = {k: agg[f"date_{k}"] for k in date_q(now)}
    docs = SearchDocument.objects.only(*HIT_FIELDS).in_bulk(page_ids)
    return agg["total"], facets, [docs[pk] for pk in page_ids if pk in docs]


def search(q: str, filters: dict, sort: str, offset: int, size: int, now) -> dict:
    qs, ranked = filtered(q, filters, now)
    stems = query_stems(q) if q else set()
    if ranked and SINGLE_STATEMENT and _is_pg():
        total, facets, docs = _pg_search(qs, sort, offset, size, now)
        return {"total": total, "hits": [_hit(doc, stems) for doc in docs], "facets": facets, "suggestion": None}
    statuses, dates = status_q(now), date_q(now)
    agg = qs.order_by().aggregate(
        total=Count("pk"),
        **{f"status_{k}": Count("pk", filter=v) for k, v in statuses.items()},
        **{f"date_{k}": Count("pk", filter=v) for k, v in dates.items()},
    )
    facets = {
        "type": dict(qs.order_by().values_list("doc_type").annotate(n=Count("pk")).values_list("doc_type", "n")),
        "region": dict(
            qs.order_by().exclude(region="").values_list("region").annotate(n=Count("pk")).values_list("region", "n")
        ),
        "theme": dict(
            DocumentTheme.objects.filter(document__in=qs.order_by().values("pk"))
            .values_list("slug")
            .annotate(n=Count("pk"))
            .order_by("-n", "slug")
            .values_list("slug", "n")[:20]
        ),
        "status": {k: agg[f"status_{k}"] for k in statuses},
        "date": {k: agg[f"date_{k}"] for k in dates},
    }
    if sort == "date" or not ranked:
        qs = qs.order_by("-date", "-pk")
    else:
        qs = qs.order_by("-rank", Length("title"), "-date", "-pk")
    docs = qs.only(*HIT_FIELDS)[offset : offset + size]
    return {"total": agg["total"], "hits": [_hit(doc, stems) for doc in docs], "facets": facets, "suggestion": None}


def _hit(doc, stems) -> dict:
    return {
        "key": doc.key,
        "doc_type": doc.doc_type,
        "object_id": doc.object_id,
        "title": doc.title,
        "url": doc.url,
        "date": doc.date,
        "title_html": highlight(doc.title, stems, whole=True) if stems else None,
        "excerpt_html": highlight(doc.body, stems),
    }


PREFIX_RE = re.compile(r"[^\w]+")
# Contributions have generic titles ("Contribution sur …"): the header box suggests places, not posts.
SUGGEST_EXCLUDED = ("contribution",)


def suggest(q: str, size: int) -> list[dict]:
    words = [w for w in PREFIX_RE.split(fold(q).replace("'", " ")) if w]
    if not words:
        return []
    qs = SearchDocument.objects.exclude(doc_type__in=SUGGEST_EXCLUDED)
    for word in words:
        qs = qs.filter(title_text__contains=" " + word)
    return [
        {"title": d.title, "url": d.url, "doc_type": d.doc_type}
        for d in qs.order_by("-date").only("title", "url", "doc_type")[:size]
    ]


def now():
    return timezone.now()
