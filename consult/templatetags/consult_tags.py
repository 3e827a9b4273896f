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
