"""Settings for the separate ASGI server process the browser tests drive (see tests/e2e/conftest.py)."""

from .base import *  # noqa: F401,F403

DEBUG = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
RATELIMIT_ENABLED = False
