"""Is a rendered page inert? No script but ours, no event handler, no javascript: URL, no active embed."""

import re
from html.parser import HTMLParser

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcdoc",
}
ACTIVE_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
_CONTROL = re.compile(r"[\x00-\x20\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.in_script = False
        self.script_ok = False

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        attrs = dict(attrs)
        where = self.getpos()
        for name, value in attrs.items():
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"line {where[0]}: <{tag} {name}=…> event handler")
            squeezed = _CONTROL.sub("", value).lower()
            if name in URL_ATTRIBUTES and squeezed.startswith(
                ("javascript:", "vbscript:", "data:text/html", "data:image/svg")
            ):
                self.problems.append(f"line {where[0]}: <{tag} {name}={value[:40]!r}> active URL")
            if name == "style" and ("javascript:" in squeezed or "expression(" in squeezed):
                self.problems.append(f"line {where[0]}: <{tag} style={value[:40]!r}> active style")
        if tag in ACTIVE_TAGS:
            self.problems.append(f"line {where[0]}: <{tag}> element")
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            self.problems.append(f"line {where[0]}: <meta http-equiv=refresh>")
        if tag == "script":
            self.in_script = True
            src = attrs.get("src") or ""
            self.script_ok = "nonce" in attrs or src.startswith("/static/")
            if not self.script_ok and attrs.get("type") not in (
                "application/json",
                "application/ld+json",
            ):
                self.problems.append(f"line {where[0]}: <script> without nonce nor static src")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and "__xss" in data:
            self.problems.append(f"line {self.getpos()[0]}: user text inside a <script>: {data[:60]!r}")


def problems(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.problems


def assert_inert(html: str | bytes, context: str = ""):
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    found = problems(html)
    assert not found, f"{context}: active content in the rendered page:\n" + "\n".join(found[:20])
