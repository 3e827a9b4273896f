"""Smoke test of the local Elasticsearch node (scripts/elasticsearch/start.sh).

    .venv/bin/python scripts/elasticsearch/verify.py [--url http://127.0.0.1:9200] [--bulk 10000]

Checks what the project relies on: French analysis chain (elision, lowercase, asciifolding,
inline synonyms, French stemmer), edge n-grams, completion suggester, terms and
significant_terms aggregations, more_like_this, alias swap, bulk throughput, elasticsearch-dsl,
and Wagtail's Elasticsearch 8 backend. Uses throw-away indices prefixed "agora_verify_" and
deletes them at the end. Exit status 0 when every check passes.
"""

import argparse
import os
import sys
import time

from elasticsearch import Elasticsearch, helpers

PREFIX = "agora_verify_"
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}  {name}{'  ' + detail if detail else ''}")


FRENCH_SETTINGS = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "analysis": {
        "filter": {
            "french_elision": {
                "type": "elision",
                "articles_case": True,
                "articles": ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"],
            },
            "french_stop": {"type": "stop", "stopwords": "_french_"},
            "french_synonym": {
                "type": "synonym",
                "synonyms": ["hopital, clinique, chu", "medecin, docteur", "ehpad => maison de retraite"],
            },
            "french_synonym_graph": {
                "type": "synonym_graph",
                "synonyms": ["hopital, clinique, chu", "medecin, docteur", "ehpad => maison de retraite"],
            },
            "french_stemmer": {"type": "stemmer", "language": "light_french"},
            "autocomplete_edge": {"type": "edge_ngram", "min_gram": 2, "max_gram": 15},
        },
        "analyzer": {
            "french_custom": {
                "tokenizer": "standard",
                "filter": [
                    "french_elision",
                    "lowercase",
                    "asciifolding",
                    "french_synonym",
                    "french_stop",
                    "french_stemmer",
                ],
            },
            "french_search": {
                "tokenizer": "standard",
                "filter": [
                    "french_elision",
                    "lowercase",
                    "asciifolding",
                    "french_synonym_graph",
                    "french_stop",
                    "french_stemmer",
                ],
            },
            "french_autocomplete": {
                "tokenizer": "standard",
                "filter": ["french_elision", "lowercase", "asciifolding", "autocomplete_edge"],
            },
            "french_folded": {"tokenizer": "standard", "filter": ["french_elision", "lowercase", "asciifolding"]},
        },
        "normalizer": {"folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
    },
}

MAPPINGS = {
    "properties": {
        "title": {
            "type": "text",
            "analyzer": "french_custom",
            "fields": {
                "autocomplete": {"type": "text", "analyzer": "french_autocomplete", "search_analyzer": "french_folded"},
                "sort": {"type": "keyword", "normalizer": "folded"},
            },
        },
        "body": {"type": "text", "analyzer": "french_custom", "search_analyzer": "french_search"},
        "stock": {"type": "text", "analyzer": "french"},
        "tags": {"type": "keyword"},
        "suggest": {"type": "completion", "analyzer": "french_folded"},
    }
}

DOCS = [
    {
        "title": "Les hôpitaux de Paris",
        "body": "Urgences et services hospitaliers de l'Assistance publique",
        "tags": ["sante", "paris"],
    },
    {
        "title": "Clinique des Lilas",
        "body": "Une clinique privée pour la chirurgie ambulatoire",
        "tags": ["sante", "prive"],
    },
    {
        "title": "Trouver un médecin traitant",
        "body": "Le docteur de famille suit le parcours de soins",
        "tags": ["sante", "medecin"],
    },
    {"title": "L'EHPAD du quartier", "body": "Accueil des personnes âgées dépendantes", "tags": ["senior", "sante"]},
    {"title": "Marché de Noël", "body": "Artisanat, vin chaud et pain d'épices", "tags": ["fete", "paris"]},
    {"title": "Bibliothèque municipale", "body": "Prêt de livres et ateliers numériques", "tags": ["culture"]},
]


