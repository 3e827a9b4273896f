"""Group commit (consult/groupcommit.py): contributions posted at the same moment in one process are written in one
transaction, each request still answered with its own stored contribution."""

import threading
import time

import pytest
from django.db import connection, transaction

from consult import services
from consult.groupcommit import GroupCommit
from consult.models import ConsultationEvent, Contribution
from search.models import SearchDocument

# --- the mechanism, with a fake writer --------------------------------------------------------------------


class Recorder:
    """A `write` that records its batches; `hold` makes the first batch wait until released."""

    def __init__(self, fail_on=None):
        self.batches = []
        self.hold = threading.Event()
        self.hold.set()
        self.fail_on = fail_on

    def __call__(self, items):
        self.batches.append(list(items))
        self.hold.wait(5)
        if self.fail_on in items:
            raise RuntimeError("écriture impossible")
        return [f"écrit:{item}" for item in items]


def submit_in_threads(group, items):
    results, threads = {}, []

    def run(item):
        try:
            results[item] = group.submit(item)
        except Exception as exc:  # noqa: BLE001 - the test looks at what each request got
            results[item] = exc

    for item in items:
        thread = threading.Thread(target=run, args=(item,))
        thread.start()
        threads.append(thread)
    return results, threads


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_lone_request_is_written_at_once_and_alone():
    writer = Recorder()
    group = GroupCommit(writer)
    assert group.submit("a") == "écrit:a"
    assert writer.batches == [["a"]]


def while_a_write_runs(group, writer, items):
    """Submit "premier" alone; while its write is held, submit `items` (they queue); then release everything.
    Returns what each request got: a result or the exception it raised."""
    writer.hold.clear()
    results, first = submit_in_threads(group, ["premier"])
    wait_for(lambda: writer.batches)  # the first request is writing, alone
    more, others = submit_in_threads(group, items)
    wait_for(lambda: len(group._waiting) == len(items))
    writer.hold.set()
    for thread in first + others:
        thread.join(5)
    return {**results, **more}


def test_requests_arriving_during_a_write_are_written_together_in_the_next_batch():
    writer = Recorder()
    group = GroupCommit(writer)
    results = while_a_write_runs(group, writer, ["b", "c", "d"])
    assert writer.batches == [["premier"], ["b", "c", "d"]]
    assert results == {"premier": "écrit:premier", "b": "écrit:b", "c": "écrit:c", "d": "écrit:d"}
    assert (group.batches, group.items) == (2, 4)


def test_a_batch_is_never_larger_than_the_maximum():
    writer = Recorder()
    group = GroupCommit(writer, max_batch=2)
    while_a_write_runs(group, writer, ["b", "c", "d"])
    assert [len(batch) for batch in writer.batches] == [1, 2, 1]


def test_an_error_reaches_every_request_of_its_batch_and_the_next_batch_is_still_written():
    writer = Recorder(fail_on="b")
    group = GroupCommit(writer)
    results = while_a_write_runs(group, writer, ["b", "c"])
    assert isinstance(results["b"], RuntimeError) and isinstance(results["c"], RuntimeError)
    assert group.submit("e") == "écrit:e"  # nothing is left stuck behind the failed batch
    assert writer.batches[-1] == ["e"]


def test_an_item_that_failed_on_its_own_raises_in_its_request_only():
    writer = Recorder()

    def write(items):
        results = writer(items)
        return [ValueError(item) if item == "b" else result for item, result in zip(items, results, strict=True)]

    results = while_a_write_runs(GroupCommit(write), writer, ["b", "c"])
    assert isinstance(results["b"], ValueError) and results["c"] == "écrit:c"


@pytest.mark.django_db
def test_a_caller_inside_a_transaction_writes_its_own_item_in_it():
    group = GroupCommit(lambda items: [threading.current_thread().name for _ in items])
    with transaction.atomic():
        assert group.submit("a") == threading.current_thread().name
    assert group._waiting == [] and not group._writing


# --- the write of a batch of contributions ----------------------------------------------------------------


@pytest.fixture
def prepare():
    """Validated, unsaved contributions, as create_contribution hands them to the group commit."""

    def make(user, section, body, key="", parent=None):
        captured = []
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(services._group_commit, "submit", lambda item: captured.append(item) or (item, True))
            services.create_contribution(
                user,
                section,
                body,
                stance="" if parent else Contribution.STANCE_FOR,
                parent=parent,
                no_interests=parent is None,
                idempotency_key=key,
            )
        return captured[0]

    return make


