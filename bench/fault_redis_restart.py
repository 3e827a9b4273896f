"""fault_redis_restart: Redis killed (SIGKILL) and restarted during concurrent posting with live listeners.

Method (docs/benchmarks.md, docs/operations.md section 7): PostgreSQL from bench.common.start_services(), a
**private** Redis on port FAULT_REDIS_PORT (6391; never the shared one), database agora_faults_redis, two real
server processes (uvicorn, config.settings.bench, REDIS_URL → the private Redis). LISTENERS WebSocket clients
(alternating between the two servers) behave like consult/static/consult/live.js: on open they send
{"type": "catch_up", "last_event_id": last - 50} (live.js's overlap), send the same catch-up every 60 s while
open (live.js's periodic catch-up), record every event (dropping duplicates by id), and reconnect with live.js's
back-off (exponential, jittered: half to all of min(30 s, 2^attempts s)) only when their socket closes. POSTERS threads post contributions for FAULT_SECONDS seconds (default 60; each
body unique) through the JSON path of the section page, retrying a failed request with the same idempotency
key (as section.js lets the person do). At 30 % of the run Redis is killed; it is restarted 4 s later.

Figures: accepted = contributions whose POST answered 2xx; stored = rows in the database; duplicates = stored
rows beyond one per accepted body; delivered_min = the smallest number of accepted contributions a listener
saw (live or through its own reconnect catch-ups, no extra help); lost = accepted − delivered_min;
after_final_catch_up_lost = the same after each listener sends one more catch_up at the end (what a page
reload would show). Run: `make bench ONLY=fault_redis_restart` or `python -m bench.fault_redis_restart`.
"""

import asyncio
import json
import os
import random
import secrets
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "agora_faults_redis"
PORTS = (8721, 8722)
REDIS_PORT = int(os.environ.get("FAULT_REDIS_PORT", "6391"))
CATCH_UP_OVERLAP = 50  # as consult/static/consult/live.js
PERIODIC_CATCH_UP_SECONDS = float(os.environ.get("FAULT_PERIODIC_CATCH_UP", "60"))  # live.js: every 60 s
STATE = Path(os.environ.get("AGORA_STATE_DIR", str(Path.home() / ".cache/agora")))


# --- a private Redis --------------------------------------------------------------------------------------


def redis_pidfile() -> Path:
    return STATE / f"fault-redis-{REDIS_PORT}.pid"


def start_redis():
    STATE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(REDIS_PORT),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--pidfile",
            str(redis_pidfile()),
            "--logfile",
            str(STATE / f"fault-redis-{REDIS_PORT}.log"),
        ],
        check=True,
    )
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError("private redis did not start")


def kill_redis():
    pid = int(redis_pidfile().read_text().strip())
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def stop_redis():
    subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], capture_output=True)


# --- listeners ----------------------------------------------------------------------------------------------


