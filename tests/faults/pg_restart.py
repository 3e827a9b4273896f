"""PostgreSQL restarted during concurrent posting: clean 503s in French, no partial write, service resumes.

`python -m tests.faults.pg_restart` (run by tests/faults/test_database_faults.py). A **private** PostgreSQL
cluster (`pg_createcluster <version> agora_faults`, port FAULT_PG_PORT = 5441) holds database agora_faults_pg;
one real server process runs config.settings.production (plain HTTP, rate limits off) against it. Posters post
contributions for FAULT_SECONDS; at 30 % of the run the cluster is stopped (`pg_ctlcluster … stop -m fast`,
which kills every session) and started again 3 s later. Prints one JSON line.
"""

import json
import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("FAULT_PG_PORT", "5441"))
CLUSTER = "agora_faults"
SERVER_PORT = 8731


def version() -> str:
    return sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: [int(x) for x in v.split(".")])[-1]


def ensure_cluster() -> str:
    v = version()
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    if not any(line.split()[:2] == [v, CLUSTER] for line in listing.splitlines()):
        subprocess.run(["pg_createcluster", v, CLUSTER, "-p", str(PORT)], check=True, capture_output=True)
        conf = Path(f"/etc/postgresql/{v}/{CLUSTER}/conf.d/agora.conf")
        conf.write_text("listen_addresses = '127.0.0.1'\nfsync = off\nfull_page_writes = off\n")
    subprocess.run(["pg_ctlcluster", v, CLUSTER, "start"], capture_output=True)
    for _ in range(60):
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(PORT)], capture_output=True).returncode == 0:
            break
        time.sleep(0.5)
    sql = (
        "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='agora') THEN "
        "CREATE ROLE agora LOGIN SUPERUSER PASSWORD 'agora'; END IF; END$$;"
    )
    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            "psql",
            "-h",
            "/var/run/postgresql",
            "-p",
            str(PORT),
            "-qc",
            sql,
        ],
        check=True,
        capture_output=True,
    )
    return f"postgres://agora:agora@127.0.0.1:{PORT}/postgres"


def pg(action: str):
    subprocess.run(
        [
            "pg_ctlcluster",
            version(),
            CLUSTER,
            action,
            *(["-m", "fast"] if action == "stop" else []),
        ],
        check=True,
        capture_output=True,
    )


def post(path, session_key, body, key):
    import http.client

    from bench.consult_fanout import form_token, post_request

    payload, headers = post_request(path, session_key, form_token(), body, key)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", SERVER_PORT, timeout=30)
        connection.request("POST", path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
    except OSError as exc:
        return 0, repr(exc)
    return response.status, data.decode("utf-8", "replace")


def json_message(text: str) -> str:
    try:
        return json.loads(text).get("message", "")
    except ValueError:
        return text


def main():
    seconds = float(os.environ.get("FAULT_SECONDS", "20"))
    posters = int(os.environ.get("FAULT_POSTERS", "4"))
    os.environ["DATABASE_URL"] = ensure_cluster()
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(64)  # the server checks the sessions made here
    from bench.common import use_database

    use_database("agora_faults_pg")
    from bench.consult_fanout import bench_consultation, bench_users, post_path
    from consult.models import ConsultationEvent, Contribution

    consultation, section = bench_consultation("Panne de PostgreSQL")
    sessions = [key for _, key in bench_users(posters, prefix="fault-pg")]
    path = post_path(consultation, section)
    from django.db import connections

    connections.close_all()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "RATELIMIT_ENABLED": "false",
        "DB_CONN_MAX_AGE": "0",
        "DB_POOL_MAX_SIZE": "4",
        "DB_POOL_TIMEOUT": "2",  # shorter than the 3 s outage: some requests wait it out, others get the 503
        "EMAIL_URL": "locmem://",
        "LOG_LEVEL": "ERROR",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)  # this fault is about the database: in-memory layer and cache
    env.pop("ELASTICSEARCH_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--port",
            str(SERVER_PORT),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=sys.stderr,
        stderr=sys.stderr,
    )
    import urllib.request

    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{SERVER_PORT}/robots.txt", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    outcomes = {"accepted": 0, "503_french": 0, "503_other": 0, "other": {}, "slowest_ms": 0}
    accepted_ids = set()
    texts_kept = 0
    lock = threading.Lock()
    deadline = time.time() + seconds

    def poster(n):
        nonlocal texts_kept
        i = 0
        while time.time() < deadline:
            i += 1
            body = f"Contribution {n}-{i} pendant le redémarrage de PostgreSQL ({secrets.token_hex(5)})."
            started = time.monotonic()
            status, text = post(path, sessions[n], body, uuid.uuid4().hex)
            elapsed_ms = (time.monotonic() - started) * 1000
            with lock:
                outcomes["slowest_ms"] = max(outcomes["slowest_ms"], round(elapsed_ms))
                if 200 <= status < 300:
                    outcomes["accepted"] += 1
                    accepted_ids.add(json.loads(text)["contribution"]["id"])
                elif status == 503 and "momentanément indisponible" in json_message(text):
                    outcomes["503_french"] += 1
                    texts_kept += json.loads(text).get("ok") is False
                elif status == 503:
                    outcomes["503_other"] += 1
                else:
                    outcomes["other"][str(status)] = outcomes["other"].get(str(status), 0) + 1
            time.sleep(0.05)

    threads = [threading.Thread(target=poster, args=(n,)) for n in range(posters)]
    for thread in threads:
        thread.start()
    time.sleep(seconds * 0.3)
    print(f"pg_restart: stopping the private cluster after {seconds * 0.3:.0f} s", file=sys.stderr)
    pg("stop")
    time.sleep(3)
    pg("start")
    print("pg_restart: cluster started again", file=sys.stderr)
    for thread in threads:
        thread.join()
    # Service resumes by itself: a new contribution goes through without restarting anything.
    status, _ = post(path, sessions[0], f"Après la panne ({secrets.token_hex(4)}).", uuid.uuid4().hex)
    server.terminate()
    server.wait(20)
    connections.close_all()
    rows = list(Contribution.objects.filter(consultation_id=consultation.pk).values_list("id", "body"))
    with_event = set(
        ConsultationEvent.objects.filter(consultation_id=consultation.pk, kind="contribution.created").values_list(
            "contribution_id", flat=True
        )
    )
    result = {
        "fault": "postgres_restart",
        "seconds": seconds,
        **{k: v for k, v in outcomes.items()},
        "json_503_with_ok_false": texts_kept,
        "resumed_status": status,
        "stored": len(rows),
        "duplicates": len(rows) - len({b for _, b in rows}),
        "accepted_missing": len(accepted_ids - {pk for pk, _ in rows}),
        # Committed but answered 503 (the connection died after COMMIT): the person's retry with the same
        # idempotency key gets this contribution back instead of a second one.
        "stored_unacknowledged": len(rows) - outcomes["accepted"] - (1 if 200 <= status < 300 else 0),
        "without_event": len({pk for pk, _ in rows} - with_event),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