def ids(resp):
    return sorted(h["_id"] for h in resp["hits"]["hits"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('ELASTICSEARCH_PORT', '9200')}")
    ap.add_argument("--bulk", type=int, default=10000)
    args = ap.parse_args()

    es = Elasticsearch(args.url, request_timeout=60)
    info = es.info()
    check(
        "client connects (product check)",
        True,
        f"Elasticsearch {info['version']['number']}, "
        f"Lucene {info['version']['lucene_version']}, client {__import__('elasticsearch').__versionstr__}",
    )

    es.indices.delete(index=f"{PREFIX}*", ignore_unavailable=True, allow_no_indices=True)

    v1 = PREFIX + "v1"
    es.indices.create(index=v1, settings=FRENCH_SETTINGS, mappings=MAPPINGS)
    check("create index with French analysis chain", True)

    toks = [
        t["token"]
        for t in es.indices.analyze(index=v1, analyzer="french_custom", text="L'Hôpital des hôpitaux")["tokens"]
    ]
    check("analyze l'Hôpital des hôpitaux", "hopital" in toks and "l" not in toks and "des" not in toks, str(toks))

    ops = []
    for i, d in enumerate(DOCS):
        d = dict(d, stock=d["title"], suggest={"input": [d["title"]]})
        ops.append({"_index": v1, "_id": str(i), "_source": d})
    helpers.bulk(es, ops, refresh="wait_for")

    r = es.search(index=v1, query={"match": {"title": "l'hôpital"}})
    check("match l'hôpital finds 'Les hôpitaux' (elision+folding+stemming)", "0" in ids(r), str(ids(r)))
    check("synonyms: l'hôpital also finds 'Clinique'", "1" in ids(r), str(ids(r)))
    r = es.search(index=v1, query={"match": {"body": "médecins"}})
    check("synonym_graph (search time): médecins finds 'docteur'", "2" in ids(r), str(ids(r)))
    r = es.search(index=v1, query={"match": {"title": "ehpad"}})
    check("one-way synonym ehpad => maison de retraite", "3" in ids(r), str(ids(r)))
    r = es.search(index=v1, query={"match": {"stock": "HOPITAL"}})
    check("built-in 'french' analyzer", ids(r) == ["0"], str(ids(r)))
    r = es.search(index=v1, query={"match": {"title.autocomplete": "Bibli"}})
    check("edge_ngram autocomplete 'Bibli'", ids(r) == ["5"], str(ids(r)))
    r = es.search(index=v1, sort=[{"title.sort": "asc"}], size=10)
    check("keyword normalizer sort", [h["sort"][0] for h in r["hits"]["hits"]][0] == "bibliotheque municipale")
    r = es.search(index=v1, suggest={"s": {"prefix": "cli", "completion": {"field": "suggest"}}})
    opts = [o["text"] for o in r["suggest"]["s"][0]["options"]]
    check("completion suggester", opts == ["Clinique des Lilas"], str(opts))

    r = es.search(index=v1, size=0, aggs={"tags": {"terms": {"field": "tags"}}})
    buckets = {b["key"]: b["doc_count"] for b in r["aggregations"]["tags"]["buckets"]}
    check("terms aggregation", buckets.get("sante") == 4, str(buckets))
    r = es.search(
        index=v1,
        size=0,
        query={"match": {"title": "paris"}},
        aggs={"sig": {"significant_terms": {"field": "tags", "min_doc_count": 1}}},
    )
    sig = [b["key"] for b in r["aggregations"]["sig"]["buckets"]]
    check("significant_terms aggregation", "paris" in sig, str(sig))
    r = es.search(
        index=v1,
        query={
            "more_like_this": {
                "fields": ["title", "body"],
                "like": [{"_index": v1, "_id": "1"}],
                "min_term_freq": 1,
                "min_doc_freq": 1,
                "minimum_should_match": 1,
            }
        },
    )
    check("more_like_this (like doc 'Clinique' finds 'hôpitaux')", "0" in ids(r) and "1" not in ids(r), str(ids(r)))

    # alias swap, as Wagtail's rebuilder does it
    v2 = PREFIX + "v2"
    alias = PREFIX + "current"
    es.indices.put_alias(index=v1, name=alias)
    es.indices.create(index=v2, settings=FRENCH_SETTINGS, mappings=MAPPINGS)
    es.index(index=v2, id="x", document={"title": "Nouvelle version"}, refresh="wait_for")
    es.indices.update_aliases(
        actions=[{"remove": {"index": v1, "alias": alias}}, {"add": {"index": v2, "alias": alias}}]
    )
    r = es.search(index=alias, query={"match_all": {}})
    check("atomic alias swap", ids(r) == ["x"] and list(es.indices.get_alias(name=alias).keys()) == [v2])

    # bulk throughput
    bulk_index = PREFIX + "bulk"
    es.indices.create(index=bulk_index, settings=FRENCH_SETTINGS, mappings=MAPPINGS)
    words = "santé hôpital clinique médecin pharmacie urgence vaccin mairie école crèche bibliothèque piscine".split()

    def gen():
        for i in range(args.bulk):
            yield {
                "_index": bulk_index,
                "_id": str(i),
                "_source": {
                    "title": f"{words[i % len(words)]} {words[(i * 7) % len(words)]} numéro {i}",
                    "body": " ".join(words[(i + k) % len(words)] for k in range(8)),
                    "tags": [words[i % 5]],
                },
            }

    t0 = time.perf_counter()
    ok, errors = helpers.bulk(es, gen(), chunk_size=1000, stats_only=True)
    es.indices.refresh(index=bulk_index)
    dt = time.perf_counter() - t0
    n = es.count(index=bulk_index)["count"]
    check(
        f"bulk {args.bulk} docs",
        ok == args.bulk and errors == 0 and n == args.bulk,
        f"{n} indexed in {dt:.2f}s = {args.bulk / dt:,.0f} docs/s (incl. refresh)",
    )

    # elasticsearch-dsl
    try:
        from importlib.metadata import version

        from elasticsearch_dsl import Search

        s = Search(using=es, index=v1).query("match", title="hôpital")
        s.aggs.bucket("tags", "terms", field="tags")
        resp = s.execute()
        check(
            "elasticsearch-dsl Search",
            resp.hits.total.value >= 2 and len(resp.aggregations.tags.buckets) > 0,
            f"elasticsearch-dsl {version('elasticsearch-dsl')}",
        )
    except ImportError as e:
        print(f"SKIP  elasticsearch-dsl not installed ({e})")

    # not available on this node (documented): painless scripts, reindex module, search_as_you_type
    for label, fn in [
        (
            "script_score (lang-painless)",
            lambda: es.search(
                index=v1, query={"script_score": {"query": {"match_all": {}}, "script": {"source": "1"}}}
            ),
        ),
        ("_delete_by_query (reindex module)", lambda: es.delete_by_query(index=v1, query={"match_all": {}})),
        (
            "search_as_you_type (mapper-extras)",
            lambda: es.indices.create(
                index=PREFIX + "sayt", mappings={"properties": {"t": {"type": "search_as_you_type"}}}
            ),
        ),
    ]:
        try:
            fn()
            print(f"INFO  {label}: available")
        except Exception as e:  # noqa: BLE001
            print(f"INFO  {label}: not available ({type(e).__name__})")

    es.indices.delete(index=f"{PREFIX}*", ignore_unavailable=True, allow_no_indices=True)

    # Wagtail / modelsearch backend
    try:
        import django
        from django.conf import settings

        if not settings.configured:
            settings.configure(INSTALLED_APPS=[], USE_TZ=True)
            django.setup()
        from wagtail.search.backends.elasticsearch8 import Elasticsearch8SearchBackend

        backend = Elasticsearch8SearchBackend({"URLS": [args.url], "INDEX": PREFIX + "wagtail", "TIMEOUT": 10})
        binfo = backend.es.info()
        check(
            "wagtail.search.backends.elasticsearch8 connects",
            binfo["version"]["number"] == info["version"]["number"],
            f"{type(backend).__module__}.{type(backend).__name__}",
        )
        # Wagtail's default index settings use analysis-common components (ngram, edge_ngram, asciifolding)
        backend.es.indices.create(index=PREFIX + "wagtail", **backend.settings)
        backend.es.indices.delete(index=PREFIX + "wagtail")
        check("Wagtail default INDEX_SETTINGS accepted", True)
    except ImportError as e:
        print(f"SKIP  wagtail not importable ({e})")

    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
