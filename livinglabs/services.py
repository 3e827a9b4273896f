"""Every state change of a living lab goes through one function here.

Self-declaration creates a draft page and starts the Wagtail moderation workflow of the index page
("Validation des living labs", approved by the Édition group); updates by the proposer are new revisions that
go through the same workflow. Notifications go out with core.mail.send_templated (on commit).
"""

import logging

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import roles
from core.mail import send_templated
from livinglabs.models import LivingLabIndexPage, LivingLabPage

logger = logging.getLogger(__name__)

INDEX_SLUG = "living-labs"
WORKFLOW_NAME = "Validation des living labs"
TASK_NAME = "Validation éditoriale des living labs"
VERIFY_SALT = "livinglabs.verify"
VERIFY_MAX_AGE = 60 * 60 * 24 * 120  # the link stays valid 120 days (reminder + grace period)


class LivingLabError(Exception):
    """A refused action, with a French message for the person."""


def get_index_page() -> LivingLabIndexPage:
    index = LivingLabIndexPage.objects.first()
    if index is None:
        raise LivingLabError(_("L'annuaire des living labs n'est pas encore créé."))
    return index


def ensure_index_page(home) -> LivingLabIndexPage:
    """Get or create the index page at /living-labs/ under the home page, with its moderation workflow."""
    index = LivingLabIndexPage.objects.first()
    if index is None:
        index = LivingLabIndexPage(
            title="Carte des living labs en santé",
            slug=INDEX_SLUG,
            intro=(
                "Les living labs associent usagers, professionnels, chercheurs et entreprises pour concevoir "
                "et évaluer ensemble des solutions de santé. Trouvez ceux de votre territoire, découvrez leurs "
                "services et déclarez le vôtre."
            ),
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    ensure_workflow(index)
    return index


def ensure_workflow(index):
    """The workflow editors use to approve declarations (idempotent)."""
    from django.contrib.auth.models import Group
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
        editors, _ = Group.objects.get_or_create(name=roles.EDITOR)
        task.groups.set([editors])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return workflow


def unique_slug(parent, title: str) -> str:
    base = slugify(title)[:70] or "living-lab"
    slug, n = base, 1
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def apply_data(page: LivingLabPage, data: dict):
    for name, value in data.items():
        if name in ("tags", "website_url"):
            continue
        setattr(page, name, value)
    page.draft_title = page.title
    page.fill_geography(force=True)
    if "tags" in data:
        page.tags.set(data["tags"], clear=True)


def mute_admin_notifications(user):
    """Proposers without admin access get our French e-mail instead of Wagtail's admin-oriented notices
    (which link to an admin they cannot open)."""
    if user.is_staff or user.has_perm("wagtailadmin.access_admin"):
        return
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    if profile.approved_notifications or profile.rejected_notifications:
        profile.approved_notifications = profile.rejected_notifications = False
        profile.save(update_fields=["approved_notifications", "rejected_notifications"])


def start_moderation(page: LivingLabPage, user):
    """Submit the latest revision to the workflow (restarting it when a previous round is still open)."""
    mute_admin_notifications(user)
    state = page.current_workflow_state
    if state is not None:
        state.cancel(user=user)
    workflow = page.get_workflow()
    if workflow is None:
        workflow = ensure_workflow(get_index_page())
    workflow.start(page, user)


@transaction.atomic
def propose_lab(user, data: dict) -> LivingLabPage:
    """A logged-in person declares a lab: a draft page, submitted to the editors' workflow."""
    if not user.is_authenticated:
        raise LivingLabError(_("Connectez-vous pour déclarer un living lab."))
    index = get_index_page()
    page = LivingLabPage(
        live=False, has_unpublished_changes=True, owner=user, proposed_by=user, last_verified=timezone.localdate()
    )
    apply_data(page, {k: v for k, v in data.items() if k != "tags"})
    page.slug = unique_slug(index, page.title)
    index.add_child(instance=page)
    page.tags.set(data.get("tags", []), clear=True)
    page.save()
    page.save_revision(user=user, log_action=True)
    start_moderation(page, user)
    logger.info("living lab %s declared", page.pk)
    return page


def can_propose_update(user, lab) -> bool:
    return bool(user.is_authenticated and lab.proposed_by_id and lab.proposed_by_id == user.pk)


@transaction.atomic
def propose_update(user, lab: LivingLabPage, data: dict) -> LivingLabPage:
    """The proposer changes their lab: a new revision, moderated again. The live version stays as it is."""
    if not can_propose_update(user, lab):
        raise LivingLabError(_("Seule la personne qui a déclaré ce living lab peut proposer des modifications."))
    draft = lab.get_latest_revision_as_object()
    apply_data(draft, data)
    draft.save_revision(user=user, log_action=True)
    start_moderation(lab.__class__.objects.get(pk=lab.pk), user)
    return draft


def latest_comment(workflow_state) -> str:
    task_state = workflow_state.current_task_state
    return (task_state.comment if task_state else "") or ""


def notify_proposer(workflow_state, approved: bool):
    """Tell the proposer the editors' decision (called from Wagtail's workflow signals)."""
    page = workflow_state.content_object
    if not isinstance(page, LivingLabPage):
        page = getattr(page, "specific", page)
    if not isinstance(page, LivingLabPage) or page.proposed_by is None:
        return
    context = {
        "lab": page,
        "approved": approved,
        "comment": latest_comment(workflow_state),
        "proposer": page.proposed_by,
        "lab_url": settings.SITE_URL.rstrip("/") + (page.url or ""),
        "update_url": settings.SITE_URL.rstrip("/") + reverse("livinglabs:update", args=[page.pk]),
    }
    send_templated(page.proposed_by.email, "livinglabs/email/decision", context)


def relay_contact(lab: LivingLabPage, name: str, email: str, message: str):
    """Forward a message from the public to the lab's private address (reply goes to the sender)."""
    send_templated(
        lab.contact_email,
        "livinglabs/email/contact",
        {"lab": lab, "name": name, "email": email, "message": message},
        reply_to=[email],
    )


# --- yearly re-validation --------------------------------------------------------------------------------
def verification_token(lab) -> str:
    return signing.dumps({"lab": lab.pk, "v": lab.last_verified.isoformat()}, salt=VERIFY_SALT)


def lab_from_token(token: str) -> LivingLabPage:
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired as error:
        raise LivingLabError(_("Ce lien a expiré. Écrivez-nous pour recevoir un nouveau lien.")) from error
    except signing.BadSignature as error:
        raise LivingLabError(_("Ce lien n'est pas valide.")) from error
    lab = LivingLabPage.objects.filter(pk=data.get("lab")).first()
    if lab is None:
        raise LivingLabError(_("Ce living lab n'existe plus."))
    if lab.last_verified.isoformat() != data.get("v"):
        raise LivingLabError(_("Les informations de ce living lab ont déjà été confirmées."))
    return lab


def send_revalidation_reminders(today=None) -> int:
    """E-mail each published lab verified more than a year ago (once per verification); return the count."""
    sent = 0
    labs = LivingLabPage.objects.published().due_for_revalidation(today)
    for lab in labs.only("pk", "title", "url_path", "contact_email", "last_verified"):
        with transaction.atomic():
            url = settings.SITE_URL.rstrip("/") + reverse("livinglabs:verify", args=[verification_token(lab)])
            send_templated(lab.contact_email, "livinglabs/email/revalidation", {"lab": lab, "verify_url": url})
            LivingLabPage.objects.filter(pk=lab.pk).update(revalidation_sent_at=timezone.now())
        sent += 1
    return sent


def _store_on_latest_revision(lab, **fields):
    """Keep the latest revision in step so a later publication does not bring back the old values."""
    revision = lab.latest_revision
    if revision is not None:
        for name, value in fields.items():
            revision.content[name] = value.isoformat() if hasattr(value, "isoformat") else value
        revision.save(update_fields=["content"])


@transaction.atomic
def confirm_verification(lab: LivingLabPage, status: str):
    """The contact confirms the information is up to date (and gives the current status)."""
    today = timezone.localdate()
    lab.last_verified, lab.status, lab.revalidation_sent_at = today, status, None
    lab.save(update_fields=["last_verified", "status", "revalidation_sent_at"])
    _store_on_latest_revision(lab, last_verified=today, status=status, revalidation_sent_at=None)
    logger.info("living lab %s verified", lab.pk)


@transaction.atomic
def report_changes(lab: LivingLabPage, status: str, changes: str):
    """The contact reports changes: editors get them by e-mail; the lab counts as verified today."""
    confirm_verification(lab, status)
    from django.contrib.auth import get_user_model

    editors = get_user_model().objects.filter(groups__name=roles.EDITOR, is_active=True).values_list("email", flat=True)
    admin_url = settings.SITE_URL.rstrip("/") + reverse("wagtailadmin_pages:edit", args=[lab.pk])
    send_templated(
        list(editors), "livinglabs/email/changes_reported", {"lab": lab, "changes": changes, "admin_url": admin_url}
    )
