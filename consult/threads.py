"""Loading a section's threads for one reader in a constant number of queries.

1. one page of thread roots (+ one COUNT for the paginator), with author and organisation joined;
2. every reply of those roots in one query (via `root`), same joins;
3. the reader's own votes on all of them in one query.
Replies are shown two levels deep: the model already attaches deeper replies to the level-2 parent.
"""

from django.core.paginator import Paginator
from django.db.models import Max, Q

from consult import rules
from consult import settings as consult_settings
from consult.models import ConsultationEvent, Contribution, Vote
from consult.serializers import body_html as render_html
from consult.serializers import tombstone_text

SORTS = {
    "recentes": ("-created_at", "-id"),
    "anciennes": ("created_at", "id"),
    "soutenues": ("-votes_up", "-created_at", "-id"),
}
SORT_LABELS = [
    ("recentes", "Les plus récentes"),
    ("anciennes", "Les plus anciennes"),
    ("soutenues", "Les plus soutenues"),
]
DEFAULT_SORT = "recentes"


def base_queryset(user):
    return Contribution.objects.in_threads_for(user).select_related("author", "organisation")


def decorate(contributions, user, section, consultation, votes=None):
    """Attach what the template needs (no query): visibility, the reader's vote, allowed actions."""
    votes = votes or {}
    moderator = rules.can_moderate(user)
    can_post = rules.can_post(user, consultation)
    for c in contributions:
        c.section = section
        c.consultation = consultation
        c.show_body = rules.can_view_contribution(user, c)
        c.html = render_html(c) if c.show_body else ""
        c.tombstone = tombstone_text(c)
        c.viewer_vote = votes.get(c.pk, 0)
        c.is_mine = rules.is_author(user, c)
        published = c.status == Contribution.STATUS_PUBLISHED
        c.may_reply = can_post and published
        c.may_vote = can_post and published and not c.is_mine
        c.may_flag = published and not c.is_mine and rules.is_authenticated(user) and not rules.is_blocked(user)
        c.may_edit = rules.can_edit(user, c)
        c.may_withdraw = c.is_mine and c.status in rules.WRITABLE_STATUSES and consultation.status != "closed"
        c.may_moderate = moderator
        c.children = []
    return contributions


def viewer_votes(user, ids) -> dict:
    if not rules.is_authenticated(user) or not ids:
        return {}
    return dict(Vote.objects.filter(user=user, contribution_id__in=ids).values_list("contribution_id", "value"))


def load_threads(consultation, section, user, page_number=1, sort=DEFAULT_SORT, stance=""):
    """Returns (page, roots) where each root has `.children` (level 1) and each of those `.children` (level 2)."""
    roots_qs = base_queryset(user).filter(section=section, parent__isnull=True)
    if stance in dict(Contribution.STANCE_CHOICES):
        roots_qs = roots_qs.filter(stance=stance)
    roots_qs = roots_qs.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
    paginator = Paginator(roots_qs, consult_settings.threads_per_page())
    page = paginator.get_page(page_number)
    roots = list(page.object_list)
    root_ids = [r.pk for r in roots]
    replies = []
    if root_ids:
        replies = list(
            base_queryset(user).filter(root_id__in=root_ids).exclude(pk__in=root_ids).order_by("created_at", "id")
        )
    everything = roots + replies
    decorate(everything, user, section, consultation, viewer_votes(user, [c.pk for c in everything]))
    by_id = {c.pk: c for c in everything}
    for reply in replies:
        parent = by_id.get(reply.parent_id)
        if parent is not None:
            parent.children.append(reply)
    return page, roots


def last_event_id(consultation, user) -> int:
    """The newest event this reader may receive: live clients catch up from there."""
    qs = ConsultationEvent.objects.filter(consultation=consultation)
    if not rules.can_moderate(user):
        audience = Q(audience=ConsultationEvent.AUDIENCE_PUBLIC)
        if rules.is_authenticated(user):
            audience |= Q(audience=ConsultationEvent.AUDIENCE_AUTHOR, audience_user_id=user.pk)
        qs = qs.filter(audience)
    return qs.aggregate(m=Max("id"))["m"] or 0
