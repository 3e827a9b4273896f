"""Helpers shared by the benchmarks: start engines, pick a database, time things, print JSON lines."""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def start_services() -> dict:
    """Start PostgreSQL, Redis, Elasticsearch through the services script; return their URLs as env vars."""
    subprocess.run(["bash", str(ROOT / "scripts/services.sh"), "start"], check=True, stdout=sys.stderr)
    out = subprocess.run(
        ["bash", str(ROOT / "scripts/services.sh"), "env"], check=True, capture_output=True, text=True
    ).stdout
    env = {}
    for line in out.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    os.environ.update(env)
    return env


def use_database(name: str, fresh: bool = False) -> str:
    """Point Django at a dedicated PostgreSQL database (created if missing) and set Django up."""
    import psycopg

    base = os.environ["DATABASE_URL"].rpartition("/")[0]
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")
            exists = None
        if not exists:
            conn.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return os.environ["DATABASE_URL"]


def percentile(values, pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def time_calls(fn, n: int, warmup: int = 10) -> list[float]:
    """Call fn n times after warm-up; return durations in milliseconds."""
    for _ in range(warmup):
        fn()
    durations = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def summary(durations) -> dict:
    return {
        "p50_ms": round(statistics.median(durations), 2),
        "p95_ms": round(percentile(durations, 95), 2),
    }


def emit(**fields):
    print(json.dumps(fields, ensure_ascii=False), flush=True)
