"""Every write on applications: one function per state change or staff action.

Shape (as pretix's approve_order): refuse a wrong current status or role with ProjectsError (French message);
inside one transaction lock the row, change it, save(update_fields=…), write an AuditEntry; e-mails are
queued by core.mail.send_templated, which only sends once the transaction commits.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.roles import EDITOR, is_reviewer
from accounts.rules import is_member
from core.mail import send_templated
from projects import rules
from projects import settings as app_settings
from projects.models import (
    Application,
    Attachment,
    AuditEntry,
    BudgetLine,
    ConflictDeclaration,
    Message,
    Partner,
    ReviewAssignment,
    Score,
)
from projects.validators import validate_attachment

A = Application


class ProjectsError(Exception):
    """A refused action, with a French message for the person."""


# --- helpers -------------------------------------------------------------------------------------------------


def _locked(application) -> Application:
    """Re-read the row under a lock: two clicks or two staff members never both pass the status check."""
    return Application.objects.select_for_update().select_related("call", "organisation").get(pk=application.pk)


def _check_status(application, allowed, action: str):
    if application.status not in allowed:
        raise ProjectsError(
            f"Action impossible : la candidature est « {application.get_status_display()} » ({action} refusé)."
        )


def _log(application, actor, action, from_status="", to_status="", note="", **data):
    return AuditEntry.objects.create(
        application=application,
        actor=actor if actor and actor.pk else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
    )


def _transition(application, actor, to_status, action, note="", fields=(), **data):
    from_status = application.status
    application.status = to_status
    application.save(update_fields=["status", "updated_at", *fields])
    _log(application, actor, action, from_status, to_status, note, **data)
    return application


def _url(path):
    return settings.SITE_URL.rstrip("/") + path


def applicant_emails(application) -> list[str]:
    """The person who created the file, its contact and the organisation's administrators."""
    emails = {application.contact_email} if application.contact_email else set()
    if application.created_by_id and application.created_by.email:
        emails.add(application.created_by.email)
    admins = Membership.objects.filter(organisation=application.organisation_id, role=Membership.ROLE_ADMIN)
    emails.update(admins.values_list("user__email", flat=True))
    return sorted(e for e in emails if e)


def staff_emails() -> list[str]:
    User = get_user_model()
    return list(User.objects.filter(groups__name=EDITOR, is_active=True).values_list("email", flat=True))


def _notify_applicant(application, template, **extra):
    context = {
        "application": application,
        "call": application.call,
        "url": _url(reverse("projects:application_detail", args=[application.pk])),
        **extra,
    }
    send_templated(applicant_emails(application), f"projects/email/{template}", context)


def _require_manager(user):
    if not rules.can_manage(user):
        raise ProjectsError("Cette action est réservée aux agent·es chargé·es de l'instruction.")


def _require_applicant(user, application):
    if not rules.is_applicant(user, application):
        raise ProjectsError("Seul·es les membres de l'organisation candidate peuvent faire cette action.")


# --- drafts ----------------------------------------------------------------------------------------------------


@transaction.atomic
def start_application(call, organisation, user) -> Application:
    """Create a draft, identity prefilled from the organisation. Reuses an existing draft (idempotent)."""
    if not (user.is_authenticated and is_member(user, organisation)):
        raise ProjectsError("Vous devez être membre de l'organisation pour candidater en son nom.")
    if not call.is_open():
        raise ProjectsError("Cet appel à projets n'est pas ouvert aux candidatures.")
    if call.requires_verified_association and not organisation.is_verified:
        raise ProjectsError(
            "Cet appel est réservé aux associations vérifiées par le ministère. "
            "Demandez la vérification de votre organisation depuis sa page."
        )
    existing = Application.objects.filter(call=call, organisation=organisation, status=A.STATUS_DRAFT).first()
    if existing:
        return existing
    application = Application.objects.create(
        call=call,
        organisation=organisation,
        created_by=user,
        legal_name=organisation.name,
        rna=organisation.rna,
        siret=organisation.siret,
        address=organisation.address,
        postcode=organisation.postcode,
        city=organisation.city,
        contact_name=user.display_name or user.get_full_name(),
        contact_email=user.email,
        contact_phone=organisation.phone,
    )
    _log(application, user, "create", to_status=A.STATUS_DRAFT)
    return application


