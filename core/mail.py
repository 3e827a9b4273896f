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
    recipients = [to] if isinstance(to, str) else [r for r in to if r]
    if not recipients:
        return
    context = dict(context or {})
    with translation.override("fr"):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:  # the HTML part is optional
            html = ""
    key = new_email_key()  # fixed now: every attempt of the task sends this e-mail at most once
    transaction.on_commit(
        lambda: send_email.enqueue(to=recipients, subject=subject, text=text, html=html, reply_to=reply_to, key=key)
    )
