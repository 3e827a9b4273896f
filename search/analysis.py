"""Analysis of a consultation's published contributions for editors (Wagtail admin).

With Elasticsearch: significant terms per section against the whole consultation (`significant_text`), a date
histogram, stance per section (terms aggregations) and "similar contributions" (`more_like_this`). Without it (or
when it is down): the same shapes computed from the database's search documents — relative term frequencies,
counts, and shared-stem similarity — each result says which engine produced it (`engine`, `label`).

Only public (published, on a live consultation) contributions are analysed: the inputs are the search documents.
"""

import collections
import logging
import math

from django.db.models import Count
from django.db.models.functions import TruncDate

from search import settings as conf
from search.models import SearchDocument
from search.text import STOPWORDS, tokens

logger = logging.getLogger(__name__)

LABELS = {
    "elasticsearch": "Elasticsearch : termes significatifs (significant_text) et « more like this »",
    "database": "Base de données (mode simplifié) : fréquences relatives des termes et racines communes",
}


def _use_es() -> bool:
    if not conf.es_url():
        return False
    from search import es

    return not es.is_marked_down()


def _with_fallback(es_fn, db_fn, *args, **kwargs):
    if _use_es():
        from search import es

        try:
            return {"engine": "elasticsearch", "label": LABELS["elasticsearch"], **es_fn(*args, **kwargs)}
        except Exception as exc:  # noqa: BLE001 - analysis must not break the admin screen
            logger.warning("search analysis: Elasticsearch failed (%s), using the database", type(exc).__name__)
            es.mark_down()
    return {"engine": "database", "label": LABELS["database"], **db_fn(*args, **kwargs)}


def _contributions(consultation_id):
    return SearchDocument.objects.filter(doc_type="contribution", consultation_id=consultation_id)


# --- significant terms -------------------------------------------------------------------------------------


def _es_significant(consultation_id, section_id, size):
    from elasticsearch_dsl import A, Q, Search

    from search import es

    background = Q("term", doc_type="contribution") & Q("term", consultation_id=consultation_id)
    s = Search(using=es.client(), index=conf.alias_name()).extra(size=0)
    s = s.query(background & Q("term", section_id=section_id))
    s.aggs.bucket("sample", A("sampler", shard_size=2000)).bucket(
        "terms",
        A(
            "significant_text",
            field="body",
            size=size,
            min_doc_count=2,
            filter_duplicate_text=True,
            background_filter=background.to_dict(),
        ),
    )
    response = s.execute()
    terms = [
        {"term": b.key, "score": round(b.score, 3), "doc_count": b.doc_count, "bg_count": b.bg_count}
        for b in response.aggregations.sample.terms.buckets
    ]
    return {"terms": terms}


def _db_significant(consultation_id, section_id, size):
    docs = list(_contributions(consultation_id).values_list("section_id", "search_text"))
    total, in_section = len(docs), sum(1 for s, _ in docs if s == section_id)
    df_all, df_section = collections.Counter(), collections.Counter()
    for sid, text in docs:
        stems = {t for t in text.split() if len(t) > 2 and t not in STOPWORDS}
        df_all.update(stems)
        if sid == section_id:
            df_section.update(stems)
    terms = []
    for term, n in df_section.items():
        if n < 2 and in_section > 3:
            continue
        # Relative frequency in the section over relative frequency in the consultation (smoothed).
        score = (n / max(in_section, 1)) / ((df_all[term] + 1) / (total + 1)) * math.log1p(n)
        terms.append({"term": term, "score": round(score, 3), "doc_count": n, "bg_count": df_all[term]})
    terms.sort(key=lambda t: (-t["score"], t["term"]))
    return {"terms": terms[:size]}


def significant_terms(consultation, section, size: int = 10) -> dict:
    """What this section's published contributions talk about, compared with the whole consultation."""
    consultation_id = getattr(consultation, "pk", consultation)
    section_id = getattr(section, "pk", section)
    return _with_fallback(_es_significant, _db_significant, consultation_id, section_id, size)


# --- time and stance ---------------------------------------------------------------------------------------


def _es_histogram(consultation_id):
    from elasticsearch_dsl import A, Q, Search

    from search import es

    s = (
        Search(using=es.client(), index=conf.alias_name())
        .extra(size=0)
        .query(Q("term", doc_type="contribution") & Q("term", consultation_id=consultation_id))
    )
    s.aggs.bucket(
        "days",
        A(
            "date_histogram",
            field="date",
            calendar_interval="day",
            min_doc_count=1,
            time_zone="Europe/Paris",
            format="yyyy-MM-dd",
        ),
    )
    response = s.execute()
    return {"buckets": [{"date": b.key_as_string, "count": b.doc_count} for b in response.aggregations.days.buckets]}