@pytest.mark.django_db
def test_a_batch_is_stored_numbered_logged_and_indexed_in_one_go(
    prepare, alice, bob, section, contribution_factory, django_capture_on_commit_callbacks, monkeypatch
):
    from consult.websockets import handlers

    parent = contribution_factory(bob, section, body="Une contribution à laquelle on répond.")
    batch = [
        prepare(alice, section, "Première contribution du lot, au nom d'Alice."),
        prepare(bob, section, "Deuxième contribution du lot, au nom de Bob."),
        prepare(alice, section, "Une réponse dans le même lot.", parent=parent),
    ]
    broadcast = []
    monkeypatch.setattr(handlers, "broadcast_event", broadcast.append)
    with django_capture_on_commit_callbacks(execute=True):
        results = services._write_contributions(batch)

    assert [created for _, created in results] == [True, True, True]
    stored = {c.pk: c for c in Contribution.objects.filter(pk__in=[c.pk for c, _ in results])}
    for contribution, _ in results:
        row = stored[contribution.pk]
        assert row.receipt_number == contribution.receipt_number == f"C-{row.created_at.year}-{row.pk:06d}"
    top, other, reply = (stored[c.pk] for c, _ in results)
    assert top.root_id == top.pk and other.root_id == other.pk
    assert reply.root_id == parent.pk and reply.depth == 1
    parent.refresh_from_db()
    assert parent.replies_count == 1
    events = ConsultationEvent.objects.filter(contribution_id__in=stored, kind=ConsultationEvent.KIND_CREATED)
    assert events.count() == 3
    assert {event.contribution_id for event in broadcast} == set(stored)  # sent from memory, one per event
    assert all(isinstance(event, ConsultationEvent) for event in broadcast)
    indexed = SearchDocument.objects.filter(key__in=[f"contribution-{pk}" for pk in stored])
    assert indexed.count() == 3  # recorded in the batch, indexed at commit (tasks run at once in the tests)


@pytest.mark.django_db
def test_a_replayed_key_in_a_batch_gets_the_stored_contribution_and_the_rest_is_written(prepare, alice, bob, section):
    replay = prepare(alice, section, "Le texte envoyé une première fois.", key="cle-1")
    # The first request with this key is written after the replay's check, before its write (another process):
    first, _ = services.create_contribution(
        alice, section, "Le texte envoyé une première fois.", "pour", no_interests=True, idempotency_key="cle-1"
    )
    other = prepare(bob, section, "Une autre contribution, dans le même lot.", key="cle-2")

    results = services._write_contributions([replay, other])

    assert results[0] == (first, False)
    assert results[1][1] is True and results[1][0].pk is not None
    assert Contribution.objects.filter(author=alice, idempotency_key="cle-1").count() == 1
    assert Contribution.objects.filter(author=bob, idempotency_key="cle-2").count() == 1


@pytest.mark.django_db
def test_the_same_key_twice_in_one_batch_is_stored_once(prepare, alice, section):
    one = prepare(alice, section, "Envoyé deux fois par un client impatient.", key="cle-double")
    two = prepare(alice, section, "Envoyé deux fois par un client impatient.", key="cle-double")

    results = services._write_contributions([one, two])

    assert [created for _, created in results] == [True, False]
    assert results[0][0].pk == results[1][0].pk
    assert Contribution.objects.filter(author=alice, idempotency_key="cle-double").count() == 1


@pytest.mark.django_db
def test_a_contribution_that_fails_on_its_own_fails_alone_and_the_rest_of_its_batch_is_stored(
    prepare, alice, bob, section
):
    from django.db import IntegrityError

    first = prepare(alice, section, "Une contribution correcte, avant.", key="cle-avant")
    broken = prepare(bob, section, "Celle-ci ne peut pas être enregistrée.", key="cle-cassee")
    broken.body = None  # NOT NULL: refused by the database, whatever the batch
    last = prepare(bob, section, "Une contribution correcte, après.", key="cle-apres")

    results = services._write_contributions([first, broken, last])

    assert results[0][1] is True and results[2][1] is True
    assert isinstance(results[1], IntegrityError)
    assert set(Contribution.objects.values_list("idempotency_key", flat=True)) == {"cle-avant", "cle-apres"}
    group = GroupCommit(lambda items: [IntegrityError("refusée")])
    with pytest.raises(IntegrityError):  # raised in the request of that contribution
        group.submit(broken)


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_are_grouped_and_each_gets_its_own_stored_contribution(
    consultation_factory, django_user_model, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (SQLite serialises whole-database writes); make test-all runs it")
    section = consultation_factory().sections.order_by("sort_order").first()
    users = [django_user_model.objects.create_user(f"auteur{n}", f"auteur{n}@example.org", "x") for n in range(8)]
    slow_first = threading.Event()

    def write(items):
        if not slow_first.is_set():  # the first batch takes a while: the others arrive meanwhile
            slow_first.set()
            time.sleep(0.3)
        return services._write_contributions(items)

    group = GroupCommit(write)
    monkeypatch.setattr(services, "_group_commit", group)
    answers = {}

    def post(n):
        try:
            contribution, created = services.create_contribution(
                users[n], section, f"Contribution simultanée numéro {n}.", "pour", no_interests=True
            )
            answers[n] = (contribution.pk, contribution.receipt_number, created)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert len(answers) == 8 and all(created for _, _, created in answers.values())
    stored = dict(Contribution.objects.filter(section=section).values_list("pk", "receipt_number"))
    assert {pk: receipt for pk, receipt, _ in answers.values()} == stored
    assert group.items == 8 and group.batches < 8
