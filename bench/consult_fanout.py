"""consult_fanout: 1 contribution → N WebSocket clients spread over 2 server processes sharing events via Redis.

Method (see docs/realtime.md): PostgreSQL + Redis from bench.common.start_services(); two real server processes
(`uvicorn config.asgi:application --workers 1` on two ports, WebSocket compression off as in production,
config.settings.bench, REDIS_URL set, database
agora_bench_consult). N clients (the `websockets` library, asyncio) are spread over 2 client processes, each
connecting half of its clients to each server. Once every client is connected, one contribution is POSTed over
HTTP (the regular form view, as a signed-in user). p50_ms/p95_ms = receipt time at each client − the moment the
POST was accepted (its 2xx answer reached the poster; same machine, same wall clock). The broadcast goes out on
commit, before the answer is written, so a receipt can beat the answer: it counts 0. The line also gives the
stricter figures from the commit of the write (the event row's timestamp, taken in the committing transaction)
and from the moment the POST was sent. `lost` = clients without the event 10 s after the answer.

config.settings.bench queues tasks in the database (as in production, where a worker runs them): e-mails and
search indexing leave the request, and the on-commit broadcast is not queued behind them.

Also home of the helpers shared with bench/consult_ingest.py (bench setup, sessions, server processes).
"""

import argparse
import asyncio
import json
import os
import resource
import secrets
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "agora_bench_consult"
CLIENT_COUNTS = (1000, 5000)
CLIENT_PROCESSES = 2
PORTS = (8711, 8712)
WAIT_SECONDS = 10


# --- shared helpers (also used by consult_ingest) ---------------------------------------------------------


REDIS_DB = 7  # own Redis database: test runs elsewhere on the machine FLUSHDB database 0 (cache.clear())


def dedicated_redis() -> str:
    """Point REDIS_URL at the benchmarks' own Redis database (group memberships must survive the run)."""
    base = os.environ["REDIS_URL"].rstrip("/")
    if base.rsplit("/", 1)[-1].isdigit():
        base = base.rsplit("/", 1)[0]
    os.environ["REDIS_URL"] = f"{base}/{REDIS_DB}"
    return os.environ["REDIS_URL"]


def raise_fd_limit(wanted: int = 65536) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def bench_consultation(title: str):
    """A fresh open consultation (a posteriori moderation) with one section, under the site's home page."""
    from datetime import timedelta

    from django.utils import timezone
    from wagtail.models import Locale, Page, Site

    from consult.models import ConsultationIndexPage, ConsultationPage, Section
    from core.models import HomePage

    home = HomePage.objects.first()
    if home is None:
        Locale.objects.get_or_create(language_code="fr")
        root = Page.objects.filter(depth=1).first()
        home = HomePage(title="Accueil", slug="accueil")
        root.add_child(instance=home)
        home.save_revision().publish()
        Site.objects.update_or_create(is_default_site=True, defaults={"hostname": "localhost", "root_page": home})
    index = ConsultationIndexPage.objects.first()
    if index is None:
        index = ConsultationIndexPage(title="Consultations", slug="consultations")
        home.add_child(instance=index)
        index.save_revision().publish()
    now = timezone.now()
    page = ConsultationPage(
        title=title,
        slug=f"bench-{secrets.token_hex(4)}",
        summary="Consultation de mesure.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        moderation_mode=ConsultationPage.MODERATION_A_POSTERIORI,
    )
    page.sections.add(Section(title="Section mesurée", body="<p>Texte.</p>", anchor="mesure", sort_order=0))
    index.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page, page.sections.get()


