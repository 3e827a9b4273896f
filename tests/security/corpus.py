"""Hostile inputs posted to every user text field. Each XSS vector sets window.__xss if it ever runs."""

XSS = [
    "<script>window.__xss=1</script>",
    "<ScRiPt >window.__xss=1</sCrIpT>",
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=window.__xss=1>",
    '<img src="x" onerror="window.__xss=1">',
    "<svg onload=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    '<a href="javascript:window.__xss=1">lien</a>',
    "javascript:window.__xss=1",
    '<a href="jav&#x09;ascript:window.__xss=1">lien encodé</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:window.__xss=1">entités</a>',
    "&lt;script&gt;window.__xss=1&lt;/script&gt;",
    "%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E",
    '<iframe src="javascript:window.__xss=1"></iframe>',
    "<body onload=window.__xss=1>",
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1">',
    '<div style="background:url(javascript:window.__xss=1)">style</div>',
    '<object data="data:text/html,<script>window.__xss=1</script>"></object>',
    "<details open ontoggle=window.__xss=1>",
    "{{ 7|add:7 }} {% debug %} ${7*7}",
]

TRICKS = {
    "rtl_override": "Avis \u202etxet esrevne\u202c fin",
    "zero_width": "Av\u200bis\u200c a\u200dvec\u2060 des\ufeff espaces invisibles",
    "combining": "Z\u0351\u0352\u0353a\u0354\u0355l\u0356g\u0357o",
    "emoji": "Très bien 👍🏽 👨‍👩‍👧",
}

NULL_BYTE = "Texte avec un octet nul \x00 au milieu"


def wrap(vector: str) -> str:
    """A plausible text around the vector (fields have minimum lengths and anti-spam checks)."""
    return f"Voici mon avis sur ce point précis. {vector} Merci de votre attention."


def long_line(length: int) -> str:
    return ("mot" * (length // 3 + 1))[:length]
