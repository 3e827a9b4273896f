"""Background tasks shared by every app (run by `manage.py db_worker`).

Tasks may run more than once (a worker killed mid-task has its RUNNING tasks re-queued by core/taskqueue.py),
so each one is idempotent: an e-mail carries a key fixed when it was decided, and the `SentEmail` row written
in the same transaction as the send makes a second attempt a no-op.
"""

import datetime
import logging
import uuid

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 5


def new_email_key() -> str:
    return f"mail-{uuid.uuid4().hex}"


@task()
def send_email(
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    reply_to: list[str] | None = None,
    key: str = "",
    attempt: int = 1,
):
    from core.models import SentEmail

    message = EmailMultiAlternatives(subject=subject, body=text, to=to, reply_to=reply_to or None)
    if html:
        message.attach_alternative(html, "text/html")
    key = key or new_email_key()
    try:
        with transaction.atomic():
            # The row is committed only if the SMTP server accepted the message; a retry of a task whose
            # e-mail went out finds it (select_for_update waits for a concurrent attempt) and stops there.
            _, created = SentEmail.objects.select_for_update().get_or_create(key=key, defaults={"recipients": len(to)})
            if not created:
                logger.info("e-mail %s already sent; not sending it again", key)
                return {"sent": False, "key": key}
            message.send()
    except Exception:
        # SMTP down or refusing: try again later with the same key (never lost, never twice).
        backend = send_email.get_backend()
        if attempt < MAX_SEND_ATTEMPTS and backend.supports_defer:
            delay = datetime.timedelta(minutes=2**attempt)
            send_email.using(run_after=timezone.now() + delay).enqueue(
                to=to,
                subject=subject,
                text=text,
                html=html,
                reply_to=reply_to,
                key=key,
                attempt=attempt + 1,
            )
        raise
    # No address or content in logs (personal data): only the count.
    logger.info("sent e-mail to %d recipient(s)", len(to))
    return {"sent": True, "key": key}
