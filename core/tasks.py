"""Background tasks shared by every app (run by `manage.py db_worker`)."""

import logging

from django.core.mail import EmailMultiAlternatives
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_email(to: list[str], subject: str, text: str, html: str = "", reply_to: list[str] | None = None):
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, reply_to=reply_to or None)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    # No address or content in logs (personal data): only the count.
    logger.info("sent e-mail to %d recipient(s)", len(to))
