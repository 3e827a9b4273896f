"""Test settings: the same engines as the environment gives (embedded defaults or real ones via env vars)."""

import os
import re

# pytest-xdist: every worker gets its own PostgreSQL database (pytest-django), Elasticsearch prefix (below) and
# Redis databases, since tests clear the cache and channel group names repeat across workers' databases.
# Set in the environment before base.py reads it, so that the servers and scripts tests spawn inherit it; the
# database number depends only on the worker, so a child process that re-reads these settings lands on the same.
_worker = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))
if _worker and os.environ.get("REDIS_URL"):
    _n = int(_worker.group(1))
    _base = re.sub(r"/\d*$", "", os.environ["REDIS_URL"])  # redis://host:port without its database
    os.environ["REDIS_URL"] = f"{_base}/{2 + 2 * _n}"
    os.environ["CHANNEL_REDIS_URL"] = f"{_base}/{3 + 2 * _n}"

from .base import *  # noqa: E402,F401,F403
from .base import DATABASES, REDIS_URL  # noqa: E402

if not REDIS_URL:  # one test process, its own cache (tests clear it; xdist workers must not share it)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run inline in tests so e-mails land in mail.outbox; the worker itself is tested separately.
TASKS = {"default": {"BACKEND": "core.testing.ImmediateBackendSkippingAdminIndexes"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"level": "ERROR"},
        **{name: {"level": "WARNING"} for name in ("elastic_transport", "elasticsearch", "urllib3")},
    },
}

# Elasticsearch (when ELASTICSEARCH_URL is set): a search right after a commit must see it; never touch the
# development indices. An explicit refresh of the small test index takes milliseconds where "wait_for" waits
# for the next scheduled refresh (up to 1 s, for each of the hundreds of writes fixtures make).
SEARCH_REFRESH = True
SEARCH_INDEX_PREFIX = f"test_p{os.getpid()}"  # "p": never a prefix of the uuid-named indices of search tests

# The hub's reconciliation with the event log (consult/websockets/hub.py) reads the database from a thread
# every few seconds: off in the suite, whose tests hold their data in an uncommitted transaction, except where
# a test turns it on (tests/consult/test_websockets.py); on in the bench, fault and browser-test servers.
CONSULT_LIVE_RECONCILE_SECONDS = 0
