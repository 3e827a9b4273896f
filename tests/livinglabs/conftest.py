import datetime
import itertools

import pytest
from django.utils import timezone

from livinglabs.models import LivingLabPage
from livinglabs.services import ensure_index_page

_counter = itertools.count(1)


@pytest.fixture
def lab_index(home_page):
    return ensure_index_page(home_page)


@pytest.fixture
def lab_factory(lab_index):
    """make_lab(title=..., tags=[...], live=True, **fields) -> a published (or draft) LivingLabPage."""

    def make(title=None, tags=(), live=True, **fields):
        n = next(_counter)
        defaults = dict(
            title=title or f"Lab de test {n}",
            description="Un living lab pour les tests.",
            structure_type="association",
            postcode="69003",
            commune="Lyon",
            latitude=45.76,
            longitude=4.85,
            contact_email=f"contact{n}@lab.example",
            publics=["patients"],
            services=["tests_usage"],
            last_verified=timezone.localdate(),
        )
        defaults.update(fields)
        page = LivingLabPage(**defaults)
        if not live:
            page.live = False
        lab_index.add_child(instance=page)
        if tags:
            page.tags.set(list(tags))
            page.save()
        revision = page.save_revision()
        if live:
            revision.publish()
            page.refresh_from_db()
        return page

    return make


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)
