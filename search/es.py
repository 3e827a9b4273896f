"""Elasticsearch engine: the index definition (elasticsearch-dsl), alias management, writes and queries.

Every read and write goes through the alias `<SEARCH_INDEX_PREFIX>_content`; concrete indices are named
`<alias>_<timestamp>` so that `search_rebuild` can fill a new one and swap the alias atomically.
"""

import threading
import time

from django.utils import timezone
from elasticsearch import Elasticsearch, helpers
from elasticsearch_dsl import (
    A,
    Date,
    Document,
    Index,
    Keyword,
    Long,
    Q,
    Search,
    Text,
    analyzer,
    token_filter,
)

from search import settings as conf
from search.text import synonym_rules

# --- analysis ----------------------------------------------------------------------------------------------

fr_elision = token_filter(
    "fr_elision",
    type="elision",
    articles_case=True,
    articles=["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"],
)
fr_stop = token_filter("fr_stop", type="stop", stopwords="_french_")
fr_stemmer = token_filter("fr_stemmer", type="stemmer", language="light_french")
autocomplete_ngram = token_filter("autocomplete_ngram", type="edge_ngram", min_gram=1, max_gram=20)


def fr_synonyms():
    # Synonyms sit before stop words (a stop filter first would break multi-word rules such as "maison de
    # retraite") and are applied at query time only (synonym_graph handles multi-word rules correctly there).
    return token_filter("fr_synonyms", type="synonym_graph", synonyms=list(synonym_rules()), lenient=True)


fr_index = analyzer(
    "fr_index", tokenizer="standard", filter=[fr_elision, "lowercase", "asciifolding", fr_stop, fr_stemmer]
)


def fr_search():
    return analyzer(
        "fr_search",
        tokenizer="standard",
        filter=[fr_elision, "lowercase", "asciifolding", fr_synonyms(), fr_stop, fr_stemmer],
    )


autocomplete_index = analyzer(
    "autocomplete_index", tokenizer="standard", filter=[fr_elision, "lowercase", "asciifolding", autocomplete_ngram]
)
autocomplete_search = analyzer(
    "autocomplete_search", tokenizer="standard", filter=[fr_elision, "lowercase", "asciifolding"]
)
# Unstemmed, accents kept: what "Vouliez-vous dire" proposes must be real words.
spell_analyzer = analyzer("spell", tokenizer="standard", filter=[fr_elision, "lowercase"])


def _text_field(**kwargs):
    return Text(analyzer=fr_index, search_analyzer=fr_search(), **kwargs)


class ContentDocument(Document):
    doc_type = Keyword()
    object_id = Long()
    title = _text_field(
        copy_to=["all", "spell"],
        fields={
            "autocomplete": Text(analyzer=autocomplete_index, search_analyzer=autocomplete_search),
            "raw": Keyword(),
        },
    )
    body = _text_field(copy_to=["all", "spell"])
    all = _text_field()
    spell = Text(analyzer=spell_analyzer)
    url = Keyword(index=False)
    date = Date()
    opens_at = Date()
    closes_at = Date()
    themes = Keyword()
    theme_names = Keyword(index=False)
    region = Keyword()
    consultation_id = Long()
    section_id = Long()
    stance = Keyword()


def index_definition(name: str) -> Index:
    index = Index(name)
    index.settings(number_of_shards=conf.shards(), number_of_replicas=conf.replicas())
    index.document(ContentDocument)
    return index


# --- client and health -------------------------------------------------------------------------------------

_clients: dict = {}
_down_until: dict = {}
_lock = threading.Lock()


class Unavailable(Exception):
    """Elasticsearch is not configured, down, or too slow; callers fall back to the database engine."""


def client(timeout: float | None = None) -> Elasticsearch:
    url = conf.es_url()
    if not url:
        raise Unavailable("ELASTICSEARCH_URL is not set")
    key = (url, timeout or conf.timeout())
    with _lock:
        if key not in _clients:
            _clients[key] = Elasticsearch(url, request_timeout=key[1], max_retries=0, retry_on_timeout=False)
        return _clients[key]


