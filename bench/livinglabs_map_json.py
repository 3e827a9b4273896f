"""livinglabs_map_json: server-side time of the map GeoJSON for 5,000 published labs with one filter (PostgreSQL).

The 5,000 lab pages are created once in a dedicated database: Page rows with precomputed treebeard paths in
bulk, then the LivingLabPage rows and their themes in bulk (creating 5,000 pages through add_child + publish
would take many minutes). The timed request goes through the full Django stack (test client).
"""

import os
import random
import uuid

from bench.common import emit, log, start_services, summary, time_calls, use_database

N_LABS = int(os.environ.get("BENCH_LIVINGLABS_N", "5000"))
THEMES = [
    "vieillissement",
    "handicap",
    "maladies chroniques",
    "santé mentale",
    "e-santé",
    "prévention",
    "nutrition",
    "aidants",
    "télémédecine",
    "maintien à domicile",
    "diabète",
    "périnatalité",
    "dispositifs médicaux",
    "santé environnement",
    "activité physique",
    "parcours de soins",
]
# (department, region, lat, lon) spread across France incl. Corsica and overseas
PLACES = [
    ("69", "84", 45.76, 4.84),
    ("75", "11", 48.85, 2.35),
    ("13", "93", 43.30, 5.37),
    ("31", "76", 43.60, 1.44),
    ("33", "75", 44.84, -0.58),
    ("59", "32", 50.63, 3.06),
    ("67", "44", 48.57, 7.75),
    ("35", "53", 48.11, -1.68),
    ("44", "52", 47.22, -1.55),
    ("21", "27", 47.32, 5.04),
    ("45", "24", 47.90, 1.91),
    ("14", "28", 49.18, -0.37),
    ("2A", "94", 41.92, 8.74),
    ("974", "04", -20.88, 55.45),
    ("971", "01", 16.24, -61.53),
]
STRUCTURES = ["etablissement_sante", "universite", "association", "entreprise", "collectivite", "medico_social"]
SERVICES = ["co_conception", "tests_usage", "evaluation", "formation", "accompagnement", "prototypage"]
PUBLICS = ["patients", "personnes_agees", "handicap", "aidants", "professionnels", "grand_public"]


def populate(n: int):
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone
    from taggit.models import Tag
    from wagtail.models import Page

    from core.demo import home_page
    from livinglabs.models import LivingLabPage, LivingLabTag
    from livinglabs.services import ensure_index_page

    index = ensure_index_page(home_page())
    existing = LivingLabPage.objects.count()
    if existing >= n:
        log(f"livinglabs_map_json: {existing} labs already present")
        return
    rng = random.Random(42)
    content_type = ContentType.objects.get_for_model(LivingLabPage)
    now = timezone.now()
    tags = [Tag.objects.get_or_create(name=name, defaults={"slug": name.replace(" ", "-")})[0] for name in THEMES]
    start = index.numchild
    log(f"livinglabs_map_json: creating {n - existing} lab pages…")
    with transaction.atomic():
        for batch_start in range(existing, n, 500):
            batch = range(batch_start, min(n, batch_start + 500))
            pages = []
            for i in batch:
                slug = f"bench-lab-{i}"
                pages.append(
                    Page(
                        title=f"Living lab banc d'essai {i}",
                        draft_title=f"Living lab banc d'essai {i}",
                        slug=slug,
                        content_type=content_type,
                        path=LivingLabPage._get_path(index.path, index.depth + 1, start + i + 1),
                        depth=index.depth + 1,
                        numchild=0,
                        url_path=f"{index.url_path}{slug}/",
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=now,
                        last_published_at=now,
                        live_revision=None,
                        locale_id=index.locale_id,
                        translation_key=uuid.uuid4(),
                    )
                )
            Page.objects.bulk_create(pages)
            labs = []
            for page, i in zip(pages, batch, strict=True):
                dept, region, lat, lon = PLACES[i % len(PLACES)]
                lab = LivingLabPage(
                    page_ptr_id=page.pk,
                    description="Living lab généré pour le banc d'essai.",
                    structure_type=rng.choice(STRUCTURES),
                    postcode="69003",
                    commune=f"Commune {i % 300}",
                    department=dept,
                    region=region,
                    latitude=lat + rng.uniform(-0.5, 0.5),
                    longitude=lon + rng.uniform(-0.5, 0.5),
                    publics=rng.sample(PUBLICS, 2),
                    services=rng.sample(SERVICES, 2),
                    contact_email=f"lab{i}@bench.example",
                    status="actif",
                    last_verified=now.date(),
                )
                # Copy the parent fields so the raw insert of the child row is complete.
                for field in Page._meta.concrete_fields:
                    setattr(lab, field.attname, getattr(page, field.attname))
                labs.append(lab)
            fields = LivingLabPage._meta.local_concrete_fields
            LivingLabPage._base_manager._insert(labs, fields=fields, raw=True)
            LivingLabTag.objects.bulk_create(
                [LivingLabTag(content_object_id=page.pk, tag=tag) for page in pages for tag in rng.sample(tags, 2)]
            )
        Page.objects.filter(pk=index.pk).update(numchild=start + n - existing)
    log(f"livinglabs_map_json: {LivingLabPage.objects.count()} labs")


def main():
    start_services()
    use_database("agora_bench_livinglabs")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    populate(N_LABS)
    client = Client()
    from livinglabs.models import LivingLabPage

    labs = LivingLabPage.objects.published().count()
    cases = [
        ("service=tests_usage", "/labs/carte.json?service=tests_usage"),
        ("region=84", "/labs/carte.json?region=84"),
        ("theme=vieillissement", "/labs/carte.json?theme=vieillissement"),
        ("none", "/labs/carte.json"),
    ]
    for name, url in cases:

        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        durations = time_calls(get, 50, warmup=5)
        with CaptureQueriesContext(connection) as queries:
            response = get()
        features = len(response.json()["features"])
        log(f"livinglabs_map_json [{name}]: {features} features, {len(queries)} queries")
        extra = {"note": "no filter, informational (the target is for one filter)"} if name == "none" else {}
        emit(
            bench="livinglabs_map_json",
            labs=labs,
            filter=name,
            features=features,
            **summary(durations),
            queries=len(queries),
            bytes=len(response.content),
            **extra,
        )


if __name__ == "__main__":
    main()
