"""Search knobs (read from Django settings with defaults)."""

from django.conf import settings


def es_url() -> str:
    return getattr(settings, "ELASTICSEARCH_URL", "") or ""


def index_prefix() -> str:
    return getattr(settings, "SEARCH_INDEX_PREFIX", "agora") or "agora"


def timeout() -> float:
    return float(getattr(settings, "SEARCH_TIMEOUT", 5))


def shards() -> int:
    """Primary shards of a new index. 1 by default; on a node with several cores, 2 lets one query use two
    (measured in docs/benchmarks.md, search_query). Takes effect at the next `search_rebuild`."""
    return int(getattr(settings, "SEARCH_INDEX_SHARDS", 1))


def replicas() -> int:
    """Replicas per shard: 0 on a single node (a replica could never be allocated), 1 on a cluster."""
    return int(getattr(settings, "SEARCH_INDEX_REPLICAS", 0))


def alias_name() -> str:
    """The alias every read and write goes through; concrete indices are `<alias>_<timestamp>`."""
    return f"{index_prefix()}_content"


def refresh_policy():
    """Elasticsearch `refresh` for single-document writes: False in production (1 s refresh interval),
    "wait_for" in tests so that a search right after a commit sees the change. Removals always use True."""
    return getattr(settings, "SEARCH_REFRESH", False)


PAGE_SIZE = getattr(settings, "SEARCH_PAGE_SIZE", 10)
SUGGEST_SIZE = 8
# After a failure, Elasticsearch is considered down for this many seconds (no timeout paid on every search).
CIRCUIT_SECONDS = getattr(settings, "SEARCH_CIRCUIT_SECONDS", 30)

# The page-cache scope of the results pages (core.pagecache): bumped by every write to the index.
PAGE_CACHE_SCOPE = "search"
