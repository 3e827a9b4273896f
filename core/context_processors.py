from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from core import pagecache

# The module index pages live at these fixed slugs (created by the demo loader / editors).
NAV = [
    (gettext_noop("Consultations"), "/consultations/"),
    (gettext_noop("Appels à projets"), "/appels-a-projets/"),
    (gettext_noop("Living labs"), "/living-labs/"),
    (gettext_noop("Rechercher"), "/rechercher/"),
]


def platform(request):
    path = request.path
    context = {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "csp_nonce": getattr(request, "csp_nonce", ""),
        "MAIN_NAV": [{"label": _(label), "url": url, "active": path.startswith(url)} for label, url in NAV],
    }
    if pagecache.placeholders_active(request):
        # A page rendered for the anonymous page cache: the visitor's own token is filled in when served.
        context["csrf_token"] = pagecache.CSRF_PLACEHOLDER
    return context


SITE_CONFIG_TTL = 300


def site_config(request):
    """django-dsfr's SITE_CONFIG, cached (it costs two queries on every page otherwise)."""
    from dsfr.models import DsfrConfig

    language = get_language() or settings.LANGUAGE_CODE

    def load():
        key = f"dsfr:site-config:{language}"
        config = cache.get(key)
        if config is None:
            config = DsfrConfig.objects.filter(language=language).first() or DsfrConfig.objects.first() or False
            cache.set(key, config, SITE_CONFIG_TTL)
        return config or None

    # Read when a template first uses it (the page header and footer), not for fragments that never do: the
    # JSON answer to a posted contribution renders one, and skips a cache round trip.
    return {"SITE_CONFIG": SimpleLazyObject(load)}


def forget_site_config(**kwargs):
    cache.delete_many([f"dsfr:site-config:{code}" for code, _ in settings.LANGUAGES])
