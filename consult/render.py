"""Server-side HTML of one contribution (and its replies), written in Python rather than as a Django template:
a section page shows up to ~70 contributions and the template engine spent several milliseconds on each.
The markup is the contract with the live client (article#contribution-<id>, data-id, data-parent-id…);
consult/templates/consult/includes/contribution.html calls this through the {% contribution %} tag.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _gettext

_URL_CACHE = {}
_TRANSLATIONS = {}


def _(text):
    """gettext, memoised per language (a page calls it a few hundred times with a dozen strings)."""
    key = (get_language(), text)
    value = _TRANSLATIONS.get(key)
    if value is None:
        value = _TRANSLATIONS[key] = _gettext(text)
    return value


def _url(name, pk):
    template = _URL_CACHE.get(name)
    if template is None:
        template = reverse(f"consult:{name}", args=[987654321]).replace("987654321", "{}")
        _URL_CACHE[name] = template
    return template.format(pk)


def _stance_label(contribution) -> str:
    """The stance's label in the current language (the choices are lazy strings, translated on every use)."""
    key = (get_language(), "stance", contribution.stance)
    value = _TRANSLATIONS.get(key)
    if value is None:
        value = _TRANSLATIONS[key] = str(contribution.get_stance_display())
    return value


def _when(moment) -> str:
    """`moment` as dateformat's "j F Y à H:i" (e.g. "7 décembre 2026 à 09:05"), with the month's name memoised."""
    key = (get_language(), "month", moment.month)
    month = _TRANSLATIONS.get(key)
    if month is None:
        month = _TRANSLATIONS[key] = str(MONTHS[moment.month])
    return f"{moment.day} {month} {moment.year} à {moment.hour:02d}:{moment.minute:02d}"


def _badge(text, extra=""):
    return f'<span class="fr-badge fr-badge--sm{extra}">{escape(text)}</span>'