def is_marked_down() -> bool:
    return _down_until.get(conf.es_url(), 0) > time.monotonic()


def mark_down():
    _down_until[conf.es_url()] = time.monotonic() + conf.CIRCUIT_SECONDS


def mark_up():
    _down_until.pop(conf.es_url(), None)


def reset_state():
    """Forget cached clients and the circuit breaker (tests switch URLs and prefixes)."""
    with _lock:
        _clients.clear()
    _down_until.clear()


# --- index lifecycle ---------------------------------------------------------------------------------------


def new_index_name() -> str:
    return f"{conf.alias_name()}_{timezone.now().strftime('%Y%m%d%H%M%S%f')}"


def create_index(name: str, es=None):
    es = es or client()
    index_definition(name).create(using=es)
    return name


def current_indices(es=None) -> list[str]:
    es = es or client()
    alias = conf.alias_name()
    if not es.indices.exists_alias(name=alias):
        return []
    return sorted(es.indices.get_alias(name=alias).keys())


def ensure_index(es=None) -> str:
    """Make sure the alias points at an index (created empty the first time)."""
    es = es or client()
    existing = current_indices(es)
    if existing:
        return existing[0]
    name = create_index(new_index_name(), es)
    es.indices.update_aliases(actions=[{"add": {"index": name, "alias": conf.alias_name()}}])
    return name


def swap_alias(new_name: str, es=None) -> list[str]:
    """Point the alias at `new_name` in one atomic request; return the indices it left."""
    es = es or client()
    old = current_indices(es)
    actions = [{"remove": {"index": name, "alias": conf.alias_name()}} for name in old]
    actions.append({"add": {"index": new_name, "alias": conf.alias_name()}})
    es.indices.update_aliases(actions=actions)
    return old


def drop_all(es=None):
    """Delete every index of this prefix (tests' cleanup)."""
    es = es or client()
    es.indices.delete(index=f"{conf.alias_name()}_*", ignore_unavailable=True, allow_no_indices=True)


# --- writes ------------------------------------------------------------------------------------------------


def to_source(doc: dict) -> dict:
    def iso(value):
        return value.isoformat() if value else None

    return {
        "doc_type": doc["doc_type"],
        "object_id": doc["object_id"],
        "title": doc["title"],
        "body": doc["body"],
        "url": doc["url"],
        "date": iso(doc["date"]),
        "opens_at": iso(doc["opens_at"]),
        "closes_at": iso(doc["closes_at"]),
        "themes": [t["slug"] for t in doc["themes"]],
        "theme_names": [t["name"] for t in doc["themes"]],
        "region": doc["region"] or None,
        "consultation_id": doc["consultation_id"],
        "section_id": doc["section_id"],
        "stance": doc["stance"] or None,
    }


def actions_for(docs, index: str):
    for doc in docs:
        yield {"_op_type": "index", "_index": index, "_id": doc["key"], "_source": to_source(doc)}


def write(upserts: list[dict], deletes: list[str], refresh=None):
    """Apply a batch to the live alias. Raises on any failure (the caller keeps the pending rows)."""
    es = client()
    ensure_index(es)
    actions = list(actions_for(upserts, conf.alias_name()))
    actions += [{"_op_type": "delete", "_index": conf.alias_name(), "_id": key} for key in deletes]
    if not actions:
        return
    refresh = True if deletes else (conf.refresh_policy() if refresh is None else refresh)
    _, errors = helpers.bulk(es, actions, raise_on_error=False, refresh=refresh)
    real = [e for e in errors if not (e.get("delete", {}).get("status") == 404)]
    if real:
        raise RuntimeError(f"bulk errors: {real[:3]}")


