"""Settings for the separate ASGI server process the browser tests drive (see tests/e2e/conftest.py)."""

from .base import *  # noqa: F401,F403

DEBUG = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
RATELIMIT_ENABLED = False
# As in the test settings: an explicit refresh of the small e2e index after each write. Otherwise every inline
# index task waits for Elasticsearch's next scheduled refresh ("wait_for", up to 1 s): load_demo records a few
# hundred of them, which took the browser suite's setup from about 10 s to about 230 s.
SEARCH_REFRESH = True
