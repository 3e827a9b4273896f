"""Contribution text → HTML (consult/text.py): escaped, paragraphs, links; bleach whenever it has work to do."""

import random
import string

import pytest

from consult import text

LINK_FREE = [
    'l\'auteur « cité » dit "bonjour" & <b>gras</b> <script>alert(1)</script>',
    "&amp; &nbsp; &lt; &#39; &#x27; &copy; &foo; &#0; &",
    "a\xa0b\u200bc\ufeff\ufffe",
    "ligne 1\nligne 2\n\n\nparagraphe 2\r\nsuite",
    "Voir le rapport (p. 12). Fin.",
    "n°5 — 10 % > 5 % < 20 ; =\"'`",
    '<!-- commentaire --> <![CDATA[x]]> <p>déjà</p> <a href="javascript:alert(1)">x</a>',
    "Contribution de mesure n°12 de l'auteur·rice 3 (ingest-3-12-0a1b2c).",
]
WITH_WORK = [
    "Voir www.sante.gouv.fr",
    "https://esante.gouv.fr/rapport?x=1&y=2",
    "fin.Début",
    "version 2.0",
    "nul\x00",
    "\x1b[0m",
]


def texts(n=20_000, seed=20261208):
    alphabet = (
        string.ascii_letters + string.digits + " \n\t&<>\"'#;=/.:-–«»éàç\xa0\x7f\x80\x9f\ufeff()[]{}%$*+,?!@_~|^`\\"
    )
    rng = random.Random(seed)
    for _ in range(n):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80)))


@pytest.mark.parametrize("body", LINK_FREE + WITH_WORK)
def test_the_shortcut_gives_what_bleach_gives(body):
    assert text.render_body(body) == text._bleach(text.escaped_paragraphs(body))


def test_the_shortcut_gives_what_bleach_gives_on_twenty_thousand_random_texts():
    shortcut = 0
    for body in texts():
        expected = text._bleach(text.escaped_paragraphs(body))
        assert text.render_body(body) == expected, repr(body)
        shortcut += not text._BLEACH_WORK.search(body)
    assert shortcut > 10_000  # the shortcut was really taken, most of the time


def test_markup_typed_by_a_person_is_shown_as_text():
    html = text.render_body('<script>alert("x")</script> <b>gras</b>')
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_links_become_nofollow_anchors_and_paragraphs_stay():
    html = text.render_body("Le rapport :\nhttps://esante.gouv.fr/rapport\n\nDeuxième paragraphe.")
    assert html.startswith("<p>Le rapport :<br>") and html.count("<p>") == 2
    assert '<a href="https://esante.gouv.fr/rapport" rel="nofollow ugc noopener">' in html


def test_only_web_and_mail_links_are_kept():
    html = text.render_body("javascript:alert(1) et data:text/html,x")
    assert "<a" not in html
