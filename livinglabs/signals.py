"""Wagtail workflow signals -> e-mail to the person who declared the lab."""

from django.dispatch import receiver
from wagtail.signals import workflow_approved, workflow_rejected


@receiver(workflow_approved)
def on_workflow_approved(sender, instance, user=None, **kwargs):
    from livinglabs.services import notify_proposer

    notify_proposer(instance, approved=True)


@receiver(workflow_rejected)
def on_workflow_rejected(sender, instance, user=None, **kwargs):
    from livinglabs.services import notify_proposer

    notify_proposer(instance, approved=False)