def bench_users(count: int, prefix: str = "bench-writer"):
    """`count` users, each with a server-side session (like force_login); returns [(user, session_key)]."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    existing = {u.email: u for u in User.objects.filter(email__startswith=prefix + "-")}
    missing = [
        User(username=f"{prefix}-{i}", email=f"{prefix}-{i}@bench.local", display_name=f"Mesure {i}")
        for i in range(count)
        if f"{prefix}-{i}@bench.local" not in existing
    ]
    for user in missing:
        user.set_unusable_password()
    User.objects.bulk_create(missing)
    users = list(User.objects.filter(email__startswith=prefix + "-").order_by("pk")[:count])
    result = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        result.append((user, session.session_key))
    return result


def form_token() -> str:
    """The signed "form rendered at" stamp, a minute old (past the minimum fill time)."""
    from django.core import signing

    from consult.forms import FILL_SALT

    return signing.dumps(time.time() - 60, salt=FILL_SALT)


def post_path(consultation, section) -> str:
    from django.urls import reverse

    return reverse("consult:post", args=[consultation.pk, section.anchor])


def post_request(path: str, session_key: str, token: str, body: str, key: str) -> tuple[bytes, dict]:
    """Body and headers of a contribution POST through the JSON path (CSRF cookie + header)."""
    csrf = secrets.token_hex(16)  # a 32-character secret: Django compares cookie and header
    payload = urllib.parse.urlencode(
        {
            "body": body,
            "stance": "pour",
            "no_interests": "on",
            "idempotency_key": key,
            "rendered_at": token,
        }
    ).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "X-Requested-With": "fetch",
        "Accept": "application/json",
    }
    return payload, headers


def server_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_SERVER_SETTINGS", "config.settings.bench"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
        # As scripts/serve_prod.sh: one PostgreSQL pool of 10 per server process (config/settings/base.py).
        DB_POOL_MAX_SIZE=os.environ.get("DB_POOL_MAX_SIZE", "10"),
    )
    return env


def start_servers(ports=PORTS, extra_env=None) -> list[subprocess.Popen]:
    """Two real server processes, one worker each; returns once both answer HTTP."""
    env = {**server_env(), **(extra_env or {})}
    processes = []
    for port in ports:
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "config.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    "1",
                    "--lifespan",
                    "off",
                    "--log-level",
                    "warning",
                    "--no-access-log",
                    "--backlog",
                    "4096",
                    "--ws-per-message-deflate",  # as in production (core/workers.py)
                    "false",
                ],
                cwd=ROOT,
                env=env,
                stdout=sys.stderr,
                stderr=sys.stderr,
            )
        )
    deadline = time.time() + 60
    for port in ports:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2)
                break
            except OSError:
                if time.time() > deadline or any(p.poll() is not None for p in processes):
                    stop_servers(processes)
                    raise RuntimeError("the server processes did not start") from None
                time.sleep(0.3)
    return processes


def stop_servers(processes):
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


# --- client process ---------------------------------------------------------------------------------------


async def run_clients(ports: list[int], count: int, consultation_id: int) -> None:
    """Connect `count` sockets (alternating servers); report; wait for GO; report latencies."""
    from websockets.asyncio.client import connect

    received: dict[int, float] = {}
    sockets = []
    failed = 0
    semaphore = asyncio.Semaphore(200)

    async def open_one(i):
        nonlocal failed
        port = ports[i % len(ports)]
        async with semaphore:
            for attempt in range(5):
                try:
                    ws = await connect(
                        f"ws://127.0.0.1:{port}/ws/consultations/{consultation_id}/",
                        origin=f"http://127.0.0.1:{port}",
                        open_timeout=30,
                        ping_interval=None,
                        max_queue=None,
                    )
                    sockets.append(ws)
                    return i, ws
                except Exception:
                    await asyncio.sleep(0.2 * (attempt + 1))
        failed += 1
        return i, None

    closed: dict[int, str] = {}

    async def listen(i, ws):
        try:
            async for message in ws:
                if i not in received and '"contribution.created"' in message:
                    received[i] = time.time()
        except Exception as exc:
            closed[i] = repr(exc)[:200]
        else:
            closed.setdefault(i, f"closed {ws.close_code}")

    opened = await asyncio.gather(*(open_one(i) for i in range(count)))
    listeners = [asyncio.create_task(listen(i, ws)) for i, ws in opened if ws is not None]
    print(json.dumps({"ready": count - failed, "failed": failed}), flush=True)
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)  # {"sent": t, "accepted": t}
    times = json.loads(line)
    await asyncio.sleep(max(0.0, times["accepted"] + WAIT_SECONDS - time.time()))
    from_accept = [max(0.0, (received[i] - times["accepted"]) * 1000) for i in received]
    from_send = [(received[i] - times["sent"]) * 1000 for i in received]
    from_commit = [(received[i] - times["committed"]) * 1000 for i in received]
    if closed:
        print(f"client: {len(closed)} sockets closed early, e.g. {next(iter(closed.values()))}", file=sys.stderr)
    print(
        json.dumps(
            {
                "from_accept": from_accept,
                "from_send": from_send,
                "from_commit": from_commit,
                "lost": count - len(received),
            }
        ),
        flush=True,
    )
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


# --- orchestration ----------------------------------------------------------------------------------------


def spawn_clients(total: int, consultation_id: int) -> list[subprocess.Popen]:
    share = [total // CLIENT_PROCESSES + (1 if i < total % CLIENT_PROCESSES else 0) for i in range(CLIENT_PROCESSES)]
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.consult_fanout",
                "--client",
                "--ports",
                ",".join(map(str, PORTS)),
                "--count",
                str(n),
                "--consultation",
                str(consultation_id),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in share
    ]


def post_once(port: int, path: str, session_key: str, token: str, body: str) -> tuple[float, float]:
    import http.client

    payload, headers = post_request(path, session_key, token, body, secrets.token_hex(16))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = time.time()
    connection.request("POST", path, body=payload, headers=headers)
    response = connection.getresponse()
    response.read()
    accepted = time.time()
    connection.close()
    if not 200 <= response.status < 400:
        raise RuntimeError(f"POST refused: HTTP {response.status}")
    return sent, accepted


def measure(total: int, consultation, section, session_key: str) -> dict:
    from bench.common import log, percentile
    from consult.models import ConsultationEvent

    clients = spawn_clients(total, consultation.pk)
    ready = [json.loads(c.stdout.readline()) for c in clients]
    log(f"consult_fanout: {sum(r['ready'] for r in ready)}/{total} clients connected")
    time.sleep(6)  # let the presence broadcasts of the connection burst go by
    sent, accepted = post_once(
        PORTS[0],
        post_path(consultation, section),
        session_key,
        form_token(),
        f"Contribution de mesure pour {total} lecteurs.",
    )
    # When the server accepted the write: the event row's timestamp (inserted just before commit).
    event = ConsultationEvent.objects.filter(consultation=consultation).latest("id")
    committed = event.created_at.timestamp()
    from_accept, from_send, from_commit, lost = [], [], [], 0
    for client in clients:
        client.stdin.write(json.dumps({"sent": sent, "accepted": accepted, "committed": committed}) + "\n")
        client.stdin.flush()
    for client in clients:
        result = json.loads(client.stdout.readline())
        from_accept += result["from_accept"]
        from_send += result["from_send"]
        from_commit += result["from_commit"]
        lost += result["lost"]
        client.wait(60)
    log(
        f"consult_fanout: {total} clients; POST sent→answered {(accepted - sent) * 1000:.0f} ms, "
        f"sent→committed {(committed - sent) * 1000:.0f} ms; receipt after HTTP answer p95 "
        f"{percentile(from_accept, 95) if from_accept else float('nan'):.1f} ms, after send p95 "
        f"{percentile(from_send, 95) if from_send else float('nan'):.1f} ms"
    )

    def rounded(values, pct):
        return round(percentile(values, pct), 2) if values else None

    return {
        "bench": "consult_fanout",
        "clients": total,
        "processes": len(PORTS),
        # As specified: from the POST accepted (2xx returned to the poster) to receipt; a receipt that beat the
        # answer counts 0 (the broadcast leaves on commit, before the answer is written).
        "p50_ms": rounded(from_accept, 50),
        "p95_ms": rounded(from_accept, 95),
        "lost": lost,
        # Stricter views of the same deliveries: from the commit of the write, and from the POST being sent.
        "p50_from_commit_ms": rounded(from_commit, 50),
        "p95_from_commit_ms": rounded(from_commit, 95),
        "p95_from_post_sent_ms": rounded(from_send, 95),
    }


def main():
    from bench.common import emit, log, start_services, use_database

    parser = argparse.ArgumentParser()
    parser.add_argument("--client", action="store_true")
    parser.add_argument("--ports")
    parser.add_argument("--count", type=int)
    parser.add_argument("--consultation", type=int)
    parser.add_argument("--clients", help="comma-separated client counts (default 1000,5000)")
    args = parser.parse_args()
    raise_fd_limit()
    if args.client:
        asyncio.run(run_clients([int(p) for p in args.ports.split(",")], args.count, args.consultation))
        return

    start_services()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("consult_fanout needs REDIS_URL (two server processes share events through Redis)")
    dedicated_redis()
    use_database(DATABASE)
    consultation, section = bench_consultation("Mesure de diffusion")
    ((_, session_key),) = bench_users(1, prefix="bench-fanout")
    from django.db import connections

    connections.close_all()
    counts = [int(c) for c in args.clients.split(",")] if args.clients else CLIENT_COUNTS
    servers = start_servers()
    try:
        for total in counts:
            emit(**measure(total, consultation, section, session_key))
            log(f"consult_fanout: {total} clients done")
    finally:
        stop_servers(servers)


if __name__ == "__main__":
    main()
