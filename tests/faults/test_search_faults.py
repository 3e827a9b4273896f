"""Elasticsearch stopped (a private node, really stopped): search degrades to the database engine; the updates
made meanwhile wait in the pending table and are applied when the node is back."""

import os
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("FAULT_ES_PORT", "9210"))
STATE = f"/tmp/agora-faults-es-{PORT}"
pytestmark = pytest.mark.django_db(transaction=True)


def node(action: str):
    env = {**os.environ, "ELASTICSEARCH_PORT": str(PORT), "AGORA_STATE_DIR": STATE}
    result = subprocess.run(
        ["bash", str(ROOT / f"scripts/elasticsearch/{action}.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout.strip()


@pytest.fixture
def private_node(settings):
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        pytest.skip("needs the real engines (make faults)")
    print(node("start"))
    from search import es

    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{PORT}"
    settings.SEARCH_INDEX_PREFIX = f"faults_{uuid.uuid4().hex[:8]}"
    settings.SEARCH_REFRESH = "wait_for"
    settings.SEARCH_TIMEOUT = 2
    es.reset_state()
    yield
    es.reset_state()
    try:
        es.client().indices.delete(index=f"{settings.SEARCH_INDEX_PREFIX}_*")
    except Exception:  # noqa: BLE001
        pass
    node("stop")


def test_elasticsearch_stopped_search_degrades_and_indexing_catches_up(
    private_node, consultation_factory, contribution_factory, alice
):
    from django.core.management import call_command

    from search import engine, es, service
    from search.models import PendingUpdate

    call_command("search_rebuild", verbosity=0)
    section = consultation_factory().sections.first()
    before = contribution_factory(alice, section, body="Les maisons de santé pluriprofessionnelles en zone rurale.")
    assert service.search("pluriprofessionnelles").engine == "elasticsearch"

    print(node("stop"))
    es.reset_state()
    during = contribution_factory(alice, section, body="La téléconsultation pluriprofessionnelle en montagne.")
    result = service.search("pluriprofessionnelles")
    assert result.engine == "database" and result.degraded
    keys = {hit.key for hit in result.hits}
    assert f"contribution-{before.pk}" in keys and f"contribution-{during.pk}" in keys
    assert engine.engine_status()["degraded"] is True
    waiting = PendingUpdate.objects.count()
    assert waiting >= 1
    print(
        f"checked: node stopped → search answered from the database ({len(keys)} hits, degraded), "
        f"{waiting} update(s) kept pending"
    )

    print(node("start"))
    es.reset_state()
    status = engine.engine_status()  # /healthz does this: the node is back, pending updates are applied
    assert status["engine"] == "elasticsearch"
    assert PendingUpdate.objects.count() == 0
    result = service.search("pluriprofessionnelles")
    assert result.engine == "elasticsearch" and not result.degraded
    assert f"contribution-{during.pk}" in {hit.key for hit in result.hits}
    call_command("search_check")
    print(
        "checked: node back → pending updates applied, the contribution made during the outage is found by "
        "Elasticsearch, search_check agrees"
    )
