"""Shared fixtures: personas (one per role), organisations, and the Wagtail site tree.

Personas, as in healthchecks' hc/test.py: alice is a citizen, bob another citizen, asso_admin administers the
verified association, asso_b_admin administers the other one, and one account per staff role.
"""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.cache import cache
from wagtail.models import Locale, Page, Site

from accounts import roles
from accounts.models import Membership, Organisation, User
from core.models import HomePage

PASSWORD = "correct-horse-battery-staple"


def pytest_addoption(parser):
    parser.addoption(
        "--db-phase",
        choices=("plain", "transactional"),
        default=None,
        help="Only the tests that leave the database as migrated (plain, and those without a database) or only "
        "those that flush it (transactional): the two halves of pytest-django's order, run one after the other "
        "when the suite is spread over several processes (Makefile).",
    )


def _flushes_database(item) -> bool:
    """pytest-django's own test: transaction=True / reset_sequences, or the transactional_db / live_server
    fixtures. Such a test empties every table when it ends, migration data included (collections, groups and
    their permissions), so pytest-django runs them after the others; pytest-xdist hands whole files to each
    process, which would interleave them."""
    from pytest_django.plugin import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transaction, reset_sequences, *_ = validate_django_db(marker)
        if transaction or reset_sequences:
            return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    phase = config.getoption("--db-phase")
    if phase is None:
        return
    wanted = phase == "transactional"
    selected = [item for item in items if _flushes_database(item) == wanted]
    config.hook.pytest_deselected(items=[item for item in items if _flushes_database(item) != wanted])
    items[:] = selected


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache: each test starts with a clean budget.
    cache.clear()
    yield


@pytest.fixture
def home_page(db):
    """The site root. Rebuilt when a transactional test flushed the tree (see STACK-NOTES)."""
    existing = HomePage.objects.first()
    if existing:
        return existing
    Locale.objects.get_or_create(language_code="fr")
    root = Page.objects.filter(depth=1).first()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=Locale.objects.get(language_code="fr")))
    home = HomePage(title="Accueil", slug="accueil")
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Agora Santé")
    for page in Page.objects.filter(depth=2).exclude(pk=home.pk):
        page.delete()
    return home


def make_user(email, display_name="", role=None, **extra) -> User:
    user = User.objects.create_user(
        username=email.split("@")[0], email=email, password=PASSWORD, display_name=display_name, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def user_factory(db):
    return make_user


@pytest.fixture
def alice(db):
    return make_user("alice@example.org", "Alice")


@pytest.fixture
def bob(db):
    return make_user("bob@example.org", "Bob")


@pytest.fixture
def moderator(db):
    return make_user("moderatrice@example.org", "Modératrice", role=roles.MODERATOR)


@pytest.fixture
def reviewer(db):
    return make_user("instructeur@example.org", "Instructeur", role=roles.REVIEWER)


@pytest.fixture
def reviewer2(db):
    return make_user("instructrice@example.org", "Instructrice", role=roles.REVIEWER)


@pytest.fixture
def editor(db):
    return make_user("editrice@example.org", "Éditrice", role=roles.EDITOR)


@pytest.fixture
def superuser(db):
    return make_user("admin@example.org", "Admin", is_superuser=True, is_staff=True)


@pytest.fixture
def organisation_factory(db):
    counter = {"n": 0}

    def make(admin=None, verified=True, **fields):
        counter["n"] += 1
        n = counter["n"]
        from django.utils import timezone

        fields.setdefault("name", f"Association de patients n°{n}")
        fields.setdefault("rna", f"W{750000000 + n:09d}")
        fields.setdefault("kind", Organisation.KIND_ASSOCIATION)
        organisation = Organisation.objects.create(verified_at=timezone.now() if verified else None, **fields)
        if admin is not None:
            Membership.objects.create(organisation=organisation, user=admin, role=Membership.ROLE_ADMIN)
        return organisation

    return make


@pytest.fixture
def asso_admin(db):
    return make_user("asso-a@example.org", "Nadia (asso A)")


@pytest.fixture
def asso_member(db):
    return make_user("membre-a@example.org", "Membre A")


@pytest.fixture
def asso_b_admin(db):
    return make_user("asso-b@example.org", "Thomas (asso B)")


@pytest.fixture
def organisation(organisation_factory, asso_admin, asso_member):
    """Association A (verified), administered by asso_admin, with asso_member as a plain member."""
    org = organisation_factory(admin=asso_admin, name="Association A")
    Membership.objects.create(organisation=org, user=asso_member, role=Membership.ROLE_MEMBER)
    return org


@pytest.fixture
def organisation_b(organisation_factory, asso_b_admin):
    return organisation_factory(admin=asso_b_admin, name="Association B")


@pytest.fixture
def login(client):
    def do_login(user):
        client.force_login(user)
        return client

    return do_login


@pytest.fixture(scope="session", autouse=True)
def _drop_test_search_indices():
    """Indices written during this run (prefix test_p<pid>_) are dropped at the end, on a real Elasticsearch."""
    yield
    from django.conf import settings

    if settings.ELASTICSEARCH_URL:
        from elasticsearch import Elasticsearch

        try:
            Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=10).options(ignore_status=404).indices.delete(
                index=f"{settings.SEARCH_INDEX_PREFIX}_*", expand_wildcards="all"
            )
        except Exception as error:  # noqa: BLE001 - cleanup must not turn a green run red
            print(f"could not drop test indices: {error}")
