"""Fault tests: real engines, real server processes, engines killed on purpose. Run by `make faults`.

They stop and restart engines, so they never run inside `make test` / `make test-all` (skipped unless
AGORA_FAULTS=1) and they use private instances (their own Redis port, their own PostgreSQL cluster, their own
databases) so nothing else running on the machine is disturbed. Each test prints what it checked.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    if os.environ.get("AGORA_FAULTS") == "1":
        return
    skip = pytest.mark.skip(reason="fault tests run with `make faults` (AGORA_FAULTS=1)")
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture
def run_bench():
    """Run a bench module in its own process with extra env; return its JSON lines (stderr is shown)."""

    def run(module: str, timeout: int = 240, **env):
        if "postgres" not in os.environ.get("DATABASE_URL", ""):
            pytest.skip("needs DATABASE_URL=postgres://… (make faults sets it)")
        result = subprocess.run(
            [sys.executable, "-m", module],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **{k: str(v) for k, v in env.items()}},
        )
        tail = "\n".join(
            line
            for line in result.stderr.splitlines()
            if not line.startswith((" ", "Traceback")) and "Error" not in line
        )[-3000:]
        print(tail)
        assert result.returncode == 0, result.stderr[-3000:]
        return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]

    return run


# The consultation factories of tests/consult (autouse ones are private names: import them explicitly).
from tests.consult.conftest import *  # noqa: F401,F403,E402
from tests.consult.conftest import _instant_forms  # noqa: F401,E402