def _check_editable(application, user, section):
    _require_applicant(user, application)
    if not application.section_editable(section):
        if application.status == A.STATUS_CORRECTIONS_REQUESTED:
            raise ProjectsError("Cette partie du dossier n'est pas ouverte aux corrections.")
        raise ProjectsError("Cette candidature n'est plus modifiable.")


@transaction.atomic
def save_draft_input(application, user, step: str, raw: dict) -> Application:
    """Keep what the person typed for a step, valid or not (autosave and failed validations)."""
    application = _locked(application)
    _check_editable(application, user, step)
    draft = dict(application.draft_data or {})
    if draft.get(step) != raw:  # idempotent: the same payload writes nothing
        draft[step] = raw
        application.draft_data = draft
        application.save(update_fields=["draft_data", "updated_at"])
    return application


@transaction.atomic
def save_step(application, user, step: str, values: dict, lines=None, partners=None) -> Application:
    """Store a validated step; clear its raw draft; mark it complete."""
    application = _locked(application)
    _check_editable(application, user, step)
    for name, value in values.items():
        setattr(application, name, value)
    if lines is not None:
        application.budget_lines.all().delete()
        BudgetLine.objects.bulk_create([BudgetLine(application=application, **line) for line in lines])
    if partners is not None:
        application.partners.all().delete()
        Partner.objects.bulk_create([Partner(application=application, **p) for p in partners])
    draft = dict(application.draft_data or {})
    draft.pop(step, None)
    application.draft_data = draft
    if step not in application.completed_steps:
        application.completed_steps = [*application.completed_steps, step]
    application.save(update_fields=[*values.keys(), "draft_data", "completed_steps", "updated_at"])
    return application


def check_budget(call, lines, co_funding, requested) -> list[str]:
    """French error messages for an inconsistent budget (empty list when fine)."""
    errors = []
    total = sum((Decimal(line["amount"]) for line in lines), Decimal("0"))
    if not lines:
        errors.append("Indiquez au moins une ligne de dépense.")
    if requested <= 0:
        errors.append("Le montant demandé doit être supérieur à zéro.")
    if call.max_grant and requested > call.max_grant:
        errors.append(
            f"Le montant demandé ({requested:.2f} €) dépasse la subvention maximale de l'appel "
            f"({call.max_grant:.2f} €)."
        )
    if lines and requested + co_funding != total:
        errors.append(
            f"Le budget n'est pas équilibré : dépenses {total:.2f} € ; montant demandé + cofinancements "
            f"{requested + co_funding:.2f} €."
        )
    return errors


def missing_partner_kinds(call, kinds) -> list[str]:
    present = set(kinds)
    return [kind for kind in call.required_partner_kinds if kind not in present]


