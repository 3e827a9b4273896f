"""Every state change of consultations goes through one function here.

Shape of each function: check the current state (raise ConsultError with a French message), change it inside
`transaction.atomic` with `save(update_fields=...)`, write one ConsultationEvent (the durable live log, with the
right audience), then — after commit only — broadcast the event (consult.websockets.handlers.broadcast_event)
and send e-mails (core.mail.send_templated enqueues on commit too).
"""

import logging
from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from consult import rules
from consult import settings as consult_settings
from consult.groupcommit import GroupCommit
from consult.models import (
    Campaign,
    ConsultationEvent,
    ConsultationPage,
    Contribution,
    ContributionRevision,
    Flag,
    Follow,
    ParticipationBlock,
    Section,
    Vote,
)
from consult.text import clean_body, fingerprint, normalise, render_body
from core.mail import render_templated, send_templated_many
from core.mail import send_templated as _send_templated

logger = logging.getLogger(__name__)

MAX_LENGTH = 5000
FLAG_HIDDEN_REASON = "signalée à plusieurs reprises, en attente de vérification"


def send_templated(to, template, context):
    """core.mail.send_templated with the site address every e-mail link needs."""
    _send_templated(to, template, _with_site_url(context))


def _with_site_url(context: dict) -> dict:
    from django.conf import settings

    return {"site_url": settings.SITE_URL.rstrip("/"), **context}


class ConsultError(Exception):
    """A refused action, with a French message for the person."""


# --- events ---------------------------------------------------------------------------------------------


def _broadcast(event):
    """`event`: an id, or the event in memory (consult.websockets.handlers.broadcast_event)."""
    from consult.websockets.handlers import broadcast_event

    try:
        broadcast_event(event)
    except Exception:  # the socket is best effort: clients catch up from the event table
        logger.exception("broadcast of consultation event %s failed", getattr(event, "pk", event))


def record_event(contribution: Contribution, kind: str, audience: str | None = None) -> ConsultationEvent:
    """Write the durable event and schedule its broadcast after commit.

    Audience by default follows the contribution's status: pending → its author (+ moderators), otherwise
    public (hidden/withdrawn ones are public *tombstones*: the serializer never gives their body away).
    """
    event = _new_event(contribution, kind, audience)
    event.save()
    transaction.on_commit(lambda: _broadcast(event.pk))
    return event


def _new_event(contribution: Contribution, kind: str, audience: str | None = None) -> ConsultationEvent:
    if audience is None:
        audience = (
            ConsultationEvent.AUDIENCE_AUTHOR
            if contribution.status == Contribution.STATUS_PENDING
            else ConsultationEvent.AUDIENCE_PUBLIC
        )
    return ConsultationEvent(
        consultation_id=contribution.consultation_id,
        kind=kind,
        contribution=contribution,
        audience=audience,
        audience_user_id=contribution.author_id if audience == ConsultationEvent.AUDIENCE_AUTHOR else None,
    )


# --- helpers --------------------------------------------------------------------------------------------


def _receipt_number(contribution: Contribution) -> str:
    year = timezone.localtime(contribution.created_at).year
    return f"C-{year}-{contribution.pk:06d}"


def _validate_body(body: str) -> str:
    body = clean_body(body)
    if not body:
        raise ConsultError("Votre contribution est vide : écrivez votre texte avant d'envoyer.")
    if len(body) > MAX_LENGTH:
        raise ConsultError(f"Votre contribution dépasse {MAX_LENGTH} caractères ({len(body)}) : raccourcissez-la.")
    return body


def _detect_campaign(contribution: Contribution):
    """Group identical normalised texts posted by at least two distinct accounts in the same consultation."""
    if len(normalise(contribution.body)) < consult_settings.campaign_min_length():
        return
    same = Contribution.objects.filter(
        consultation_id=contribution.consultation_id, fingerprint=contribution.fingerprint
    )
    if same.values("author_id").distinct().count() < 2:
        return
    campaign, _ = Campaign.objects.get_or_create(
        consultation_id=contribution.consultation_id,
        fingerprint=contribution.fingerprint,
        defaults={"sample": contribution.body[:2000]},
    )
    same.filter(campaign__isnull=True).update(campaign=campaign)
    campaign.size = same.count()
    campaign.save(update_fields=["size"])
    contribution.campaign = campaign