class Listener:
    def __init__(self, index: int, port: int, consultation_id: int, ports=()):
        self.index, self.port, self.consultation_id = index, port, consultation_id
        self.ports = list(ports)
        self.last_event_id = 0
        self.contributions: set[int] = set()
        self.reconnects = 0
        self.attempts = 0
        self.closes: dict[str, int] = {}  # why each connection ended: close code or exception name
        self.ws = None
        self.synced = asyncio.Event()

    last_message_at = 0.0

    def handle(self, message: dict):
        self.last_message_at = time.time()
        if message.get("type") == "event":
            self.last_event_id = max(self.last_event_id, message["id"])
            if message.get("kind") == "contribution.created" and message.get("contribution_id"):
                self.contributions.add(message["contribution_id"])
        elif message.get("type") == "synced":
            for event in message.get("events", ()):  # a catch-up's events come in its "synced" message
                self.handle(event)
            self.last_event_id = max(self.last_event_id, message["last_event_id"])
            self.attempts = 0
            if message.get("has_more"):  # live.js: the next page starts where this one ended
                return {"type": "catch_up", "last_event_id": message["last_event_id"]}
            self.synced.set()
        return None

    async def run(self, stop: asyncio.Event):
        from websockets.asyncio.client import connect

        while not stop.is_set():
            url = f"ws://127.0.0.1:{self.port}/ws/consultations/{self.consultation_id}/"
            try:
                async with connect(
                    url,
                    origin=f"http://127.0.0.1:{self.port}",
                    open_timeout=10,
                    ping_interval=None,
                    max_queue=None,
                ) as ws:
                    self.ws = ws
                    # live.js: start a little before the last id seen (ids commit out of order).
                    after = max(0, self.last_event_id - CATCH_UP_OVERLAP)
                    await ws.send(json.dumps({"type": "catch_up", "last_event_id": after}))
                    periodic = asyncio.create_task(self.periodic_catch_up(ws))
                    try:
                        async for raw in ws:
                            reply = self.handle(json.loads(raw))
                            if reply:
                                await ws.send(json.dumps(reply))
                    finally:
                        periodic.cancel()
                    if ws.close_code == 1013:  # live.js: the server asked to come back later
                        self.attempts += 2
                    self.count_close(f"code {ws.close_code}")
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - refused or dropped: back off and reconnect, like live.js
                received = getattr(error, "rcvd", None)  # websockets' ConnectionClosed: the server's close frame
                self.count_close(f"code {received.code}" if received is not None else type(error).__name__)
            self.ws = None
            if stop.is_set():
                break
            self.reconnects += 1
            if self.ports:  # like a load balancer: the next connection may land on another server
                self.port = self.ports[self.reconnects % len(self.ports)]
            await asyncio.sleep(self.backoff())

    def count_close(self, reason: str):
        self.closes[reason] = self.closes.get(reason, 0) + 1
        if os.environ.get("FAULT_TRACE_CLOSES"):
            from bench.common import log

            now = time.time()
            log(
                f"listener {self.index}: closed ({reason}) on port {self.port} at {time.strftime('%H:%M:%S')}, "
                f"{now - self.last_message_at:.1f} s after its last message"
            )

    def backoff(self) -> float:
        """live.js scheduleReconnect: attempts += 1; ceiling = min(30 s, 2^attempts s); jittered upper half.
        (attempts resets on "synced", as live.js does.)"""
        self.attempts += 1
        ceiling = min(30.0, 2.0 ** min(self.attempts, 10))
        return ceiling / 2 + random.random() * ceiling / 2

    async def periodic_catch_up(self, ws):
        """live.js: about every 60 s while open (45–75 s), the same catch-up as on open (overlap, duplicates
        dropped)."""
        while True:
            await asyncio.sleep(PERIODIC_CATCH_UP_SECONDS * random.uniform(0.75, 1.25))
            after = max(0, self.last_event_id - CATCH_UP_OVERLAP)
            await ws.send(json.dumps({"type": "catch_up", "last_event_id": after}))

    async def final_catch_up(self, timeout=15.0):
        """One more catch_up on the open socket (what reloading the page would show)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.ws is not None:
                self.synced.clear()
                try:
                    after = max(0, self.last_event_id - CATCH_UP_OVERLAP)
                    await self.ws.send(json.dumps({"type": "catch_up", "last_event_id": after}))
                    await asyncio.wait_for(self.synced.wait(), timeout=max(0.1, deadline - time.time()))
                    return True
                except Exception:  # noqa: BLE001
                    pass
            await asyncio.sleep(0.2)
        return False


async def loop_lag_watchdog():
    """Say when this client's own event loop stalled: its listeners then neither read nor answer the servers'
    pings, and a stall past the servers' keepalive timeout (20 s) closes their sockets with 1011."""
    from bench.common import log

    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        await asyncio.sleep(0.5)
        late = loop.time() - started - 0.5
        if late > 1.0:
            log(f"fault_redis_restart: the client's event loop stalled for {late:.1f} s")


# --- posters ----------------------------------------------------------------------------------------------


