from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The module index pages live at these fixed slugs (created by the demo loader / editors).
NAV = [
    (gettext_noop("Consultations"), "/consultations/"),
    (gettext_noop("Appels à projets"), "/appels-a-projets/"),
    (gettext_noop("Living labs"), "/living-labs/"),
    (gettext_noop("Rechercher"), "/rechercher/"),
]


def platform(request):
    path = request.path
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "csp_nonce": getattr(request, "csp_nonce", ""),
        "MAIN_NAV": [{"label": _(label), "url": url, "active": path.startswith(url)} for label, url in NAV],
    }