def render_contribution(c, csrf_token="") -> str:
    pk = c.pk
    show_body = getattr(c, "show_body", False)
    heading = "h3" if c.depth == 0 else "h4"
    if c.organisation_id:
        author = escape(c.organisation.name)
        if c.organisation.verified_at:
            author += " " + _badge(_("association vérifiée"), " fr-badge--success")
    else:
        author = escape(c.author.public_name)
    created = timezone.localtime(c.created_at)
    meta = []
    if c.depth:
        meta.append(escape(_("Réponse")) + " · ")
    meta.append(f'<time datetime="{created.isoformat()}">{escape(_when(created))}</time>')
    if c.edited_at and show_body:
        meta.append(" · " + escape(_("modifiée")))
    if c.stance and show_body:
        meta.append(" · " + _badge(_stance_label(c), f" agora-stance agora-stance--{c.stance}"))
    if c.status == "pending":
        meta.append(" · " + _badge(_("en attente de modération — visible par vous et la modération"), " fr-badge--new"))
    if getattr(c, "is_mine", False) and c.receipt_number:
        meta.append(f" · {escape(_('récépissé'))} {escape(c.receipt_number)}")

    parts = [
        f'<article id="contribution-{pk}" class="agora-contribution agora-contribution--depth-{c.depth}'
        f'{"" if show_body else " agora-contribution--tombstone"}" data-id="{pk}" '
        f'data-parent-id="{c.parent_id or ""}" data-root-id="{c.root_id or pk}" data-depth="{c.depth}" '
        f'data-status="{c.status}" aria-labelledby="contribution-{pk}-author">',
        '<header class="agora-contribution__header">',
        f'<{heading} id="contribution-{pk}-author" class="agora-contribution__author fr-text--md fr-mb-0">'
        f"{author}</{heading}>",
        f'<p class="fr-text--xs fr-mb-1w agora-contribution__meta">{"".join(meta)}</p>',
        "</header>",
    ]
    html = getattr(c, "html", "")
    if c.status == "hidden":
        reason = f" : {escape(c.hidden_reason)}" if c.hidden_reason else ""
        parts.append(
            f'<p class="agora-tombstone"><em>{escape(_("Contribution masquée par la modération"))}{reason}</em></p>'
        )
        if show_body:
            note = (
                _("Votre texte n'est plus visible publiquement. Il reste visible pour vous :")
                if c.is_mine
                else _("Texte masqué (visible par la modération) :")
            )
            parts.append(
                f'<p class="fr-text--xs">{escape(note)}</p>'
                f'<div class="agora-contribution__body agora-contribution__body--hidden">{html}</div>'
            )
    elif c.status == "withdrawn":
        parts.append(f'<p class="agora-tombstone"><em>{escape(_("Contribution retirée par son auteur·rice"))}</em></p>')
    elif show_body:
        parts.append(f'<div class="agora-contribution__body">{html}</div>')
        if c.depth == 0 and (c.no_interests or c.interests):
            interests = _("Liens d'intérêts : aucun") if c.no_interests else f"{_('Liens d’intérêts :')} {c.interests}"
            parts.append(f'<p class="fr-text--xs agora-contribution__interests">{escape(interests)}</p>')

    links = []
    if c.status == "published":
        parts.append('<div class="agora-contribution__actions">')
        if getattr(c, "may_vote", False):
            vote = c.viewer_vote
            csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
            parts.append(
                f'<form method="post" action="{_url("vote", pk)}" class="agora-vote" data-vote-form>{csrf}'
                f'<button type="submit" name="value" value="{0 if vote == 1 else 1}" class="fr-btn fr-btn--sm '
                f'fr-btn--tertiary fr-icon-thumb-up-line fr-btn--icon-left" aria-pressed="{"true" if vote == 1 else "false"}">'
                f"{escape(_('D’accord'))} <span data-votes-up>{c.votes_up}</span></button>"
                f'<button type="submit" name="value" value="{0 if vote == -1 else -1}" class="fr-btn fr-btn--sm '
                f'fr-btn--tertiary fr-icon-thumb-down-line fr-btn--icon-left" aria-pressed="{"true" if vote == -1 else "false"}">'
                f"{escape(_('Pas d’accord'))} <span data-votes-down>{c.votes_down}</span></button></form>"
            )
        else:
            parts.append(
                f'<p class="fr-text--xs fr-mb-0 agora-vote-counts"><span data-votes-up>{c.votes_up}</span> '
                f"{escape(_('d’accord'))} · <span data-votes-down>{c.votes_down}</span> "
                f"{escape(_('pas d’accord'))}</p>"
            )
        if getattr(c, "may_reply", False):
            links.append((_url("reply", pk), _("Répondre"), _("à cette contribution")))
        if getattr(c, "may_edit", False):
            links.append((_url("edit", pk), _("Modifier"), ""))
        if getattr(c, "may_withdraw", False):
            links.append((_url("withdraw", pk), _("Retirer"), ""))
        if getattr(c, "may_flag", False):
            links.append((_url("flag", pk), _("Signaler"), _("cette contribution")))
        parts.append(_links(links))
        parts.append("</div>")
    elif c.status == "pending" and getattr(c, "is_mine", False):
        if c.may_edit:
            links.append((_url("edit", pk), _("Modifier"), ""))
        if c.may_withdraw:
            links.append((_url("withdraw", pk), _("Retirer"), ""))
        parts.append(_links(links))
    parts.append(f'<div class="agora-replies" data-replies-for="{pk}">')
    for child in getattr(c, "children", ()):
        parts.append(render_contribution(child, csrf_token))
    parts.append("</div></article>")
    return mark_safe("".join(parts))


def _links(links):
    if not links:
        return ""
    items = "".join(
        f'<li><a class="fr-link fr-link--sm" href="{href}">{escape(label)}'
        f"{f'<span class=fr-sr-only> {escape(extra)}</span>' if extra else ''}</a></li>"
        for href, label, extra in links
    )
    return f'<ul class="agora-inline-links fr-text--sm">{items}</ul>'
