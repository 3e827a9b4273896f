"""search_query: 200 mixed queries (1-3 words, with 2 facets) — the full results-page query (hits, highlights,
facet aggregations, suggestion) — on Elasticsearch (the bench_search index, BENCH_SEARCH_DOCS documents, built
by bench.search_index when missing) and on the database engine (PostgreSQL, BENCH_SEARCH_DB_DOCS documents,
default 100,000, in the agora_bench_search database). BENCH_SEARCH_ENGINES (default "elasticsearch,database")
runs one engine only, e.g. `BENCH_SEARCH_ENGINES=database make bench ONLY=search_query`."""

import os
import random

from django.utils import timezone

from bench.common import emit, log, start_services, summary, time_calls
from bench.search_index import PREFIX, REGIONS, THEMES, WORDS, generate

FACET_PAIRS = [("theme", "region"), ("type", "status"), ("region", "date"), ("theme", "status"), ("type", "date")]


def queries(n=200, seed=7):
    rng = random.Random(seed)
    values = {
        "theme": [t[0] for t in THEMES],
        "region": REGIONS,
        "type": ["contribution"],
        "status": ["open", "closed", "upcoming"],
        "date": ["mois", "an", "ancien"],
    }
    out = []
    for _ in range(n):
        q = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
        pair = rng.choice(FACET_PAIRS)
        out.append((q, {name: rng.choice(values[name]) for name in pair}))
    return out


def run(engine_search, label, documents):
    plan = queries()
    it = iter(plan * 2)
    now = timezone.now()

    def one():
        q, filters = next(it)
        engine_search(q, filters, "relevance", 0, 10, now)

    durations = time_calls(one, 200, warmup=20)
    emit(bench="search_query", engine=label, documents=documents, **summary(durations))


def fill_database(n):
    from search.indexing import write_db
    from search.models import SearchDocument

    if SearchDocument.objects.count() == n:
        return
    log(f"search_query: filling the database engine with {n} documents")
    SearchDocument.objects.all().delete()
    batch = []
    for doc in generate(n, seed=99):
        batch.append(doc)
        if len(batch) == 5000:
            write_db(batch, [])
            batch = []
    if batch:
        write_db(batch, [])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE agora_search_searchdocument")
        cursor.execute("ANALYZE agora_search_documenttheme")


def main():
    start_services()
    os.environ["SEARCH_INDEX_PREFIX"] = PREFIX
    from bench.common import use_database

    use_database("agora_bench_search")
    from search import db_engine, es

    engines = os.environ.get("BENCH_SEARCH_ENGINES", "elasticsearch,database").split(",")
    if "elasticsearch" in engines:
        es_docs = int(os.environ.get("BENCH_SEARCH_DOCS", "1000000"))
        client = es.client(timeout=120)
        count = client.count(index=es.conf.alias_name())["count"] if es.current_indices(client) else 0
        if count != es_docs:
            from bench.search_index import build_index

            log(f"search_query: building the Elasticsearch bench index ({es_docs} documents)")
            build_index(es_docs)
            count = client.count(index=es.conf.alias_name())["count"]
        run(es.search, "elasticsearch", count)

    if "database" in engines:
        db_docs = int(os.environ.get("BENCH_SEARCH_DB_DOCS", "100000"))
        fill_database(db_docs)
        run(db_engine.search, "database", db_docs)


if __name__ == "__main__":
    main()
