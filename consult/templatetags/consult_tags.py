from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag
def page_query(query, number):
    """The current query string with `page` replaced (keeps filters and sort across pages)."""
    params = QueryDict(query or "", mutable=True)
    params["page"] = number
    return params.urlencode()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def contribution(context, item):
    """article#contribution-<id> with its replies (see consult.render for why this is Python)."""
    from django.middleware.csrf import get_token

    from consult.render import render_contribution

    request = context.get("request")
    token = context.get("_consult_csrf")
    if token is None:
        token = get_token(request) if request is not None else ""
        context.dicts[0]["_consult_csrf"] = token
    return render_contribution(item, token)