def bulk_load(index: str, docs, es=None, chunk_size=1000, progress=None):
    """Stream documents into a (new) index; `progress(n)` is called after each chunk."""
    es = es or client(timeout=max(60, conf.timeout()))
    done = 0
    for _ok, _item in helpers.streaming_bulk(es, actions_for(docs, index), chunk_size=chunk_size, raise_on_error=True):
        done += 1
        if progress and done % chunk_size == 0:
            progress(done)
    if progress:
        progress(done)
    return done


# While a new index is filled (nobody reads it yet): no refresh, translog fsynced in the background rather than
# at each bulk request. `loaded()` puts the defaults back, refreshes, and merges the index down to one segment
# (a static index searched through one segment answers faster than through the dozens a bulk load leaves).
BULK_SETTINGS = {"refresh_interval": "-1", "translog.durability": "async", "translog.flush_threshold_size": "1gb"}
MERGE_MIN_DOCS = 50_000  # below this a merge gains nothing measurable and only delays the swap


def loading(name: str, es) -> None:
    es.indices.put_settings(index=name, settings={"index": BULK_SETTINGS})


def loaded(name: str, es, merge: bool = True) -> None:
    es.indices.put_settings(index=name, settings={"index": {key: None for key in BULK_SETTINGS}})
    es.indices.refresh(index=name)
    if merge:
        es.options(request_timeout=3600).indices.forcemerge(index=name, max_num_segments=1)


def rebuild(docs, progress=None, es=None) -> tuple[str, int]:
    """Fill a brand-new index, then swap the alias in one atomic request and drop the old index.

    Readers use the alias throughout: they see the old index until the swap, the new one after it.
    """
    es = es or client(timeout=max(120, conf.timeout()))
    name = create_index(new_index_name(), es)
    try:
        loading(name, es)
        n = bulk_load(name, docs, es=es, progress=progress)
        loaded(name, es, merge=n >= MERGE_MIN_DOCS)
        old = swap_alias(name, es)
    except Exception:
        es.indices.delete(index=name, ignore_unavailable=True)
        raise
    for index in old:
        es.indices.delete(index=index, ignore_unavailable=True)
    return name, n


def counts_by_type(es=None) -> dict[str, int]:
    es = es or client()
    s = Search(using=es, index=conf.alias_name()).extra(size=0, track_total_hits=True)
    s.aggs.bucket("types", "terms", field="doc_type", size=50)
    response = s.execute()
    return {b.key: b.doc_count for b in response.aggregations.types.buckets}


# --- reads -------------------------------------------------------------------------------------------------

DATE_RANGES = {"mois": "now-30d/d", "an": "now-365d/d"}


def status_queries(now):
    return {
        "open": Q("range", opens_at={"lte": now}) & Q("range", closes_at={"gt": now}),
        "upcoming": Q("range", opens_at={"gt": now}),
        "closed": Q("range", closes_at={"lte": now}),
    }


def date_queries():
    return {
        "mois": Q("range", date={"gte": "now-30d/d"}),
        "an": Q("range", date={"gte": "now-365d/d"}),
        "ancien": Q("range", date={"lt": "now-365d/d"}),
    }


def text_query(q: str):
    return Q(
        "bool",
        must=[Q("match", all={"query": q, "operator": "and"})],
        should=[
            Q("match", title={"query": q, "boost": 3}),
            Q("match_phrase", title={"query": q, "boost": 2, "slop": 2}),
        ],
    )


