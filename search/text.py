"""French text normalisation for the database engine, and the synonym list shared with Elasticsearch.

The database engine cannot run Lucene's analyzers, so it applies a small equivalent in Python, both when
documents are written (`SearchDocument.search_text`) and when queries are parsed: elision removal
(l', d', qu'…), lowercasing, accent folding, French stop words, and a light plural/feminine stemmer
(hôpitaux → hopital, médicales → medical). Synonyms come from the same file as Elasticsearch's filter.
"""

import functools
import re
import unicodedata
from pathlib import Path

SYNONYMS_FILE = Path(__file__).resolve().parent / "synonyms" / "fr_health.txt"

ELISIONS = ("l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu")
STOPWORDS = frozenset(
    """
au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me meme mes moi mon ne nos
notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l
a m n s t y ete etre est sont a ont cette cet ceux celle celles aussi plus ni si
""".split()
)

WORD_RE = re.compile(r"[\w]+(?:['’][\w]+)?", re.UNICODE)


def fold(text: str) -> str:
    """Lowercase and strip accents (œ → oe)."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def stem(word: str) -> str:
    """Light French stemmer: plurals and feminine endings only (predictable, like `light_french`)."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    while len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def strip_elision(word: str) -> str:
    if "'" in word:
        head, _, tail = word.partition("'")
        if head in ELISIONS:
            return tail
    return word


def tokens(text: str, keep_stopwords: bool = False) -> list[str]:
    """Normalised stems of `text`, in order."""
    result = []
    for raw in WORD_RE.findall(fold(text or "")):
        word = strip_elision(raw).replace("'", "")
        for part in word.split("_"):
            if not part or (not keep_stopwords and part in STOPWORDS):
                continue
            result.append(stem(part))
    return result


def normalise(text: str) -> str:
    """`search_text` form: space-separated stems, with a leading and trailing space for LIKE matching."""
    return " " + " ".join(tokens(text)) + " "


@functools.lru_cache(maxsize=1)
def synonym_rules() -> tuple[str, ...]:
    """Raw rules of the maintained synonym file (comments and blank lines dropped)."""
    lines = []
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return tuple(lines)


@functools.lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Each rule as a group of equivalent token sequences (normalised)."""
    groups = []
    for rule in synonym_rules():
        variants = {tuple(tokens(term)) for term in rule.split(",")}
        variants.discard(())
        if len(variants) > 1:
            groups.append(tuple(sorted(variants)))
    return tuple(groups)


def expand(query: str) -> list[list[tuple[str, ...]]]:
    """Parse a query into AND-ed clauses, each clause an OR of token sequences (phrases) from synonyms.

    "dmp hôpitaux" → [[("dmp",), ("dossi", "medical", "partag")], [("hopital",)]]
    """
    words = tokens(query)
    clauses, i = [], 0
    while i < len(words):
        matched = None
        for group in synonym_groups():
            for variant in sorted(group, key=len, reverse=True):
                if tuple(words[i : i + len(variant)]) == variant and (
                    matched is None or len(variant) > len(matched[0])
                ):
                    matched = (variant, group)
        if matched:
            variant, group = matched
            clauses.append(list(group))
            i += len(variant)
        else:
            clauses.append([(words[i],)])
            i += 1
    return clauses


def query_stems(query: str) -> set[str]:
    """Every stem a query can match, synonyms included (for highlighting)."""
    return {stem_ for clause in expand(query) for variant in clause for stem_ in variant}
