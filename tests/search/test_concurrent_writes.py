"""Two writers indexing the same document at once: the second one retries instead of failing (it used to answer
HTTP 500 under concurrent posting, see docs/benchmarks.md fault_redis_restart)."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from search.indexing import write_db
from search.models import SearchDocument


def doc(title):
    return {
        "key": "contribution-424242",
        "doc_type": "contribution",
        "object_id": 424242,
        "title": title,
        "body": "Texte de la contribution",
        "url": "/x/",
        "date": None,
        "region": "",
        "opens_at": None,
        "closes_at": None,
        "consultation_id": None,
        "section_id": None,
        "stance": "",
        "themes": [],
    }


@pytest.mark.django_db(transaction=True)
def test_a_second_writer_of_the_same_document_retries_instead_of_failing():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking (SQLite serialises whole-database writes)")
    first_inserted, errors = threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                write_db([doc("Premier")], [])
                first_inserted.set()
                time.sleep(0.5)  # hold the uncommitted row while the second writer inserts the same key
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    first_inserted.wait(5)
    write_db([doc("Second")], [])
    thread.join()
    assert errors == []
    assert list(SearchDocument.objects.filter(key="contribution-424242").values_list("title", flat=True)) == ["Second"]
