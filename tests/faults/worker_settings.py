"""Settings of the task workers of tests/faults/worker_kill.py: the bench settings, e-mails to a slow file."""

from config.settings.bench import *  # noqa: F401,F403

EMAIL_BACKEND = "tests.faults.worker_kill.SlowFileBackend"
