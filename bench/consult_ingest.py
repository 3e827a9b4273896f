"""consult_ingest: 100 concurrent writers posting contributions over HTTP for 60 s, with retries.

Method (see docs/realtime.md): PostgreSQL + Redis from bench.common.start_services(); the two real server
processes of consult_fanout (uvicorn, one worker each, config.settings.bench: rate limits off). Each writer is a
signed-in user (a session created in the database, its cookie sent like a browser's) with its own keep-alive
HTTP/1.1 connection (plain asyncio streams), alternating servers. A writer posts the contribution form through
its JSON path (CSRF cookie + X-CSRFToken header, a signed "rendered at" stamp older than the minimum fill time)
with a fresh idempotency key; on a timeout (10 s, --timeout), a connection error or a 5xx it reconnects and retries with the
SAME key. Latency = first attempt → 2xx. Afterwards the database is checked: lost = accepted keys with no stored
contribution, duplicated = keys stored more than once.

`--processes N` runs N server processes (default 2); `--floor` answers the posting URL with an empty view that only
authenticates (bench/floor_urls.py): what everything but the write costs on this machine.
"""

import argparse
import asyncio
import os
import secrets
import sys
import time

from bench.consult_fanout import (
    PORTS,
    bench_consultation,
    bench_users,
    dedicated_redis,
    form_token,
    post_path,
    post_request,
    raise_fd_limit,
    start_servers,
    stop_servers,
)

WRITERS = 100
SECONDS = 60
TIMEOUT = 10.0  # seconds before a writer gives up waiting and retries (same key)


class Connection:
    """A minimal keep-alive HTTP/1.1 client (enough for our own server's answers)."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except Exception:
                pass
        self.reader = self.writer = None

    async def post(self, path: str, body: bytes, headers: dict) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed by the server")
        status = int(status_line.split()[1])
        length, close = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        if length:
            await self.reader.readexactly(length)
        if close:
            await self.close()
        return status


async def writer_loop(
    n: int,
    session_key: str,
    path: str,
    token: str,
    deadline: float,
    stats: dict,
    timeout: float = TIMEOUT,
    ports=PORTS,
):
    connection = Connection(ports[n % len(ports)])
    sequence = 0
    try:
        while time.time() < deadline:
            sequence += 1
            key = f"ingest-{n}-{sequence}-{secrets.token_hex(6)}"
            body = f"Contribution de mesure n°{sequence} de l'auteur·rice {n} ({key})."
            payload, headers = post_request(path, session_key, token, body, key)
            started = time.perf_counter()
            for _attempt in range(20):
                try:
                    status = await asyncio.wait_for(connection.post(path, payload, headers), timeout)
                except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
                    stats["retries"] += 1
                    await connection.close()
                    continue
                if status >= 500:
                    stats["retries"] += 1
                    stats["errors_5xx"] += 1
                    await asyncio.sleep(0.05)
                    continue
                if 200 <= status < 400:
                    stats["latencies"].append((time.perf_counter() - started) * 1000)
                    stats["accepted"].append((n, key))
                else:
                    stats["refused"][status] = stats["refused"].get(status, 0) + 1
                break
            else:
                stats["gave_up"] += 1
    finally:
        await connection.close()


async def run_writers(writers, path, token, seconds, timeout=TIMEOUT, ports=PORTS) -> dict:
    stats = {"latencies": [], "accepted": [], "retries": 0, "errors_5xx": 0, "refused": {}, "gave_up": 0}
    deadline = time.time() + seconds
    await asyncio.gather(
        *(writer_loop(n, key, path, token, deadline, stats, timeout, ports) for n, (_, key) in enumerate(writers))
    )
    return stats


def main():
    from bench.common import emit, log, percentile, start_services, use_database

    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=WRITERS)
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--timeout", type=float, default=TIMEOUT)
    parser.add_argument(
        "--processes", type=int, default=len(PORTS), help="server processes (scripts/serve_prod.sh runs cores + 1)"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="post to an empty view that only authenticates (bench/floor_urls.py): the cost of everything but the write",
    )
    args = parser.parse_args()
    ports = tuple(PORTS[0] + n for n in range(args.processes))
    raise_fd_limit()
    start_services()
    if os.environ.get("REDIS_URL"):
        dedicated_redis()
    use_database(DATABASE_NAME)
    from django.db import connection, connections
    from django.db.models import Count

    from consult.models import Contribution

    consultation, section = bench_consultation("Mesure d'écriture")
    writers = bench_users(args.writers, prefix="bench-writer")
    path, token = post_path(consultation, section), form_token()
    connections.close_all()
    servers = start_servers(ports, {"DJANGO_SETTINGS_MODULE": "bench.floor_settings"} if args.floor else None)
    try:
        log(f"consult_ingest: {args.writers} writers for {args.seconds} s, {len(ports)} server processes")
        started = time.time()
        stats = asyncio.run(run_writers(writers, path, token, args.seconds, args.timeout, ports))
        elapsed = time.time() - started
    finally:
        stop_servers(servers)

    accepted = stats["accepted"]
    user_ids = [user.pk for user, _ in writers]
    stored = dict(
        Contribution.objects.filter(section=section, author_id__in=user_ids)
        .values_list("idempotency_key")
        .annotate(n=Count("id"))
        .values_list("idempotency_key", "n")
    )
    lost = 0 if args.floor else sum(1 for _, key in accepted if key not in stored)  # the empty view stores nothing
    duplicated = sum(1 for n in stored.values() if n > 1)
    connection.close()
    log(
        f"consult_ingest: {len(accepted)} accepted in {elapsed:.1f} s, {stats['retries']} retries "
        f"({stats['errors_5xx']} 5xx), refused {stats['refused']}, gave up {stats['gave_up']}, "
        f"{len(stored)} stored"
    )
    emit(
        bench="consult_ingest",
        writers=args.writers,
        seconds=args.seconds,
        processes=len(ports),
        **({"view": "floor"} if args.floor else {}),
        accepted=len(accepted),
        accepted_per_s=round(len(accepted) / args.seconds, 1),
        p95_ms=round(percentile(stats["latencies"], 95), 2) if stats["latencies"] else None,
        lost=lost,
        duplicated=duplicated,
        retries=stats["retries"],
    )


DATABASE_NAME = "agora_bench_consult"

if __name__ == "__main__":
    sys.exit(main())
