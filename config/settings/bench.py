"""Settings for benchmarks (bench/): real engines from the environment, no e-mail, no rate limits."""

from .base import *  # noqa: F401,F403

DEBUG = False
# As in production: e-mails and index updates are queued (database backend), not run inside the request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
RATELIMIT_ENABLED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR", "handlers": []}}