def _bump_replies(contribution: Contribution, delta: int):
    if contribution.parent_id:
        Contribution.objects.filter(pk=contribution.parent_id).update(replies_count=F("replies_count") + delta)


# --- contributions --------------------------------------------------------------------------------------


def create_contribution(
    user,
    section: Section,
    body: str,
    stance: str = "",
    parent: Contribution | None = None,
    organisation=None,
    interests: str = "",
    no_interests: bool = False,
    idempotency_key: str = "",
    consultation: ConsultationPage | None = None,
) -> tuple[Contribution, bool]:
    """Post a contribution (or a reply). Returns (contribution, created).

    The same `idempotency_key` from the same author returns the first contribution unchanged (created=False),
    even if the request is replayed concurrently: the unique constraint decides.
    """
    idempotency_key = (idempotency_key or "").strip()[:64]
    if idempotency_key and rules.is_authenticated(user):
        existing = Contribution.objects.filter(author=user, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False

    if consultation is None or consultation.pk != section.page_id:
        consultation = section.page if isinstance(section.page, ConsultationPage) else section.page.specific
    refusal = rules.post_refusal(user, consultation)
    if refusal:
        raise ConsultError(refusal)
    body = _validate_body(body)
    interests = (interests or "").strip()
    if parent is not None:
        if parent.section_id != section.pk:
            raise ConsultError("La réponse doit porter sur la même section que la contribution d'origine.")
        if parent.status != Contribution.STATUS_PUBLISHED:
            raise ConsultError("On ne peut répondre qu'à une contribution publiée.")
        stance = ""
        # Replies nest two levels deep; a reply to a level-2 contribution attaches to its parent.
        if parent.depth >= Contribution.MAX_DEPTH:
            parent = parent.parent
    else:
        if stance not in dict(Contribution.STANCE_CHOICES):
            raise ConsultError("Indiquez votre position : pour, contre ou mitigé.")
        if not interests and not no_interests:
            raise ConsultError("Déclarez vos liens d'intérêts, ou cochez « aucun lien d'intérêts ».")
    if interests and no_interests:
        raise ConsultError("Vous avez déclaré des liens d'intérêts et coché « aucun lien » : choisissez l'un des deux.")
    if organisation is not None and not rules.can_speak_for(user, organisation):
        raise ConsultError("Vous ne pouvez parler qu'au nom d'une association vérifiée dont vous êtes membre.")

    status = (
        Contribution.STATUS_PENDING
        if consultation.moderation_mode == ConsultationPage.MODERATION_A_PRIORI
        else Contribution.STATUS_PUBLISHED
    )
    contribution = new_contribution(
        consultation,
        section,
        user,
        body,
        parent=parent,
        organisation=organisation,
        stance=stance,
        interests=interests,
        no_interests=bool(no_interests) and not interests,
        status=status,
        idempotency_key=idempotency_key,
    )
    # Validated here, in the request; written with the contributions posted at the same moment in this process.
    return _group_commit.submit(contribution)


def new_contribution(consultation, section, author, body: str, parent: Contribution | None = None, **fields):
    """An unsaved contribution with what follows from its text and its parent (thread root, depth, HTML,
    fingerprint); `fields` sets the rest. No check: create_contribution validates, the demo loader trusts itself."""
    return Contribution(
        consultation=consultation,
        section=section,
        parent=parent,
        root_id=(parent.root_id or parent.pk) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        author=author,
        body=body,
        body_html=render_body(body),
        fingerprint=fingerprint(body),
        **fields,
    )


def _write_contributions(contributions: list[Contribution]) -> list[tuple[Contribution, bool]]:
    """Write validated, unsaved contributions in one transaction; (contribution, created) for each, in order.

    If the batch breaks a unique constraint (a replayed idempotency key racing its first request, in this
    batch or in another process), each contribution is written again on its own, and a replay gets the
    contribution its key already holds (created=False); one that fails on its own gets its IntegrityError in place
    of a result (consult/groupcommit.py raises it in its request only).
    """
    try:
        with transaction.atomic():
            _insert_contributions(contributions)
        return [(c, True) for c in contributions]
    except IntegrityError:
        if len(contributions) > 1:
            return [_write_alone(_unsaved(c)) for c in contributions]
        contribution = contributions[0]
        if not contribution.idempotency_key:
            raise
        existing = Contribution.objects.filter(
            author_id=contribution.author_id, idempotency_key=contribution.idempotency_key
        ).first()
        if existing is None:
            raise
        return [(existing, False)]


def _write_alone(contribution: Contribution):
    """One contribution of a batch that failed, written on its own: its result, or its own error (for its request
    only: the others of the batch are stored and answered)."""
    try:
        return _write_contributions([contribution])[0]
    except IntegrityError as exc:
        return exc


def _unsaved(contribution: Contribution) -> Contribution:
    """The contribution as it was before a rolled-back insert gave it a primary key and a receipt."""
    contribution.pk = None
    contribution.receipt_number = None
    contribution.campaign = None
    if contribution.parent_id is None:
        contribution.root_id = None
    contribution._state.adding = True
    return contribution


def _insert_contributions(contributions: list[Contribution]):
    """Insert, number, count, detect campaigns, log the events and queue the e-mails of a batch — a few
    statements for the whole batch, whatever its size. Called inside the batch's transaction.

    `bulk_create` sends no post_save signal: what the signal handlers would do is done here (search records,
    the page cache's bump through the event log).
    """
    from consult.apps import bump_page_cache_after_commit
    from search import indexing

    Contribution.objects.bulk_create(contributions)
    for contribution in contributions:
        contribution.receipt_number = _receipt_number(contribution)
        if contribution.parent_id is None:
            contribution.root_id = contribution.pk
    Contribution.objects.bulk_update(contributions, ["receipt_number", "root"])
    replies = Counter(c.parent_id for c in contributions if c.parent_id and c.status == Contribution.STATUS_PUBLISHED)
    for parent_id, n in replies.items():
        Contribution.objects.filter(pk=parent_id).update(replies_count=F("replies_count") + n)
    _detect_campaigns(contributions)
    indexing.record([("contribution", c.pk) for c in contributions], created=True)
    events = ConsultationEvent.objects.bulk_create(
        [_new_event(c, ConsultationEvent.KIND_CREATED) for c in contributions]
    )
    for consultation_id in {c.consultation_id for c in contributions}:
        bump_page_cache_after_commit(consultation_id, additive=True)
    # The events go out in memory, with their contribution: no query per event to broadcast them.
    transaction.on_commit(lambda: [_broadcast(event) for event in events])
    messages = []  # queued with one commit for the whole batch
    for contribution in contributions:
        messages.append(_receipt_message(contribution))
        if contribution.status == Contribution.STATUS_PUBLISHED:
            messages.append(_reply_message(contribution))
    send_templated_many(messages)


def _detect_campaigns(contributions: list[Contribution]):
    """_detect_campaign for the contributions whose text at least one other account posted (one query)."""
    minimum = consult_settings.campaign_min_length()
    candidates = [c for c in contributions if len(normalise(c.body)) >= minimum]
    if not candidates:
        return
    shared = set(
        Contribution.objects.filter(
            consultation_id__in={c.consultation_id for c in candidates},
            fingerprint__in={c.fingerprint for c in candidates},
        )
        .values_list("consultation_id", "fingerprint")
        .annotate(authors=Count("author_id", distinct=True))
        .filter(authors__gte=2)
        .values_list("consultation_id", "fingerprint")
    )
    for contribution in candidates:
        if (contribution.consultation_id, contribution.fingerprint) in shared:
            _detect_campaign(contribution)


def edit_contribution(user, contribution: Contribution, body: str) -> Contribution:
    """The author rewrites the text within the edit window; the previous text is kept in the history."""
    if not rules.can_edit(user, contribution):
        raise ConsultError(
            "Cette contribution ne peut plus être modifiée (délai de "
            f"{consult_settings.edit_window_minutes()} minutes dépassé, consultation close, ou contribution retirée)."
        )
    body = _validate_body(body)
    if body == contribution.body:
        return contribution
    with transaction.atomic():
        ContributionRevision.objects.create(contribution=contribution, body=contribution.body)
        contribution.body = body
        contribution.body_html = render_body(body)
        contribution.fingerprint = fingerprint(body)
        contribution.edited_at = timezone.now()
        contribution.save(update_fields=["body", "body_html", "fingerprint", "edited_at"])
        record_event(contribution, ConsultationEvent.KIND_EDITED)
    return contribution


def withdraw_contribution(user, contribution: Contribution) -> Contribution:
    if not rules.can_withdraw(user, contribution):
        raise ConsultError("Vous ne pouvez pas retirer cette contribution.")
    with transaction.atomic():
        was_published = contribution.status == Contribution.STATUS_PUBLISHED
        contribution.status = Contribution.STATUS_WITHDRAWN
        contribution.save(update_fields=["status"])
        if was_published:
            _bump_replies(contribution, -1)
        record_event(
            contribution,
            ConsultationEvent.KIND_WITHDRAWN,
            ConsultationEvent.AUDIENCE_PUBLIC if was_published else ConsultationEvent.AUDIENCE_AUTHOR,
        )
    return contribution


def vote(user, contribution: Contribution, value: int) -> Contribution:
    """One vote per person, changeable (value 0 removes it). Counters move with F() expressions."""
    if not rules.can_vote(user, contribution):
        raise ConsultError("Vous ne pouvez pas voter sur cette contribution.")
    value = int(value)
    if value not in (Vote.AGREE, Vote.DISAGREE, 0):
        raise ConsultError("Vote inconnu.")
    with transaction.atomic():
        existing = Vote.objects.select_for_update().filter(contribution=contribution, user=user).first()
        previous = existing.value if existing else 0
        if previous == value:
            return contribution
        delta = {"votes_up": 0, "votes_down": 0}
        if previous == Vote.AGREE:
            delta["votes_up"] -= 1
        elif previous == Vote.DISAGREE:
            delta["votes_down"] -= 1
        if value == Vote.AGREE:
            delta["votes_up"] += 1
        elif value == Vote.DISAGREE:
            delta["votes_down"] += 1
        if value == 0:
            existing.delete()
        elif existing:
            existing.value = value
            existing.save(update_fields=["value", "created_at"])
        else:
            try:
                with transaction.atomic():
                    Vote.objects.create(contribution=contribution, user=user, value=value)
            except IntegrityError:  # a concurrent identical vote won the race
                return contribution
        Contribution.objects.filter(pk=contribution.pk).update(
            votes_up=F("votes_up") + delta["votes_up"], votes_down=F("votes_down") + delta["votes_down"]
        )
        contribution.refresh_from_db(fields=["votes_up", "votes_down"])
        record_event(contribution, ConsultationEvent.KIND_VOTES, ConsultationEvent.AUDIENCE_PUBLIC)
    return contribution


def flag(user, contribution: Contribution, reason: str, text: str = "") -> Flag:
    """Report a contribution. Past CONSULT_FLAGS_TO_HIDE flags it is hidden until a moderator decides."""
    if not rules.can_flag(user, contribution):
        raise ConsultError("Vous ne pouvez pas signaler cette contribution.")
    if reason not in dict(Flag.REASON_CHOICES):
        raise ConsultError("Choisissez un motif de signalement.")
    text = (text or "").strip()[:1000]
    if reason == "other" and not text:
        raise ConsultError("Précisez le motif du signalement.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                report = Flag.objects.create(contribution=contribution, user=user, reason=reason, text=text)
        except IntegrityError:
            raise ConsultError("Vous avez déjà signalé cette contribution : la modération va l'examiner.") from None
        Contribution.objects.filter(pk=contribution.pk).update(flags_count=F("flags_count") + 1)
        contribution.refresh_from_db(fields=["flags_count", "status"])
        if (
            contribution.status == Contribution.STATUS_PUBLISHED
            and contribution.flags_count >= consult_settings.flags_to_hide()
        ):
            contribution.status = Contribution.STATUS_HIDDEN
            contribution.hidden_reason = FLAG_HIDDEN_REASON
            contribution.moderated_by = None
            contribution.moderated_at = timezone.now()
            contribution.save(update_fields=["status", "hidden_reason", "moderated_by", "moderated_at"])
            _bump_replies(contribution, -1)
            record_event(contribution, ConsultationEvent.KIND_HIDDEN, ConsultationEvent.AUDIENCE_PUBLIC)
    return report


# --- moderation -----------------------------------------------------------------------------------------


def publish(moderator, contribution: Contribution) -> Contribution:
    """Publish a pending contribution, or restore one hidden (by flags or by mistake). Flags are resolved."""
    if not rules.can_moderate(moderator):
        raise ConsultError("Action réservée à la modération.")
    if contribution.status not in (Contribution.STATUS_PENDING, Contribution.STATUS_HIDDEN):
        raise ConsultError("Seule une contribution en attente ou masquée peut être publiée.")
    with transaction.atomic():
        was_pending = contribution.status == Contribution.STATUS_PENDING
        contribution.status = Contribution.STATUS_PUBLISHED
        contribution.hidden_reason = ""
        contribution.moderated_by = moderator
        contribution.moderated_at = timezone.now()
        contribution.save(update_fields=["status", "hidden_reason", "moderated_by", "moderated_at"])
        contribution.flags.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        _bump_replies(contribution, +1)
        record_event(contribution, ConsultationEvent.KIND_PUBLISHED, ConsultationEvent.AUDIENCE_PUBLIC)
        send_templated(contribution.author.email, "consult/email/published", {"contribution": contribution})
        if was_pending:
            _mail_reply(contribution)
    return contribution


def hide(moderator, contribution: Contribution, reason: str) -> Contribution:
    """Hide with a public reason (shown in place of the text); the author is told by e-mail and on the page."""
    if not rules.can_moderate(moderator):
        raise ConsultError("Action réservée à la modération.")
    reason = (reason or "").strip()[:255]
    if not reason:
        raise ConsultError("Indiquez le motif du masquage : il est affiché publiquement.")
    hidden_by_flags = contribution.status == Contribution.STATUS_HIDDEN and contribution.moderated_by_id is None
    if contribution.status not in (Contribution.STATUS_PUBLISHED, Contribution.STATUS_PENDING) and not hidden_by_flags:
        raise ConsultError(
            "Seule une contribution publiée, en attente ou masquée après signalements peut être masquée."
        )
    with transaction.atomic():
        was_published = contribution.status == Contribution.STATUS_PUBLISHED
        contribution.status = Contribution.STATUS_HIDDEN
        contribution.hidden_reason = reason
        contribution.moderated_by = moderator
        contribution.moderated_at = timezone.now()
        contribution.save(update_fields=["status", "hidden_reason", "moderated_by", "moderated_at"])
        contribution.flags.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        if was_published:
            _bump_replies(contribution, -1)
        record_event(contribution, ConsultationEvent.KIND_HIDDEN, ConsultationEvent.AUDIENCE_PUBLIC)
        send_templated(contribution.author.email, "consult/email/hidden", {"contribution": contribution})
    return contribution


def bulk_moderate(moderator, contributions, action: str, reason: str = "") -> tuple[int, list[str]]:
    """Apply publish/hide to many; returns (done, errors) — one refused item does not stop the others."""
    done, errors = 0, []
    for contribution in contributions:
        try:
            if action == "publish":
                publish(moderator, contribution)
            elif action == "hide":
                hide(moderator, contribution, reason)
            else:
                raise ConsultError("Action inconnue.")
            done += 1
        except ConsultError as exc:
            errors.append(f"{contribution.receipt_number} : {exc}")
    return done, errors


def block_user(moderator, user, reason: str) -> ParticipationBlock:
    if not rules.can_moderate(moderator):
        raise ConsultError("Action réservée à la modération.")
    reason = (reason or "").strip()[:255]
    if not reason:
        raise ConsultError("Indiquez le motif de la suspension.")
    if rules.can_moderate(user):
        raise ConsultError("Un membre de l'équipe de modération ne peut pas être suspendu ici.")
    with transaction.atomic():
        block, created = ParticipationBlock.objects.get_or_create(
            user=user, defaults={"reason": reason, "blocked_by": moderator}
        )
        if not created:
            raise ConsultError("Cette personne est déjà suspendue.")
        send_templated(user.email, "consult/email/blocked", {"block": block})
    return block


def unblock_user(moderator, user):
    if not rules.can_moderate(moderator):
        raise ConsultError("Action réservée à la modération.")
    deleted, _ = ParticipationBlock.objects.filter(user=user).delete()
    if not deleted:
        raise ConsultError("Cette personne n'est pas suspendue.")


# --- follow, closing, synthesis -------------------------------------------------------------------------


def follow(user, consultation: ConsultationPage) -> Follow:
    if not rules.can_follow(user, consultation):
        raise ConsultError("Connectez-vous pour suivre cette consultation.")
    return Follow.objects.get_or_create(user=user, consultation=consultation)[0]


def unfollow(user, consultation: ConsultationPage):
    Follow.objects.filter(user=user, consultation=consultation).delete()


def _follower_emails(consultation):
    return list(
        Follow.objects.filter(consultation=consultation, user__is_active=True).values_list("user__email", flat=True)
    )


def notify_closing(consultation: ConsultationPage) -> int:
    """E-mail followers that the consultation closes soon; at most once per consultation (returns count)."""
    with transaction.atomic():
        updated = ConsultationPage.objects.filter(pk=consultation.pk, closing_notified_at__isnull=True).update(
            closing_notified_at=timezone.now()
        )
        if not updated:
            return 0
        emails = _follower_emails(consultation)
        for email in emails:
            send_templated(email, "consult/email/closing_soon", {"consultation": consultation})
    return len(emails)


def notify_synthesis(consultation: ConsultationPage) -> int:
    """E-mail followers once the synthesis is published; at most once per consultation."""
    if not (consultation.synthesis and consultation.synthesis_published_at and consultation.live):
        return 0
    with transaction.atomic():
        updated = ConsultationPage.objects.filter(pk=consultation.pk, synthesis_notified_at__isnull=True).update(
            synthesis_notified_at=timezone.now()
        )
        if not updated:
            return 0
        emails = _follower_emails(consultation)
        for email in emails:
            send_templated(email, "consult/email/synthesis", {"consultation": consultation})
    return len(emails)


# --- e-mails --------------------------------------------------------------------------------------------


def _receipt_message(contribution: Contribution) -> dict:
    return render_templated(
        contribution.author.email, "consult/email/receipt", _with_site_url({"contribution": contribution})
    )


def _reply_message(contribution: Contribution) -> dict | None:
    """Tell the author of the contribution answered (not when answering oneself)."""
    if not contribution.parent_id:
        return None
    parent = Contribution.objects.select_related("author").get(pk=contribution.parent_id)
    if parent.author_id == contribution.author_id or not parent.author.is_active or parent.author.anonymised_at:
        return None
    return render_templated(
        parent.author.email, "consult/email/reply", _with_site_url({"contribution": contribution, "parent": parent})
    )


def _mail_reply(contribution: Contribution):
    send_templated_many([_reply_message(contribution)])


# One per process: see consult/groupcommit.py.
_group_commit = GroupCommit(_write_contributions)