def _db_histogram(consultation_id):
    from django.utils import timezone

    rows = (
        _contributions(consultation_id)
        .annotate(day=TruncDate("date", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    return {"buckets": [{"date": r["day"].isoformat(), "count": r["n"]} for r in rows if r["day"]]}


def contributions_over_time(consultation) -> dict:
    return _with_fallback(_es_histogram, _db_histogram, getattr(consultation, "pk", consultation))


def _es_stances(consultation_id):
    from elasticsearch_dsl import A, Q, Search

    from search import es

    s = (
        Search(using=es.client(), index=conf.alias_name())
        .extra(size=0)
        .query(Q("term", doc_type="contribution") & Q("term", consultation_id=consultation_id))
    )
    s.aggs.bucket("sections", A("terms", field="section_id", size=200)).bucket(
        "stances", A("terms", field="stance", size=5, missing="aucune")
    )
    response = s.execute()
    return {
        "sections": {
            int(b.key): {s.key: s.doc_count for s in b.stances.buckets} for b in response.aggregations.sections.buckets
        }
    }


def _db_stances(consultation_id):
    result = collections.defaultdict(dict)
    for sid, stance, n in (
        _contributions(consultation_id).order_by().values_list("section_id", "stance").annotate(n=Count("pk"))
    ):
        result[sid][stance or "aucune"] = n
    return {"sections": dict(result)}


def stance_by_section(consultation) -> dict:
    return _with_fallback(_es_stances, _db_stances, getattr(consultation, "pk", consultation))


# --- similar contributions ---------------------------------------------------------------------------------


def _es_similar(key, consultation_id, n):
    from elasticsearch_dsl import Q, Search

    from search import es

    mlt = Q(
        "more_like_this",
        fields=["body"],
        like=[{"_index": conf.alias_name(), "_id": key}],
        min_term_freq=1,
        min_doc_freq=1,
        max_query_terms=25,
        minimum_should_match="30%",
    )
    s = (
        Search(using=es.client(), index=conf.alias_name())
        .query(Q("bool", must=[mlt], filter=[Q("term", doc_type="contribution")]))
        .source(["object_id", "title", "url", "body", "consultation_id"])
    )[:n]
    items = [
        {
            "key": h.meta.id,
            "object_id": h.object_id,
            "title": h.title,
            "url": h.url,
            "excerpt": (h.body or "")[:240],
            "score": round(h.meta.score, 2),
        }
        for h in s.execute().hits
    ]
    return {"items": items}


def _db_similar(key, consultation_id, n):
    source = SearchDocument.objects.filter(key=key).values_list("search_text", flat=True).first()
    if not source:
        return {"items": []}
    wanted = {t for t in source.split() if len(t) > 3 and t not in STOPWORDS}
    candidates = SearchDocument.objects.filter(doc_type="contribution").exclude(key=key)
    if consultation_id:
        candidates = candidates.filter(consultation_id=consultation_id)
    scored = []
    for doc in candidates.only("key", "object_id", "title", "url", "body", "search_text")[:5000]:
        shared = wanted & set(doc.search_text.split())
        if len(shared) >= max(2, len(wanted) // 5):
            score = len(shared) / math.sqrt(len(wanted) * max(len(set(doc.search_text.split())), 1))
            scored.append((score, doc))
    scored.sort(key=lambda item: -item[0])
    return {
        "items": [
            {
                "key": d.key,
                "object_id": d.object_id,
                "title": d.title,
                "url": d.url,
                "excerpt": d.body[:240],
                "score": round(s, 2),
            }
            for s, d in scored[:n]
        ]
    }


def similar_contributions(contribution, n: int = 5) -> dict:
    """Published contributions that say something close to `contribution` (any consultation on Elasticsearch;
    the same consultation on the database engine). Returns {"engine", "label", "items": [...]}"""
    key = f"contribution-{contribution.pk}"
    return _with_fallback(_es_similar, _db_similar, key, contribution.consultation_id, n)


def term_frequencies(text: str) -> collections.Counter:
    """Stems of a text (helper for callers that want the same normalisation as the database engine)."""
    return collections.Counter(tokens(text))
