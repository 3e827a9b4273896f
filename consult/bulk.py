"""Fast fixtures for tests and benchmarks: many published contributions in a few bulk INSERTs."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from consult.models import Contribution, page_cache_scope
from consult.text import render_body
from core import pagecache


def bulk_threads(section, authors, total, threads=None, batch_size=2000):
    """Create `total` published contributions in `section`: `threads` roots (default 30 %) and replies spread
    over them (alternating level 1 and level 2). Returns the list of root ids."""
    threads = threads or max(1, total * 3 // 10)
    now = timezone.now()
    consultation_id = section.page_id
    body = "Une contribution de test, avec un lien https://example.org et deux paragraphes.\n\nSecond paragraphe."
    html = render_body(body)
    stances = [c for c, _ in Contribution.STANCE_CHOICES]
    roots = [
        Contribution(
            consultation_id=consultation_id,
            section=section,
            author=authors[i % len(authors)],
            body=body,
            body_html=html,
            stance=stances[i % 3],
            no_interests=True,
            votes_up=i % 17,
            votes_down=i % 5,
            created_at=now,
            receipt_number=None,
        )
        for i in range(threads)
    ]
    Contribution.objects.bulk_create(roots, batch_size=batch_size)
    root_ids = list(
        Contribution.objects.filter(section=section, parent__isnull=True, root__isnull=True).values_list(
            "id", flat=True
        )
    )
    Contribution.objects.filter(id__in=root_ids).update(root_id=F("id"))
    replies_left = total - threads
    level1 = []
    for i in range(replies_left // 2 + replies_left % 2):
        root_id = root_ids[i % len(root_ids)]
        level1.append(
            Contribution(
                consultation_id=consultation_id,
                section=section,
                parent_id=root_id,
                root_id=root_id,
                depth=1,
                author=authors[(i + 1) % len(authors)],
                body=body,
                body_html=html,
                created_at=now,
            )
        )
    Contribution.objects.bulk_create(level1, batch_size=batch_size)
    level1_rows = list(Contribution.objects.filter(section=section, depth=1).values_list("id", "root_id"))
    level2 = []
    for i in range(replies_left // 2):
        parent_id, root_id = level1_rows[i % len(level1_rows)]
        level2.append(
            Contribution(
                consultation_id=consultation_id,
                section=section,
                parent_id=parent_id,
                root_id=root_id,
                depth=2,
                author=authors[(i + 2) % len(authors)],
                body=body,
                body_html=html,
                created_at=now,
            )
        )
    Contribution.objects.bulk_create(level2, batch_size=batch_size)
    # Bulk rows write no events: make cached anonymous pages of this consultation stale (core/pagecache.py).
    transaction.on_commit(lambda: pagecache.bump(page_cache_scope(section.page_id)))
    return root_ids
