"""load_mixed: locust against `make serve-prod` (scripts/serve_prod.sh) on this machine, plus open WebSockets.

Method (docs/benchmarks.md): engines from bench.common.start_services(); database agora_bench_load with the demo
content (manage.py load_demo through serve_prod.sh); the production layout started by scripts/serve_prod.sh
(gunicorn + uvicorn workers, cores + 1, task worker, config.settings.production, rate limits ON) on port
8400. LOAD_SOCKETS (1,000) WebSockets on the posted-to consultation are opened first by a separate process
(bench/fault_redis_restart.Listener, live.js behaviour) and record every `contribution.created`. Then
`locust --headless` runs bench/loadtest/locustfile.py with LOAD_USERS (500) users for LOAD_SECONDS (300): 80 % reading a
consultation or section page, 15 % searching, 5 % posting (signed-in sessions prepared here; every user comes
from 127.0.0.1, so the per-IP post limit of 30/min answers 429 beyond it — counted apart, not as errors).
Output: one JSON line per endpoint (requests, failures, p50/p95 ms, req/s) and a summary line with
contributions accepted vs stored vs delivered (delivered_min over all sockets, 10 s after the run).
"""

import asyncio
import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "agora_bench_load"
PORT = 8400


def sockets_main(port: int, consultation_id: int, count: int, seconds: float, out: str, head: int = 0):
    from bench.fault_redis_restart import Listener

    async def run():
        stop = asyncio.Event()
        group = [Listener(i, port, consultation_id) for i in range(count)]
        for listener in group:  # like live.js, which starts from the page's data-last-event-id
            listener.last_event_id = head
        tasks = []
        for listener in group:
            tasks.append(asyncio.create_task(listener.run(stop)))
            await asyncio.sleep(0.005)
        print(json.dumps({"ready": True}), flush=True)
        await asyncio.sleep(seconds)
        stop.set()
        result = {
            "connected": sum(1 for x in group if x.ws is not None),
            "reconnects": sum(x.reconnects for x in group),
            "closes": closes(group),
            "seen": [sorted(x.contributions) for x in group],
        }
        for listener in group:
            if listener.ws is not None:
                await listener.ws.close()
        for t in tasks:
            t.cancel()
        Path(out).write_text(json.dumps(result))

    asyncio.run(run())


def closes(group) -> dict:
    """Why the sockets' connections ended, summed over all listeners (close code or exception name)."""
    total: dict[str, int] = {}
    for listener in group:
        for reason, number in listener.closes.items():
            total[reason] = total.get(reason, 0) + number
    return dict(sorted(total.items(), key=lambda item: -item[1]))


