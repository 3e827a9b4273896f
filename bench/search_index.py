"""search_index: bulk-index synthetic French contributions straight into Elasticsearch (not through the ORM).

Same index definition as production (French analyzer, synonyms, edge n-grams, copy_to fields), refresh
disabled during the load, `helpers.parallel_bulk` with 2 threads. Size: BENCH_SEARCH_DOCS (default 1,000,000).
The index stays behind the alias `bench_search_content` for bench.search_query.
"""

import datetime
import os
import random
import time

from bench.common import emit, log, start_services

PREFIX = "bench_search"
WORDS = """hôpital hôpitaux urgences médecin médecins généraliste infirmière infirmières patient patients soins
santé prévention vaccination dépistage cancer diabète maladie maladies chronique chroniques handicap
autonomie vieillissement aidants aidant domicile hospitalisation consultation téléconsultation télémédecine
dossier médical partagé DMP ordonnance pharmacie pharmacien remboursement assurance mutuelle territoire
rural ruraux désert déserts médicaux accès délai délais rendez-vous attente parcours coordination
maternité pédiatrie psychiatrie psychologue santé mentale jeunes étudiants personnes âgées EHPAD
retraite établissement clinique centre maison pluriprofessionnelle numérique données confidentialité
information formation prévention nutrition sport addiction tabac alcool environnement pollution
qualité sécurité transport ambulance garde nuit week-end région agence régionale proximité équipe
""".split()
GLUE = "le la les de des du un une et à pour dans avec sur par plus il faut nous je que qui est sont".split()
THEMES = [
    ("numerique-en-sante", "Numérique en santé"),
    ("sante-mentale", "Santé mentale"),
    ("aidants", "Aidants"),
    ("prevention", "Prévention"),
    ("acces-aux-soins", "Accès aux soins"),
    ("grand-age", "Grand âge"),
    ("handicap", "Handicap"),
    ("environnement", "Santé-environnement"),
]
REGIONS = ["84", "27", "53", "24", "94", "44", "32", "11", "28", "75", "76", "52", "93", "01", "02", "03", "04", "06"]
STANCES = ["pour", "contre", "mitige", ""]


def sentence(rng, n):
    words = []
    for _ in range(n):
        words.append(rng.choice(GLUE) if rng.random() < 0.35 else rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def generate(n, seed=42, start_id=1):
    """Synthetic contribution documents, in the shape search.sources builds."""
    rng = random.Random(seed)
    # Bodies are drawn from a pool of generated sentences (generation must not be the bottleneck).
    pool = [sentence(rng, rng.randint(8, 20)) for _ in range(20_000)]
    titles = [f"Contribution sur « {rng.choice(WORDS)} {rng.choice(WORDS)} »" for _ in range(2_000)]
    base = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    consultations = {}
    for c in range(1, 51):
        opens = base + datetime.timedelta(days=c * 12)
        theme = THEMES[c % len(THEMES)]
        consultations[c] = (opens, opens + datetime.timedelta(days=60), [{"slug": theme[0], "name": theme[1]}])
    minutes = [datetime.timedelta(minutes=m) for m in range(0, 60 * 24 * 60, 7)]
    randint, choice, choices = rng.randint, rng.choice, rng.choices
    for i in range(start_id, start_id + n):
        consultation = randint(1, 50)
        opens, closes, themes = consultations[consultation]
        yield {
            "key": f"contribution-{i}",
            "doc_type": "contribution",
            "object_id": i,
            "title": choice(titles),
            "body": " ".join(choices(pool, k=randint(2, 4))),
            "url": f"/participation/{consultation}/section/s{i % 5}/#contribution-{i}",
            "date": opens + choice(minutes),
            "themes": themes,
            "region": choice(REGIONS),
            "opens_at": opens,
            "closes_at": closes,
            "consultation_id": consultation,
            "section_id": consultation * 10 + i % 5,
            "stance": choice(STANCES),
        }


def setup_django():
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    os.environ["SEARCH_INDEX_PREFIX"] = PREFIX
    import django

    django.setup()


def build_index(n):
    """(re)create the bench index with n documents; returns (seconds, count)."""
    from elasticsearch import helpers

    from search import es

    client = es.client(timeout=120)
    name = es.create_index(es.new_index_name(), client)
    es.loading(name, client)
    started = time.perf_counter()
    done = 0
    for ok, info in helpers.parallel_bulk(
        client, es.actions_for(generate(n), name), thread_count=2, chunk_size=2000, queue_size=4
    ):
        if not ok:
            raise RuntimeError(info)
        done += 1
        if done % 100_000 == 0:
            log(f"search_index: {done} documents, {done / (time.perf_counter() - started):,.0f}/s")
    es.loaded(name, client, merge=False)
    seconds = time.perf_counter() - started
    # As search_rebuild does before the swap (search/es.py loaded()); timed apart from the load.
    merge_started = time.perf_counter()
    client.options(request_timeout=3600).indices.forcemerge(index=name, max_num_segments=1)
    merge_seconds = time.perf_counter() - merge_started
    old = es.swap_alias(name, client)
    for index in old:
        client.indices.delete(index=index, ignore_unavailable=True)
    count = client.count(index=name)["count"]
    return seconds, count, merge_seconds


def main():
    start_services()
    setup_django()
    n = int(os.environ.get("BENCH_SEARCH_DOCS", "1000000"))
    seconds, count, merge_seconds = build_index(n)
    emit(
        bench="search_index",
        engine="elasticsearch",
        documents=count,
        seconds=round(seconds, 1),
        docs_per_s=round(count / seconds),
        force_merge_seconds=round(merge_seconds, 1),
    )


if __name__ == "__main__":
    main()
