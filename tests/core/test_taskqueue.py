"""Task queue upkeep (core/taskqueue.py) and idempotent e-mails (core/tasks.py): a task run twice after its
worker died sends its e-mail once; RUNNING tasks of a dead worker are re-queued, then failed after too many
attempts; a live worker's tasks are left alone."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import taskqueue
from core.models import SentEmail, WorkerHeartbeat
from core.tasks import send_email


def running_task(worker_ids, started_minutes_ago=1):
    """A send_email task claimed by the given workers (the last one is running it)."""
    result = send_email.using(backend="db").enqueue(to=["a@example.org"], subject="s", text="t", key="k1")
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = "RUNNING"
    row.worker_ids = list(worker_ids)
    row.started_at = timezone.now() - datetime.timedelta(minutes=started_minutes_ago)
    row.save()
    return row


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }


def test_the_same_email_task_run_twice_sends_the_email_once(db):
    send_email.call(to=["a@example.org"], subject="Objet", text="Texte", key="mail-1")
    second = send_email.call(to=["a@example.org"], subject="Objet", text="Texte", key="mail-1")
    assert len(mail.outbox) == 1
    assert second == {"sent": False, "key": "mail-1"}
    assert SentEmail.objects.filter(key="mail-1", recipients=1).count() == 1


def test_an_email_that_failed_to_send_is_not_marked_sent_so_a_retry_sends_it(db, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMultiAlternatives, "send", refuse)
        with pytest.raises(ConnectionRefusedError):
            send_email.call(to=["a@example.org"], subject="Objet", text="Texte", key="mail-2")
    assert not SentEmail.objects.filter(key="mail-2").exists()
    send_email.call(to=["a@example.org"], subject="Objet", text="Texte", key="mail-2")
    assert len(mail.outbox) == 1


def test_a_refused_email_is_queued_again_later_with_the_same_key(db, settings, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    monkeypatch.setattr(
        EmailMultiAlternatives,
        "send",
        lambda self, *a, **k: (_ for _ in ()).throw(OSError("SMTP down")),
    )
    with pytest.raises(OSError):
        send_email.call(to=["a@example.org"], subject="Objet", text="Texte", key="mail-3")
    again = DBTaskResult.objects.get()
    assert again.status == "READY" and again.run_after > timezone.now()
    assert again.args_kwargs["kwargs"]["key"] == "mail-3"
    assert again.args_kwargs["kwargs"]["attempt"] == 2


def test_templated_emails_carry_a_key_fixed_when_they_are_decided(db, django_capture_on_commit_callbacks):
    from core.mail import send_templated

    with django_capture_on_commit_callbacks(execute=True):
        send_templated("a@example.org", "consult/email/blocked", {})
    assert len(mail.outbox) == 1
    assert SentEmail.objects.get().key.startswith("mail-")


def test_the_sweep_requeues_the_running_task_of_a_worker_that_stopped_beating(db, db_tasks):
    WorkerHeartbeat.objects.create(worker_id="dead", beat_at=timezone.now() - datetime.timedelta(minutes=5))
    row = running_task(["dead"])
    assert taskqueue.sweep() == {"requeued": 1, "failed": 0}
    row.refresh_from_db()
    assert row.status == "READY" and row.started_at is None


def test_the_sweep_leaves_the_running_task_of_a_live_worker_alone(db, db_tasks):
    taskqueue.beat("alive")
    row = running_task(["alive"])
    assert taskqueue.sweep() == {"requeued": 0, "failed": 0}
    row.refresh_from_db()
    assert row.status == "RUNNING"


def test_the_sweep_leaves_a_recent_task_of_a_worker_without_heartbeats_alone(db, db_tasks):
    row = running_task(["someone-else"], started_minutes_ago=5)
    assert taskqueue.sweep() == {"requeued": 0, "failed": 0}
    row.refresh_from_db()
    assert row.status == "RUNNING"


def test_the_sweep_requeues_a_very_old_task_of_a_worker_without_heartbeats(db, db_tasks):
    row = running_task(["someone-else"], started_minutes_ago=24 * 60)
    assert taskqueue.sweep() == {"requeued": 1, "failed": 0}
    row.refresh_from_db()
    assert row.status == "READY"


def test_the_sweep_fails_a_task_that_lost_its_worker_too_many_times(db, db_tasks, settings):
    settings.TASKS_MAX_ATTEMPTS = 3
    WorkerHeartbeat.objects.create(worker_id="w3", beat_at=timezone.now() - datetime.timedelta(hours=1))
    row = running_task(["w1", "w2", "w3"])
    assert taskqueue.sweep() == {"requeued": 0, "failed": 1}
    row.refresh_from_db()
    assert row.status == "FAILED"
    assert row.exception_class_path == "core.taskqueue.WorkerLost"


def test_a_requeued_email_task_whose_email_already_went_out_does_not_send_it_again(db, db_tasks):
    send_email.call(to=["a@example.org"], subject="s", text="t", key="k1")  # went out, then the worker died
    WorkerHeartbeat.objects.create(worker_id="dead", beat_at=timezone.now() - datetime.timedelta(minutes=5))
    row = running_task(["dead"])
    taskqueue.sweep()
    row.refresh_from_db()
    assert send_email.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])["sent"] is False
    assert len(mail.outbox) == 1


def test_tasks_sweep_command_reports_what_it_did(db, db_tasks, capsys):
    from django.core.management import call_command

    WorkerHeartbeat.objects.create(worker_id="dead", beat_at=timezone.now() - datetime.timedelta(minutes=5))
    running_task(["dead"])
    call_command("tasks_sweep")
    assert "1 re-queued, 0 failed" in capsys.readouterr().out
