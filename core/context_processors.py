from django.conf import settings
from django.utils.translation import gettext as _

# The module index pages live at these fixed slugs (created by the demo loader / editors).
NAV = [
    ("Consultations", "/consultations/"),
    ("Appels à projets", "/appels-a-projets/"),
    ("Living labs", "/living-labs/"),
    ("Rechercher", "/rechercher/"),
]


def platform(request):
    path = request.path
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "csp_nonce": getattr(request, "csp_nonce", ""),
        "MAIN_NAV": [{"label": _(label), "url": url, "active": path.startswith(url)} for label, url in NAV],
    }
