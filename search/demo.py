"""Demo content for search/: builds the search documents from the demo content loaded before (idempotent)."""

from search import indexing
from search import settings as conf


def load(stdout=None, context=None):
    n = indexing.rebuild_database()
    message = f"search: {n} documents in the database engine"
    if conf.es_url():
        try:
            name, _ = indexing.rebuild_elasticsearch()
            message += f", Elasticsearch index {name}"
        except Exception as exc:  # noqa: BLE001 - the demo works on the database engine alone
            message += f" (Elasticsearch unavailable: {type(exc).__name__})"
    if stdout:
        stdout.write(message)
    return None
