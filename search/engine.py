"""Which search engine answers, and whether it is up (extended by the search issue)."""

from django.conf import settings


def engine_status():
    if not settings.ELASTICSEARCH_URL:
        return {"engine": "database"}
    from elasticsearch import Elasticsearch

    client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=2)
    info = client.info()
    return {"engine": "elasticsearch", "version": info["version"]["number"]}