def wait_http(url, timeout=600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            time.sleep(2)
    raise RuntimeError(f"{url} did not answer")


class Probe(threading.Thread):
    """One anonymous reader asking for the same section page every 0.5 s during the run: latency over time,
    which locust's cumulative percentiles hide (a stall every minute and a slow drift look alike there)."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.samples, self.stopping = url, [], threading.Event()

    def run(self):
        started = time.time()
        while not self.stopping.wait(0.5):
            t = time.time()
            try:
                urllib.request.urlopen(self.url, timeout=30).read()
            except OSError:
                pass
            self.samples.append((t - started, (time.time() - t) * 1000))

    def stop(self):
        self.stopping.set()
        self.join(35)

    def timeline(self) -> str:
        windows: dict[int, list[float]] = {}
        for at, ms in self.samples:
            windows.setdefault(int(at // 10), []).append(ms)
        return " ".join(f"{n * 10}s:{sorted(v)[len(v) // 2]:.0f}/{max(v):.0f}" for n, v in sorted(windows.items()))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--sockets":
        sockets_main(
            int(sys.argv[2]),
            int(sys.argv[3]),
            int(sys.argv[4]),
            float(sys.argv[5]),
            sys.argv[6],
            int(sys.argv[7]) if len(sys.argv) > 7 else 0,
        )
        return
    from bench.common import emit, log, start_services, use_database
    from bench.consult_fanout import raise_fd_limit

    seconds = int(os.environ.get("LOAD_SECONDS", "300"))
    users = int(os.environ.get("LOAD_USERS", "500"))
    sockets = int(os.environ.get("LOAD_SOCKETS", "1000"))
    raise_fd_limit()
    start_services()
    os.environ.setdefault("SEARCH_INDEX_PREFIX", "bench_load")  # never the development index
    secret = ROOT / "var" / "secret_key"
    secret.parent.mkdir(exist_ok=True)
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(64))
    os.environ["SECRET_KEY"] = secret.read_text().strip()  # the server must accept the sessions made here
    use_database(DATABASE)
    env = {**os.environ, "PORT": str(PORT), "SKIP_SERVICES": "1", "LOAD_DEMO": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(
        ["bash", str(ROOT / "scripts/serve_prod.sh")],
        cwd=ROOT,
        env=env,
        stdout=sys.stderr,
        stderr=sys.stderr,
        start_new_session=True,
    )
    try:
        wait_http(f"http://127.0.0.1:{PORT}/robots.txt")
        from bench.consult_fanout import bench_users, form_token
        from consult.models import ConsultationPage, Contribution

        pages = [p for p in ConsultationPage.objects.live().order_by("pk")]
        target = next(p for p in pages if p.is_open and p.moderation_mode == ConsultationPage.MODERATION_A_POSTERIORI)
        section = target.sections.order_by("sort_order").first()
        sections = [f"/participation/{p.pk}/section/{s.anchor}/" for p in pages for s in p.sections.all()]
        sessions = [(key, form_token()) for _, key in bench_users(200, prefix="load-citizen")]
        data = {
            "consultations": [p.url for p in pages],
            "sections": sections,
            "sessions": sessions,
            "post_path": f"/participation/{target.pk}/section/{section.anchor}/contribuer/",
            "queries": [
                "santé",
                "numérique",
                "télémédecine",
                "données de santé",
                "living lab",
                "vaccination",
                "hôpital",
                "associations de patients",
            ],
        }
        before = Contribution.objects.filter(consultation_id=target.pk).count()
        from consult.models import ConsultationEvent

        head = (
            ConsultationEvent.objects.filter(consultation_id=target.pk)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
            or 0
        )
        from django.db import connections

        connections.close_all()
        tmp = Path(tempfile.mkdtemp(prefix="load_mixed_"))
        (tmp / "data.json").write_text(json.dumps(data))
        holder = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.load_mixed",
                "--sockets",
                str(PORT),
                str(target.pk),
                str(sockets),
                str(seconds + 40),
                str(tmp / "sockets.json"),
                str(head),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        holder.stdout.readline()
        log(f"load_mixed: {sockets} sockets open; locust {users} users for {seconds} s")
        probe = Probe(f"http://127.0.0.1:{PORT}{sections[0]}")
        probe.start()
        locust = subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench/loadtest/locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(max(1, users // 30)),
                "-t",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(tmp / "locust"),
                "--only-summary",
                "--stop-timeout",
                "10",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "LOAD_DATA_FILE": str(tmp / "data.json"),
                "LOAD_ACCEPTED_FILE": str(tmp / "accepted.json"),
            },
            stdout=sys.stderr,
            stderr=sys.stderr,
        )
        probe.stop()
        log("load_mixed: one section page every 0.5 s, by 10 s window (median / max ms): " + probe.timeline())
        holder.wait(seconds + 120)
        accepted = set(json.loads((tmp / "accepted.json").read_text())) if (tmp / "accepted.json").exists() else set()
        seen = json.loads((tmp / "sockets.json").read_text())
        stored = Contribution.objects.filter(consultation_id=target.pk).count() - before
        delivered = [len(accepted & set(s)) for s in seen["seen"]]
        rows = list(csv.DictReader(open(tmp / "locust_stats.csv")))
        refused_429 = 0
        for row in rows:
            if row["Name"] == "post refused (429)":
                refused_429 = int(row["Request Count"])
                continue
            emit(
                bench="load_mixed",
                endpoint=row["Name"],
                method=row["Type"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p50_ms=float(row["50%"] or 0),
                p95_ms=float(row["95%"] or 0),
                rps=round(float(row["Requests/s"]), 1),
            )
        emit(
            bench="load_mixed",
            users=users,
            seconds=seconds,
            sockets=sockets,
            locust_exit=locust.returncode,
            posts_refused_429=refused_429,
            accepted=len(accepted),
            stored=stored,
            delivered_min=min(delivered) if delivered else 0,
            lost=len(accepted) - (min(delivered) if delivered else 0),
            sockets_connected_at_end=seen["connected"],
            socket_reconnects=seen["reconnects"],
            socket_closes=seen.get("closes", {}),
            load_average=os.getloadavg()[0],
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)


if __name__ == "__main__":
    main()
