"""Browser tests: Debian's Chromium driven by Playwright against a real ASGI server process.

The server runs in its own process (uvicorn, HTTP + WebSocket) on its own database: a SQLite file by default,
or a dedicated PostgreSQL database when DATABASE_URL points at PostgreSQL (make test-all). It is migrated and
loaded with the demo content once per session. Tests drive it through the browser; setup that needs the ORM
goes through `manage` (a manage.py subprocess on the same database).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "agora-demo-2026"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    if not os.path.exists(CHROMIUM):
        reason = f"Chromium not found at {CHROMIUM}: browser tests skipped (make test-all installs it)"
        print(f"\n*** {reason} ***")
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as a script: let it past our strict CSP (the CSP itself is tested separately).
    return {**browser_context_args, "bypass_csp": True, "locale": "fr-FR"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def e2e_database_url(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, _, _name = url.rpartition("/")
        name = "agora_e2e"
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        return f"{base}/{name}"
    return f"sqlite:///{tmp / 'e2e.sqlite3'}"


@pytest.fixture(scope="session")
def server_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.e2e",
        DATABASE_URL=e2e_database_url(tmp),
        MEDIA_ROOT=str(tmp / "media"),
        CACHE_DIR=str(tmp / "cache"),  # without Redis: shared by the server and the manage.py calls below
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SEARCH_INDEX_PREFIX="agora_e2e",
    )
    return env


@pytest.fixture(scope="session")
def manage(server_env):
    def run(*args, input_text=None):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=server_env,
            capture_output=True,
            text=True,
            input=input_text,
            timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    return run


@pytest.fixture(scope="session")
def live_url(server_env, manage):
    """Base URL of an ASGI server (uvicorn) with the demo content."""
    manage("migrate", "--noinput")
    manage("load_demo")
    port = free_port()
    log = open(Path(server_env["MEDIA_ROOT"]).parent / "server.log", "w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/robots.txt", timeout=2)
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the ASGI server exited; see " + log.name) from None
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(10)
    log.close()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page; return the violations at the given impacts (empty list = pass)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run `npm install` (make test-browser does it)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


@pytest.fixture
def axe():
    return axe_violations


def log_in(page, live_url, email, password=DEMO_PASSWORD):
    """Log a demo user in through the real login form (the header holds other forms: aim at this one)."""
    page.goto(live_url + "/compte/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form:has(input[name=login]) button[type=submit]").click()
    return page


@pytest.fixture
def login_as(live_url):
    return lambda page, email: log_in(page, live_url, email)


@pytest.fixture(autouse=True)
def _page_timeout(request):
    if "page" in request.fixturenames:
        page = request.getfixturevalue("page")
        page.set_default_timeout(15000)
    yield


def have_chromium() -> bool:
    return shutil.which(CHROMIUM) is not None
