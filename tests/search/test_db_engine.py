"""The database engine on PostgreSQL answers a query with words in one statement; it must answer exactly what
the one-statement-per-facet path (SQLite's, and PostgreSQL's before) answers."""

import pytest
from django.db import connection
from django.utils import timezone

from search import db_engine

QUERIES = [
    ("hôpital", {}),
    ("l'hôpital", {"type": "contribution"}),
    ("dossier médical", {}),
    ("télémédecine", {}),
    ("santé", {"status": "open"}),
    ("santé", {"date": "an"}),
    ("association", {"region": "84"}),
    ("numérique", {"theme": "numerique-en-sante"}),
    ("zorglub", {}),
    ("laboratoire vivant", {"status": "closed"}),
]


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        reason = "PostgreSQL only: the single-statement path exists there (make test-all runs it)"
        print(f"\n*** {reason} ***")
        pytest.skip(reason)


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_the_single_statement_answers_what_one_statement_per_facet_answers(postgresql_only, corpus, monkeypatch, sort):
    from tests.search.conftest import reindex

    reindex()
    now = timezone.now()
    for q, filters in QUERIES:
        for offset in (0, 2):
            single = db_engine.search(q, filters, sort, offset, 3, now)
            monkeypatch.setattr(db_engine, "SINGLE_STATEMENT", False)
            per_facet = db_engine.search(q, filters, sort, offset, 3, now)
            monkeypatch.setattr(db_engine, "SINGLE_STATEMENT", True)
            assert single == per_facet, (q, filters, offset)


def test_a_query_with_words_costs_two_statements_on_postgresql(postgresql_only, corpus, django_assert_num_queries):
    from tests.search.conftest import reindex

    reindex()
    with django_assert_num_queries(2):  # the facets and the page's ids; then the page's documents
        result = db_engine.search("santé", {"status": "open"}, "relevance", 0, 10, timezone.now())
    assert result["total"] >= 1
