"""One shape for a contribution and for a live event, used by the page, the JSON API and the WebSocket.

`viewer` decides what is shown: bodies of hidden/withdrawn/pending contributions are only given to their author
and to moderators; everyone else gets a tombstone (status + public reason, no body). The receipt number is only
given to the author and moderators.
"""

from consult import rules
from consult.models import ConsultationEvent, Contribution
from consult.text import render_body

TOMBSTONES = {
    Contribution.STATUS_HIDDEN: "Contribution masquée par la modération",
    Contribution.STATUS_WITHDRAWN: "Contribution retirée par son auteur·rice",
    Contribution.STATUS_PENDING: "Contribution en attente de modération",
}


def author_label(contribution) -> tuple[str, bool]:
    """(public name, verified badge): the verified association spoken for, else the person's public name."""
    organisation = contribution.organisation
    if organisation is not None:
        return organisation.name, organisation.is_verified
    return contribution.author.public_name, False


def body_html(contribution) -> str:
    # Stored at write time; rows inserted in bulk (benchmarks, imports) may lack it.
    return contribution.body_html or render_body(contribution.body)


def tombstone_text(contribution) -> str:
    text = TOMBSTONES.get(contribution.status, "")
    if contribution.status == Contribution.STATUS_HIDDEN and contribution.hidden_reason:
        text = f"{text} : {contribution.hidden_reason}"
    return text


def _iso(value):
    return value.isoformat() if value else None


def contribution_to_dict(contribution, viewer=None) -> dict:
    """Plain dict (JSON-ready) of one contribution as `viewer` may see it.

    Needs `section`, `author` and `organisation` loaded (select_related) to stay query-free.
    """
    c = contribution
    show_body = rules.can_view_contribution(viewer, c)
    name, verified = author_label(c)
    data = {
        "id": c.pk,
        "consultation_id": c.consultation_id,
        "section": c.section.anchor,
        "parent_id": c.parent_id,
        "root_id": c.root_id or c.pk,
        "depth": c.depth,
        "author": name,
        "verified": verified,
        "organisation": c.organisation.name if c.organisation_id else None,
        "stance": c.stance or None,
        "status": c.status,
        "hidden_reason": c.hidden_reason if c.status == Contribution.STATUS_HIDDEN else None,
        "tombstone": None if c.status == Contribution.STATUS_PUBLISHED else tombstone_text(c),
        "body_html": body_html(c) if show_body else None,
        "interests": (c.interests or None) if show_body else None,
        "no_interests": c.no_interests if show_body else None,
        "created_at": _iso(c.created_at),
        "edited_at": _iso(c.edited_at),
        "votes_up": c.votes_up,
        "votes_down": c.votes_down,
        "replies_count": c.replies_count,
        "url": c.get_absolute_url(),
    }
    if rules.is_author(viewer, c) or rules.can_moderate(viewer):
        data["receipt_number"] = c.receipt_number
    if rules.can_moderate(viewer):
        data["flags_count"] = c.flags_count
        data["campaign_id"] = c.campaign_id
    return data


def event_visible_to(event, viewer) -> bool:
    """Audience check for one event (the socket consumer and the catch-up endpoint ask this)."""
    if event.audience == ConsultationEvent.AUDIENCE_PUBLIC:
        return True
    if rules.can_moderate(viewer):
        return True
    if event.audience == ConsultationEvent.AUDIENCE_AUTHOR:
        return rules.is_authenticated(viewer) and event.audience_user_id == viewer.pk
    return False


def event_to_dict(event, viewer=None) -> dict | None:
    """A live event as `viewer` may receive it, or None if it is not for them.

    The contribution is shown in its *current* state (a catch-up after a hide gets the tombstone, never the
    text that was hidden).
    """
    if not event_visible_to(event, viewer):
        return None
    data = {
        "id": event.pk,
        "kind": event.kind,
        "consultation_id": event.consultation_id,
        "contribution_id": event.contribution_id,
        "created_at": _iso(event.created_at),
    }
    contribution = event.contribution
    if contribution is not None:
        if event.kind == ConsultationEvent.KIND_VOTES:
            data["votes_up"] = contribution.votes_up
            data["votes_down"] = contribution.votes_down
            data["section"] = contribution.section.anchor
        else:
            data["contribution"] = contribution_to_dict(contribution, viewer)
    return data