def search(q: str, filters: dict, sort: str, offset: int, size: int, now) -> dict:
    """One request: hits + highlights + aggregations (facets) + phrase suggestion."""
    es = client()
    s = Search(using=es, index=conf.alias_name()).extra(track_total_hits=True)
    clauses = []
    if filters.get("type"):
        clauses.append(Q("term", doc_type=filters["type"]))
    if filters.get("theme"):
        clauses.append(Q("term", themes=filters["theme"]))
    if filters.get("region"):
        clauses.append(Q("term", region=filters["region"]))
    if filters.get("status"):
        clauses.append(status_queries(now)[filters["status"]])
    if filters.get("date"):
        clauses.append(date_queries()[filters["date"]])
    if filters.get("consultation"):
        clauses.append(Q("term", consultation_id=filters["consultation"]))
    s = s.query(Q("bool", must=[text_query(q) if q else Q("match_all")], filter=clauses))
    if sort == "date" or not q:
        s = s.sort({"date": {"order": "desc", "missing": "_last"}}, "_score")
    else:
        s = s.sort("_score", {"date": {"order": "desc", "missing": "_last"}})
    s = s.source(["doc_type", "object_id", "title", "url", "date"])
    if q:
        s = s.highlight_options(
            pre_tags=["<mark>"],
            post_tags=["</mark>"],
            encoder="html",
            require_field_match=False,
            fragment_size=200,
            number_of_fragments=1,
        )
        s = s.highlight("title", number_of_fragments=0).highlight("body", no_match_size=200)
    else:
        s = s.highlight_options(encoder="html").highlight("body", no_match_size=200, number_of_fragments=0)
    s.aggs.bucket("types", A("terms", field="doc_type", size=20))
    s.aggs.bucket("themes", A("terms", field="themes", size=20))
    s.aggs.bucket("regions", A("terms", field="region", size=30))
    s.aggs.bucket("status", A("filters", filters={k: v.to_dict() for k, v in status_queries(now).items()}))
    s.aggs.bucket("dates", A("filters", filters={k: v.to_dict() for k, v in date_queries().items()}))
    s = s[offset : offset + size]
    response = s.execute()
    hits = []
    for hit in response.hits:
        hl = getattr(hit.meta, "highlight", None)
        hits.append(
            {
                "key": hit.meta.id,
                "doc_type": hit.doc_type,
                "object_id": hit.object_id,
                "title": hit.title,
                "url": hit.url,
                "date": getattr(hit, "date", None),
                "title_html": hl.title[0] if hl is not None and "title" in hl else None,
                "excerpt_html": hl.body[0] if hl is not None and "body" in hl else "",
            }
        )
    aggs = response.aggregations
    # "Vouliez-vous dire": a second, cheap request, only when nothing matched.
    suggestion = did_you_mean(es, q) if q and response.hits.total.value == 0 else None
    return {
        "total": response.hits.total.value,
        "hits": hits,
        "facets": {
            "type": {b.key: b.doc_count for b in aggs.types.buckets},
            "theme": {b.key: b.doc_count for b in aggs.themes.buckets},
            "region": {b.key: b.doc_count for b in aggs.regions.buckets},
            "status": {k: b.doc_count for k, b in aggs.status.buckets.to_dict().items()},
            "date": {k: b.doc_count for k, b in aggs.dates.buckets.to_dict().items()},
        },
        "suggestion": suggestion,
    }


def did_you_mean(es, q: str) -> str | None:
    s = (
        Search(using=es, index=conf.alias_name())
        .extra(size=0)
        .suggest(
            "didyoumean",
            q,
            phrase={
                "field": "spell",
                "size": 1,
                "gram_size": 1,
                "confidence": 0.0,
                "max_errors": 2,
                "direct_generator": [{"field": "spell", "suggest_mode": "always", "min_word_length": 3}],
            },
        )
    )
    response = s.execute()
    options = response.suggest.didyoumean[0].options if "suggest" in response else []
    if options and options[0].text != q.lower():
        return options[0].text
    return None


def suggest(q: str, size: int) -> list[dict]:
    es = client()
    s = (
        Search(using=es, index=conf.alias_name())
        .query(
            Q(
                "bool",
                must=[Q("match", **{"title.autocomplete": {"query": q, "operator": "and"}})],
                must_not=[Q("term", doc_type="contribution")],
            )
        )
        .source(["doc_type", "title", "url"])
        .extra(track_total_hits=False)
    )[:size]
    return [{"title": h.title, "url": h.url, "doc_type": h.doc_type} for h in s.execute().hits]
