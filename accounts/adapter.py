from allauth.account import adapter as allauth_adapter
from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from core.tasks import new_email_key, send_email


class AccountAdapter(DefaultAccountAdapter):
    """Route allauth's e-mails through our task queue, like every other e-mail."""

    def send_mail(self, template_prefix, email, context):
        request = allauth_adapter.context.request
        ctx = {
            "request": request,
            "email": email,
            "current_site": allauth_adapter.get_current_site(request),
        }
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = next((body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), "")
        key = new_email_key()
        transaction.on_commit(
            lambda: send_email.enqueue(to=[email], subject=message.subject, text=message.body, html=html, key=key)
        )

    def populate_username(self, request, user):
        # We log in by e-mail; the username only needs to be unique.
        from allauth.account.utils import user_email, user_username

        if not user_username(user):
            base = (user_email(user) or "participant").split("@")[0][:100]
            user_username(user, self.generate_unique_username([base, "participant"]))