@transaction.atomic
def add_attachment(application, user, uploaded, kind="other", message=None) -> Attachment:
    application = _locked(application)
    if message is None:
        _check_editable(application, user, A.SECTION_ATTACHMENTS)
    from django.core.exceptions import ValidationError

    if message is None and application.attachments.filter(message=None).count() >= app_settings.MAX_ATTACHMENTS:
        raise ProjectsError(
            f"Un dossier compte au plus {app_settings.MAX_ATTACHMENTS} pièces jointes : "
            "supprimez-en une avant d'en ajouter une autre."
        )
    try:
        mime = validate_attachment(uploaded)
    except ValidationError as error:
        raise ProjectsError(" ".join(error.messages)) from error
    attachment = Attachment(
        application=application,
        message=message,
        kind=kind,
        original_name=uploaded.name[:255],
        size=uploaded.size,
        content_type=mime,
        uploaded_by=user,
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    attachment.save()
    _log(application, user, "attachment_added", note=attachment.original_name)
    return attachment


@transaction.atomic
def remove_attachment(attachment, user):
    application = _locked(attachment.application)
    _check_editable(application, user, A.SECTION_ATTACHMENTS)
    if attachment.message_id:
        raise ProjectsError("Une pièce jointe de la messagerie ne peut pas être supprimée.")
    name = attachment.original_name
    attachment.file.delete(save=False)
    attachment.delete()
    _log(application, user, "attachment_removed", note=name)


def completeness_errors(application) -> list[tuple[str, str]]:
    """(section, message) pairs that block submission."""
    errors = []
    required = {
        A.SECTION_IDENTITY: ["legal_name", "contact_name", "contact_email", "postcode", "city"],
        A.SECTION_PROJECT: [
            "title",
            "summary",
            "description",
            "target_public",
            "region",
            "duration_months",
            "expected_outcomes",
        ],
    }
    for section, fields in required.items():
        if any(getattr(application, f) in ("", None) for f in fields):
            errors.append((section, "Des champs obligatoires ne sont pas remplis."))
    if not (application.rna or application.siret):
        errors.append((A.SECTION_IDENTITY, "Indiquez le numéro RNA ou SIRET de l'organisation."))
    lines = [{"amount": line.amount} for line in application.budget_lines.all()]
    for message in check_budget(application.call, lines, application.co_funding, application.requested_amount):
        errors.append((A.SECTION_BUDGET, message))
    if application.call.is_consortium:
        missing = missing_partner_kinds(application.call, application.partners.values_list("kind", flat=True))
        if missing:
            from projects.models import PARTNER_KIND_NAMES

            labels = ", ".join(str(PARTNER_KIND_NAMES[k]) for k in missing)
            errors.append(
                (
                    A.SECTION_PARTNERS,
                    f"Le consortium doit compter au moins un partenaire de chaque type requis ; il manque : {labels}.",
                )
            )
    if not application.attachments.filter(message__isnull=True).exists():
        errors.append((A.SECTION_ATTACHMENTS, "Joignez au moins une pièce (statuts, budget…)."))
    return errors


# --- transitions: applicant ------------------------------------------------------------------------------------


@transaction.atomic
def submit(application, user, sworn_declaration: bool, now=None) -> Application:
    """draft → submitted, while the call is open (Europe/Paris, the closing minute included)."""
    application = _locked(application)
    _require_applicant(user, application)
    _check_status(application, [A.STATUS_DRAFT], "dépôt")
    now = now or timezone.now()
    if not application.call.is_open(now):
        raise ProjectsError("L'appel à projets est clos : la candidature ne peut plus être déposée.")
    if application.call.requires_verified_association and not application.organisation.is_verified:
        raise ProjectsError("Cet appel est réservé aux associations vérifiées par le ministère.")
    if not sworn_declaration:
        raise ProjectsError("Cochez la déclaration sur l'honneur pour déposer la candidature.")
    errors = completeness_errors(application)
    if errors:
        raise ProjectsError("Le dossier est incomplet : " + " ".join(message for _, message in errors))
    year = timezone.localtime(now).year
    application.reference = f"{app_settings.REFERENCE_PREFIX}-{year}-{application.pk:05d}"
    application.submitted_at = now
    application.sworn_declaration = True
    application.draft_data = {}
    _transition(
        application,
        user,
        A.STATUS_SUBMITTED,
        "submit",
        fields=["reference", "submitted_at", "sworn_declaration", "draft_data"],
    )
    _notify_applicant(
        application, "receipt", recap_url=_url(reverse("projects:application_recap", args=[application.pk]))
    )
    send_templated(
        staff_emails(),
        "projects/email/staff_new_application",
        {"application": application, "url": _url(reverse("projects:staff_application", args=[application.pk]))},
    )
    return application


@transaction.atomic
def resubmit(application, user) -> Application:
    """corrections_requested → resubmitted; the unlocked sections lock again."""
    application = _locked(application)
    _require_applicant(user, application)
    _check_status(application, [A.STATUS_CORRECTIONS_REQUESTED], "renvoi du dossier complété")
    sections = application.unlocked_sections
    application.unlocked_sections = []
    application.draft_data = {}
    _transition(
        application,
        user,
        A.STATUS_RESUBMITTED,
        "resubmit",
        fields=["unlocked_sections", "draft_data"],
        sections=sections,
    )
    send_templated(
        staff_emails(),
        "projects/email/staff_resubmitted",
        {"application": application, "url": _url(reverse("projects:staff_application", args=[application.pk]))},
    )
    return application


@transaction.atomic
def withdraw(application, user) -> Application:
    """Any undecided status → withdrawn, by a member of the applying organisation."""
    application = _locked(application)
    _require_applicant(user, application)
    _check_status(application, A.UNDECIDED_STATUSES, "retrait")
    _transition(application, user, A.STATUS_WITHDRAWN, "withdraw")
    if application.reference:
        _notify_applicant(application, "withdrawn")
    return application


# --- transitions: staff ----------------------------------------------------------------------------------------


@transaction.atomic
def declare_eligible(application, user) -> Application:
    application = _locked(application)
    _require_manager(user)
    _check_status(application, [A.STATUS_SUBMITTED], "recevabilité")
    _transition(application, user, A.STATUS_ELIGIBLE, "eligible")
    _notify_applicant(application, "eligible")
    return application


@transaction.atomic
def declare_ineligible(application, user, reason: str) -> Application:
    application = _locked(application)
    _require_manager(user)
    _check_status(application, [A.STATUS_SUBMITTED], "irrecevabilité")
    if not (reason or "").strip():
        raise ProjectsError("Indiquez le motif d'irrecevabilité : il est communiqué à l'organisation.")
    application.eligibility_reason = reason.strip()
    application.decided_at = timezone.now()
    _transition(
        application, user, A.STATUS_INELIGIBLE, "ineligible", note=reason, fields=["eligibility_reason", "decided_at"]
    )
    _notify_applicant(application, "ineligible")
    return application


@transaction.atomic
def start_review(application, user) -> Application:
    application = _locked(application)
    _require_manager(user)
    _check_status(application, [A.STATUS_ELIGIBLE], "mise en instruction")
    _transition(application, user, A.STATUS_UNDER_REVIEW, "start_review")
    return application


@transaction.atomic
def request_corrections(application, user, sections, message: str) -> Application:
    """under_review / resubmitted → corrections_requested; only the named sections unlock."""
    application = _locked(application)
    _require_manager(user)
    _check_status(application, [A.STATUS_UNDER_REVIEW, A.STATUS_RESUBMITTED], "demande de compléments")
    valid = {key for key, _ in A.SECTION_CHOICES}
    sections = [s for s in sections if s in valid]
    if not sections:
        raise ProjectsError("Choisissez au moins une partie du dossier à ouvrir aux corrections.")
    if not (message or "").strip():
        raise ProjectsError("Expliquez à l'organisation ce qu'elle doit compléter.")
    application.unlocked_sections = sections
    _transition(
        application,
        user,
        A.STATUS_CORRECTIONS_REQUESTED,
        "request_corrections",
        note=message,
        fields=["unlocked_sections"],
        sections=sections,
    )
    Message.objects.create(application=application, author=user, from_staff=True, body=message.strip())
    _notify_applicant(
        application,
        "corrections",
        message=message.strip(),
        sections=[label for key, label in A.SECTION_CHOICES if key in sections],
    )
    return application


@transaction.atomic
def shortlist(application, user) -> Application:
    application = _locked(application)
    _require_manager(user)
    _check_status(application, [A.STATUS_UNDER_REVIEW, A.STATUS_RESUBMITTED], "présélection")
    _transition(application, user, A.STATUS_SHORTLISTED, "shortlist")
    return application


def _parse_amount(value) -> Decimal:
    try:
        return Decimal(str(value).replace(",", ".").replace(" ", "").replace("\u202f", ""))
    except (InvalidOperation, TypeError):
        raise ProjectsError("Montant invalide.") from None


@transaction.atomic
def accept(application, user, granted_amount, motivation: str) -> Application:
    """shortlisted → accepted, with the amount granted (≤ requested and ≤ the call's maximum)."""
    application = _locked(application)
    _require_manager(user)
    _check_status(application, [A.STATUS_SHORTLISTED], "décision favorable")
    amount = _parse_amount(granted_amount)
    if amount <= 0:
        raise ProjectsError("Le montant accordé doit être supérieur à zéro.")
    if application.call.max_grant and amount > application.call.max_grant:
        raise ProjectsError("Le montant accordé dépasse la subvention maximale de l'appel.")
    if amount > application.requested_amount:
        raise ProjectsError("Le montant accordé dépasse le montant demandé.")
    if not (motivation or "").strip():
        raise ProjectsError("Motivez la décision : elle figure dans la lettre de notification.")
    application.granted_amount = amount
    application.decision_motivation = motivation.strip()
    application.decided_at = timezone.now()
    _transition(
        application,
        user,
        A.STATUS_ACCEPTED,
        "accept",
        note=motivation,
        fields=["granted_amount", "decision_motivation", "decided_at"],
        granted=str(amount),
    )
    _notify_applicant(
        application, "decision", letter_url=_url(reverse("projects:decision_letter", args=[application.pk]))
    )
    return application


@transaction.atomic
def reject(application, user, motivation: str) -> Application:
    application = _locked(application)
    _require_manager(user)
    _check_status(application, [A.STATUS_UNDER_REVIEW, A.STATUS_RESUBMITTED, A.STATUS_SHORTLISTED], "refus")
    if not (motivation or "").strip():
        raise ProjectsError("Motivez la décision : elle figure dans la lettre de notification.")
    application.decision_motivation = motivation.strip()
    application.decided_at = timezone.now()
    _transition(
        application, user, A.STATUS_REJECTED, "reject", note=motivation, fields=["decision_motivation", "decided_at"]
    )
    _notify_applicant(
        application, "decision", letter_url=_url(reverse("projects:decision_letter", args=[application.pk]))
    )
    return application


# --- review ------------------------------------------------------------------------------------------------------


def _linked_automatically(reviewer, application) -> bool:
    """A reviewer who belongs to the applicant or to a partner organisation is recused without asking."""
    org_ids = {application.organisation_id}
    org_ids.update(application.partners.exclude(organisation=None).values_list("organisation_id", flat=True))
    return Membership.objects.filter(user=reviewer, organisation_id__in=org_ids).exists()


@transaction.atomic
def assign_reviewer(application, reviewer, user) -> ReviewAssignment:
    application = _locked(application)
    _require_manager(user)
    _check_status(application, [A.STATUS_ELIGIBLE, *A.REVIEWABLE_STATUSES], "affectation")
    if not is_reviewer(reviewer):
        raise ProjectsError("Cette personne n'a pas le rôle « Instruction des candidatures ».")
    assignment, created = ReviewAssignment.objects.get_or_create(
        application=application, reviewer=reviewer, defaults={"assigned_by": user}
    )
    if not created:
        return assignment
    if _linked_automatically(reviewer, application):
        assignment.recused = True
        assignment.save(update_fields=["recused"])
        _log(application, user, "reviewer_recused", note=reviewer.email, automatic=True)
    else:
        _log(application, user, "reviewer_assigned", note=reviewer.email)
        send_templated(
            reviewer.email,
            "projects/email/assigned",
            {"assignment": assignment, "url": _url(reverse("projects:review", args=[assignment.pk]))},
        )
    return assignment


@transaction.atomic
def declare_conflicts(assignment, user, linked_to_applicant: bool, partner_ids=(), note="") -> ReviewAssignment:
    """First step of any review. A declared link with the applicant or a partner recuses the reviewer."""
    assignment = ReviewAssignment.objects.select_for_update().select_related("application").get(pk=assignment.pk)
    if assignment.reviewer_id != user.pk:
        raise ProjectsError("Cette évaluation est confiée à une autre personne.")
    if assignment.conflict_declared_at:
        raise ProjectsError("Vous avez déjà déclaré vos liens d'intérêts pour ce dossier.")
    application = assignment.application
    partners = list(application.partners.filter(pk__in=partner_ids))
    declaration = ConflictDeclaration.objects.create(
        assignment=assignment, linked_to_applicant=linked_to_applicant, note=(note or "").strip()
    )
    declaration.linked_partners.set(partners)
    assignment.conflict_declared_at = timezone.now()
    assignment.recused = bool(linked_to_applicant or partners or _linked_automatically(user, application))
    assignment.save(update_fields=["conflict_declared_at", "recused"])
    _log(
        application,
        user,
        "conflict_declared",
        note="déport" if assignment.recused else "aucun lien",
        recused=assignment.recused,
    )
    if assignment.recused:
        send_templated(
            staff_emails(),
            "projects/email/staff_recused",
            {
                "assignment": assignment,
                "application": application,
                "url": _url(reverse("projects:staff_application", args=[application.pk])),
            },
        )
    return assignment


@transaction.atomic
def save_scores(assignment, user, values: dict, private_comment="", final=False) -> ReviewAssignment:
    """values: {criterion_id: int}. `final` closes the grid (only final reviews count in the ranking)."""
    assignment = ReviewAssignment.objects.select_for_update().select_related("application__call").get(pk=assignment.pk)
    application = assignment.application
    if assignment.reviewer_id != user.pk or not is_reviewer(user):
        raise ProjectsError("Cette évaluation est confiée à une autre personne.")
    if not assignment.conflict_declared_at:
        raise ProjectsError("Déclarez d'abord vos liens d'intérêts avec ce dossier.")
    if assignment.recused:
        raise ProjectsError("Vous vous êtes déporté·e de ce dossier : vous ne pouvez pas l'évaluer.")
    if application.status not in A.REVIEWABLE_STATUSES:
        raise ProjectsError("Ce dossier n'est pas (ou plus) en instruction.")
    if assignment.submitted_at:
        raise ProjectsError("Votre évaluation est déjà transmise.")
    criteria = {c.pk: c for c in application.call.criteria.all()}
    scale = application.call.score_scale
    clean = {}
    for criterion_id, value in values.items():
        if int(criterion_id) not in criteria:
            raise ProjectsError("Critère inconnu.")
        if value in (None, ""):
            continue
        value = int(value)
        if not 0 <= value <= scale:
            raise ProjectsError(f"Chaque note est comprise entre 0 et {scale}.")
        clean[int(criterion_id)] = value
    if final and set(clean) != set(criteria):
        raise ProjectsError("Notez tous les critères avant de transmettre votre évaluation.")
    for criterion_id, value in clean.items():
        Score.objects.update_or_create(assignment=assignment, criterion_id=criterion_id, defaults={"value": value})
    assignment.private_comment = (private_comment or "").strip()
    fields = ["private_comment"]
    if final:
        assignment.submitted_at = timezone.now()
        total_weight = sum(c.weight for c in criteria.values()) or 1
        assignment.weighted_total = (
            Decimal(sum(clean[pk] * c.weight for pk, c in criteria.items())) / total_weight
        ).quantize(Decimal("0.001"))
        fields += ["submitted_at", "weighted_total"]
        _log(application, user, "review_submitted")
    assignment.save(update_fields=fields)
    return assignment


# --- messages -----------------------------------------------------------------------------------------------------


@transaction.atomic
def post_message(application, user, body: str, files=()) -> Message:
    """A message in the staff ↔ applicant thread; the other side gets an e-mail."""
    from_staff = rules.can_manage(user)
    if not from_staff and not rules.is_applicant(user, application):
        raise ProjectsError("Vous ne pouvez pas écrire sur ce dossier.")
    if application.status == A.STATUS_DRAFT:
        raise ProjectsError("La messagerie s'ouvre une fois la candidature déposée.")
    if not (body or "").strip():
        raise ProjectsError("Le message est vide.")
    message = Message.objects.create(application=application, author=user, from_staff=from_staff, body=body.strip())
    for uploaded in files:
        add_attachment(application, user, uploaded, kind="other", message=message)
    _log(application, user, "message", note=body.strip()[:200])
    url = reverse(
        "projects:staff_application" if not from_staff else "projects:application_detail", args=[application.pk]
    )
    recipients = applicant_emails(application) if from_staff else staff_emails()
    send_templated(
        recipients,
        "projects/email/message",
        {"application": application, "message": message, "url": _url(url) + "#messages"},
    )
    return message


def recompute_weighted_totals(call) -> int:
    """After an editor changes the criteria weights: recompute every finalised grid of the call."""
    criteria = {c.pk: c.weight for c in call.criteria.all()}
    total_weight = sum(criteria.values()) or 1
    assignments = ReviewAssignment.objects.filter(application__call=call, submitted_at__isnull=False)
    sums: dict[int, int] = {}
    for assignment_id, criterion_id, value in Score.objects.filter(assignment__in=assignments).values_list(
        "assignment_id", "criterion_id", "value"
    ):
        sums[assignment_id] = sums.get(assignment_id, 0) + value * criteria.get(criterion_id, 0)
    changed = []
    for assignment in assignments.only("id", "weighted_total"):
        total = (Decimal(sums.get(assignment.pk, 0)) / total_weight).quantize(Decimal("0.001"))
        if assignment.weighted_total != total:
            assignment.weighted_total = total
            changed.append(assignment)
    ReviewAssignment.objects.bulk_update(changed, ["weighted_total"], batch_size=1000)
    return len(changed)
