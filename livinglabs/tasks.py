"""Background tasks (run by `manage.py db_worker`); the daily cron can call the management command instead."""

from django_tasks import task


@task()
def send_revalidation_reminders():
    from livinglabs.services import send_revalidation_reminders as send

    return send()
