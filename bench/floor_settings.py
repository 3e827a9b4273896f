"""consult_ingest --floor: the benchmark servers with config.settings.bench, the posting URL answered by an empty
view (bench/floor_urls.py): what the harness, the ASGI stack, the middleware and the session cost alone."""

from config.settings.bench import *  # noqa: F401,F403

ROOT_URLCONF = "bench.floor_urls"
