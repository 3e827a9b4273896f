"""Task worker killed mid-batch: e-mails and index updates are retried, none lost, none sent twice.

`python -m tests.faults.worker_kill` (run by tests/faults/test_task_faults.py). Database agora_faults_worker
on the PostgreSQL of scripts/services.sh. FAULT_EMAILS e-mails (each with its key, as core/mail.py gives them)
and FAULT_CONTRIBUTIONS contributions (each committed alone, so each queues its own index update) are queued
in the database task backend. Worker A (`manage.py db_worker`, tests/faults/worker_settings.py: e-mails take
FAULT_MAIL_DELAY seconds and are appended to a file) is killed with SIGKILL in the middle of an e-mail once a
third of the e-mails went out; worker B is killed in the middle of an index update; worker C must finish
everything: the sweep re-queues what a dead worker was running once its heartbeat is
TASKS_WORKER_STALE_SECONDS old. Prints one JSON line.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

ROOT = Path(__file__).resolve().parents[2]


class SlowFileBackend(BaseEmailBackend):
    """Takes FAULT_MAIL_DELAY seconds per message (an SMTP server), then appends its subject to FAULT_OUTBOX."""

    def send_messages(self, messages):
        path = os.environ["FAULT_OUTBOX"]
        for message in messages:
            time.sleep(float(os.environ.get("FAULT_MAIL_DELAY", "0.1")))
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (message.subject + "\n").encode())  # one write: atomic with O_APPEND
            finally:
                os.close(fd)
        return len(messages)


def sent(outbox: Path) -> list[str]:
    return outbox.read_text().split() if outbox.exists() else []


def start_worker(worker_id: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.05",
            "--no-reload",
            "--no-startup-delay",
            "--queue-name",
            "*",
            "--worker-id",
            worker_id,
            "-v",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stdout=sys.stderr,
        stderr=sys.stderr,
    )


def main():
    emails = int(os.environ.get("FAULT_EMAILS", "150"))
    contributions = int(os.environ.get("FAULT_CONTRIBUTIONS", "150"))
    stale = int(os.environ.get("FAULT_STALE_SECONDS", "3"))
    from bench.common import use_database

    os.environ.pop("ELASTICSEARCH_URL", None)  # index updates go to the database engine here
    os.environ.pop("REDIS_URL", None)
    use_database("agora_faults_worker", fresh=True)
    from django.db import connections, transaction
    from django_tasks_db.models import DBTaskResult

    from bench.consult_fanout import bench_consultation, bench_users
    from consult.models import Contribution
    from core.tasks import send_email
    from search.models import PendingUpdate, SearchDocument

    consultation, section = bench_consultation("Panne du worker de tâches")
    ((author, _),) = bench_users(1, prefix="fault-worker")
    created = []
    for i in range(max(emails, contributions)):
        if i < contributions:
            with transaction.atomic():  # commit → its index update is queued (search/indexing.py)
                c = Contribution.objects.create(
                    consultation_id=consultation.pk,
                    section=section,
                    author=author,
                    depth=0,
                    body=f"Contribution {i} indexée pendant la panne du worker.",
                    stance="pour",
                    status=Contribution.STATUS_PUBLISHED,
                )
                c.root = c
                c.receipt_number = f"C-2026-{c.pk:06d}"
                c.save(update_fields=["root", "receipt_number"])
            created.append(c.pk)
        if i < emails:
            send_email.enqueue(
                to=[f"participant{i}@example.org"],
                subject=f"fault-mail-{i}",
                text="Accusé de réception",
                key=f"fault-mail-{i}",
            )
    queued = DBTaskResult.objects.ready().count()
    paths = {}
    for path in DBTaskResult.objects.ready().values_list("task_path", flat=True):
        paths[path] = paths.get(path, 0) + 1
    print(f"worker_kill: queued {paths}", file=sys.stderr)
    connections.close_all()

    outbox = Path(tempfile.mkdtemp(prefix="agora-fault-outbox-")) / "sent.txt"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
        "FAULT_OUTBOX": str(outbox),
        "TASKS_HEARTBEAT_SECONDS": "1",
        "TASKS_SWEEP_SECONDS": "1",
        "TASKS_WORKER_STALE_SECONDS": str(stale),
        "PYTHONUNBUFFERED": "1",
    }
    kills = []

    def kill_while_running(worker_id: str, task_path: str, after_emails: int):
        """Start a worker; SIGKILL it while it runs a `task_path` task, once `after_emails` e-mails went out."""
        worker = start_worker(worker_id, env)
        deadline = time.time() + 120
        while time.time() < deadline and worker.poll() is None:
            if len(sent(outbox)) >= after_emails and (
                DBTaskResult.objects.running().filter(task_path=task_path).exists()
            ):
                break
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        running = list(DBTaskResult.objects.running().values_list("task_path", flat=True))
        kills.append({"worker": worker_id, "emails_sent": len(sent(outbox)), "running": running})
        print(f"worker_kill: {worker_id} killed: {kills[-1]}", file=sys.stderr)
        connections.close_all()

    # A dies in the middle of an e-mail (its SentEmail row written, not committed), B in the middle of an
    # index update; C must finish everything once the sweep re-queued what they were running.
    kill_while_running("fault-worker-A", "core.tasks.send_email", emails // 3)
    kill_while_running("fault-worker-B", "search.tasks.apply_pending_updates", emails // 2)
    killed_at = kills[0]["emails_sent"]
    running_at_kill = [path for kill in kills for path in kill["running"]]

    b = start_worker("fault-worker-C", env)
    started = time.time()
    while time.time() < started + 120:
        left = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
        connections.close_all()
        if not left:
            break
        time.sleep(0.5)
    recovered_s = time.time() - started
    b.send_signal(signal.SIGTERM)
    try:
        b.wait(30)
    except subprocess.TimeoutExpired:
        b.kill()

    lines = sent(outbox)
    expected = {f"fault-mail-{i}" for i in range(emails)}
    statuses = {}
    for status in DBTaskResult.objects.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    indexed = set(
        SearchDocument.objects.filter(key__in=[f"contribution-{pk}" for pk in created]).values_list("key", flat=True)
    )
    result = {
        "fault": "task_worker_killed",
        "emails": emails,
        "contributions": contributions,
        "tasks_queued": queued,
        "kills": kills,
        "sent_before_kill": killed_at,
        "running_at_kill": len(running_at_kill),
        "running_tasks_at_kill": sorted(set(running_at_kill)),
        "recovered_s": round(recovered_s, 1),
        "emails_sent": len(lines),
        "emails_lost": len(expected - set(lines)),
        "emails_twice": len(lines) - len(set(lines)),
        "tasks": statuses,
        "pending_updates_left": PendingUpdate.objects.count(),
        "index_missing": len(created) - len(indexed),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
