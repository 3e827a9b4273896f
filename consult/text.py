"""Contribution text: plain text in, safe HTML out; and the normalised fingerprint used for campaigns."""

import hashlib
import re
import unicodedata

import bleach
from django.utils.html import escape

ALLOWED_TAGS = ["p", "br", "a"]
ALLOWED_ATTRIBUTES = {"a": ["href", "rel"]}
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]

_PARAGRAPHS = re.compile(r"\n\s*\n")


def _nofollow(attrs, new=False):
    attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


def clean_body(text: str) -> str:
    """Normalise what people typed: unify newlines, strip trailing spaces, keep at most one blank line."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


# What bleach would change in escaped text: a possible link (every URL linkify finds has a dot followed by at least
# two letters: "x.fr", "www.x.org", "https://x.org/…") or a control character (html5lib drops or replaces them).
_BLEACH_WORK = re.compile(r"[\w-]\.[a-z]{2}|[\x00-\x08\x0b-\x1f]", re.IGNORECASE)


def render_body(text: str) -> str:
    """Plain text → HTML with paragraphs, line breaks and links only (everything else is escaped).

    The result goes through bleach twice: linkify over escaped text, then clean with a tiny allow-list, so no
    markup typed by a person ever reaches the page. A text with nothing for bleach to do (no possible link, no
    control character: most contributions) is only escaped — the same output, without bleach's HTML parser
    (0.5 ms → 0.02 ms for a short contribution; tests/consult/test_text.py compares both paths on 20,000 texts).
    """
    html = escaped_paragraphs(text)
    if not _BLEACH_WORK.search(text or ""):
        return html
    return _bleach(html)


def escaped_paragraphs(text: str) -> str:
    """The text escaped, in <p> paragraphs with <br> line breaks."""
    paragraphs = [p for p in _PARAGRAPHS.split(clean_body(text)) if p.strip()]
    return "".join("<p>" + escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def _bleach(html: str) -> str:
    html = bleach.linkify(html, callbacks=[_nofollow], parse_email=False)
    return bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS, strip=True)


def normalise(text: str) -> str:
    """Lowercase, no accents, no punctuation, single spaces: near-identical texts compare equal."""
    text = unicodedata.normalize("NFKD", (text or "").lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


def fingerprint(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()
