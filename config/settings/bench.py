"""Settings for benchmarks (bench/): real engines from the environment, no e-mail, no rate limits."""

from config.env import env, envint

from .base import *  # noqa: F401,F403
from .base import DATABASES, use_connection_pool

# The benchmarks' server processes get production's per-process pool (bench/consult_fanout.py server_env sets
# DB_POOL_MAX_SIZE, as scripts/serve_prod.sh does); without it every request opened its own PostgreSQL connection.
use_connection_pool(DATABASES, envint("DB_POOL_MAX_SIZE", 0))

DEBUG = False
# As in production: e-mails and index updates are queued (database backend), not run inside the request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
RATELIMIT_ENABLED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Quiet by default (the figures are on stdout); BENCH_LOG_LEVEL=WARNING shows the live layer's recoveries, which the
# fault scenarios print.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,  # uvicorn's own error log (an exception in a socket) stays on
    "formatters": {"plain": {"format": "%(asctime)s %(process)d %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"level": "ERROR", "handlers": ["stderr"]},
    "loggers": {
        name: {"level": env("BENCH_LOG_LEVEL", "ERROR"), "handlers": ["stderr"], "propagate": False}
        for name in ("consult", "core")
    },
}