def post_with_retries(ports, path, session_key, body, stats, tries=8):
    """POST one contribution; on a failure retry (on the next server) with the same idempotency key.
    Returns its id or None."""
    import http.client

    from bench.consult_fanout import form_token, post_request

    key = uuid.uuid4().hex
    for attempt in range(tries):
        port = ports[attempt % len(ports)]
        payload, headers = post_request(path, session_key, form_token(), body, key)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            connection.request("POST", path, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
            connection.close()
        except OSError:
            stats["errors"] += 1
            time.sleep(0.3 * (attempt + 1))
            continue
        if 200 <= response.status < 300:
            return json.loads(data)["contribution"]["id"]
        stats[f"http_{response.status}"] = stats.get(f"http_{response.status}", 0) + 1
        if response.status == 429:
            time.sleep(1)
        else:
            time.sleep(0.3 * (attempt + 1))
    return None


def run(seconds: float, listeners: int, posters: int, fault: str = "redis") -> dict:
    """fault = "redis" (kill and restart the private Redis) or "app" (SIGKILL one of the two servers)."""
    from bench.common import log
    from bench.consult_fanout import (
        bench_consultation,
        bench_users,
        post_path,
        raise_fd_limit,
        start_servers,
        stop_servers,
    )
    from consult.models import Contribution

    raise_fd_limit()
    consultation, section = bench_consultation(f"Panne ({fault})")
    sessions = [key for _, key in bench_users(posters, prefix="fault-redis")]
    from django.db import connections

    connections.close_all()
    path = post_path(consultation, section)
    redis_url = f"redis://127.0.0.1:{REDIS_PORT}/0"
    start_redis()
    # Both the cache and the channel layer on the private Redis (a CHANNEL_REDIS_URL inherited from the
    # caller's environment would otherwise keep the layer on the shared Redis and the fault would not bite).
    servers = start_servers(
        PORTS,
        extra_env={
            "REDIS_URL": redis_url,
            "CHANNEL_REDIS_URL": redis_url,
            "BENCH_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        },
    )
    accepted: dict[str, int] = {}
    stats = {"errors": 0}
    lock = threading.Lock()
    try:

        async def scenario():
            stop = asyncio.Event()
            group = [Listener(i, PORTS[i % len(PORTS)], consultation.pk, PORTS) for i in range(listeners)]
            tasks = [asyncio.create_task(listener.run(stop)) for listener in group]
            watchdog = asyncio.create_task(loop_lag_watchdog())
            await asyncio.sleep(3)  # everyone connected and subscribed
            deadline = time.time() + seconds

            def poster(n):
                i = 0
                while time.time() < deadline:
                    i += 1
                    body = f"Contribution {n}-{i} pendant la panne de Redis ({secrets.token_hex(6)})."
                    ports = PORTS[(n + i) % 2 :] + PORTS[: (n + i) % 2]
                    cid = post_with_retries(ports, path, sessions[n], body, stats)
                    if cid is not None:
                        with lock:
                            accepted[body] = cid

            loop = asyncio.get_running_loop()
            threads = [loop.run_in_executor(None, poster, n) for n in range(posters)]
            await asyncio.sleep(seconds * 0.3)
            if fault == "redis":
                log(
                    f"fault_redis_restart: killing Redis (pid file {redis_pidfile()}) after {seconds * 0.3:.0f} s, "
                    f"{len(accepted)} accepted so far"
                )
                await loop.run_in_executor(None, kill_redis)
                await asyncio.sleep(4)
                await loop.run_in_executor(None, start_redis)
                log(f"fault_redis_restart: Redis restarted, {len(accepted)} accepted so far")
            else:
                log(
                    f"fault_app_process: SIGKILL to the server on port {PORTS[1]} (pid {servers[1].pid}), "
                    f"{len(accepted)} accepted so far"
                )
                servers[1].kill()
            await asyncio.gather(*threads)
            await asyncio.sleep(5)  # the last broadcasts arrive
            live = [set(listener.contributions) for listener in group]
            synced = await asyncio.gather(*(listener.final_catch_up() for listener in group))
            final = [set(listener.contributions) for listener in group]
            for listener, ok in zip(group, synced, strict=True):
                log(
                    f"listener {listener.index}: port {listener.port}, {len(listener.contributions)} seen, "
                    f"last event {listener.last_event_id}, closes {listener.closes}, final catch-up "
                    f"{'synced' if ok else 'NOT synced'}"
                )
            stop.set()
            for listener in group:
                if listener.ws is not None:
                    await listener.ws.close()
            watchdog.cancel()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            closes: dict[str, int] = {}
            for listener in group:
                for reason, count in listener.closes.items():
                    closes[reason] = closes.get(reason, 0) + count
            return live, final, sum(listener.reconnects for listener in group), closes

        live, final, reconnects, closes = asyncio.run(scenario())
    finally:
        stop_servers(servers)
        stop_redis()
    ids = set(accepted.values())
    rows = list(Contribution.objects.filter(consultation_id=consultation.pk).values_list("id", "body"))
    stored_bodies = [body for _, body in rows]
    duplicates = len(stored_bodies) - len(set(stored_bodies))
    missing_in_db = len(ids - {pk for pk, _ in rows})
    delivered = [len(ids & seen) for seen in live]
    delivered_final = [len(ids & seen) for seen in final]
    result = {
        "bench": "fault_redis_restart" if fault == "redis" else "fault_app_process",
        "seconds": seconds,
        "listeners": listeners,
        "posters": posters,
        "accepted": len(ids),
        "stored": len(rows),
        "delivered_min": min(delivered) if delivered else 0,
        "duplicates": duplicates,
        "lost": len(ids) - (min(delivered) if delivered else 0),
        "missing_in_db": missing_in_db,
        "unaccepted_stored": len(rows) - len(ids) - duplicates,
        "listeners_missing_some": sum(1 for d in delivered if d < len(ids)),
        "after_final_catch_up_lost": len(ids) - (min(delivered_final) if delivered_final else 0),
        "reconnects": reconnects,
        "closes": closes,
        "refused_requests": {k: v for k, v in stats.items() if v},
    }
    log(f"fault_redis_restart: {result}")
    return result


def main():
    from bench.common import emit, start_services, use_database

    start_services()
    use_database(DATABASE)
    emit(
        **run(
            float(os.environ.get("FAULT_SECONDS", "60")),
            int(os.environ.get("FAULT_LISTENERS", "40")),
            int(os.environ.get("FAULT_POSTERS", "8")),
            os.environ.get("FAULT_SCENARIO", "redis"),
        )
    )


if __name__ == "__main__":
    main()
