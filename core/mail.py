"""One way to send e-mail: render templates, enqueue through the task queue after commit."""

from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from core.tasks import new_email_key, send_email


def send_templated(to, template: str, context: dict | None = None, reply_to=None):
    """Render `<template>_subject.txt`, `.txt` and (optional) `.html` in French and queue the message.

    The task is enqueued on commit so no e-mail goes out for a rolled-back change.
    """
    message = render_templated(to, template, context, reply_to)
    if message is not None:
        transaction.on_commit(lambda: send_email.enqueue(**message))


def send_templated_many(messages: list[dict]):
    """Queue messages made by `render_templated` (None entries skipped) on commit, in ONE transaction: a batch
    of contributions queues its receipts with one commit, not one per e-mail."""
    messages = [message for message in messages if message is not None]
    if not messages:
        return

    def enqueue_all():
        with transaction.atomic():
            for message in messages:
                send_email.enqueue(**message)

    transaction.on_commit(enqueue_all)


def render_templated(to, template: str, context: dict | None = None, reply_to=None) -> dict | None:
    """The arguments of the `send_email` task for this message, rendered now (None: nobody to send it to)."""
    recipients = [to] if isinstance(to, str) else [r for r in to if r]
    if not recipients:
        return None
    context = dict(context or {})
    with translation.override("fr"):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:  # the HTML part is optional
            html = ""
    # The key is fixed now: every attempt of the task sends this e-mail at most once.
    return {
        "to": recipients,
        "subject": subject,
        "text": text,
        "html": html,
        "reply_to": reply_to,
        "key": new_email_key(),
    }
