"""Group commit: what several requests of one process submit at the same moment is written in ONE transaction.

A request thread submits its item (for contributions: validated, unsaved) and waits. If no thread of the
process is writing, it becomes the *leader*: it takes every item waiting (its own first, up to MAX_BATCH) and
writes them with its own database connection through `write(items)`, which returns one result per item (an
exception instance for an item that failed on its own: raised in that item's request only). While it
writes, the next requests queue; when it is done it wakes them with their results and hands the lead to the
first request still waiting, which writes the next batch. Nobody waits for a timer: a lone request is written
at once, alone; under load, batches grow by themselves to the number of requests that arrived during the
previous write. Each request still answers only after its own item is committed (nothing acknowledged is lost).

A caller already inside a transaction (a test, a management command, a service calling another) writes its
item itself, in that transaction: somebody else's write must never depend on a transaction that may still roll
back. The same `write` function runs in both cases, so a batch of one is the code path of every batch.

Measured in docs/realtime.md (consult_ingest).
"""

import threading

from django.db import transaction

MAX_BATCH = 100


class _Slot:
    __slots__ = ("item", "ready", "lead", "result", "error")

    def __init__(self, item):
        self.item = item
        self.ready = threading.Event()
        self.lead = False
        self.result = None
        self.error = None

    def outcome(self):
        if self.error is not None:
            raise self.error
        return _unwrap(self.result)


def _unwrap(result):
    """`write` may return an exception for one item (its own failure, not the batch's): raised in its request."""
    if isinstance(result, BaseException):
        raise result
    return result


class GroupCommit:
    def __init__(self, write, max_batch: int = MAX_BATCH):
        self.write = write
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Slot] = []
        self._writing = False
        self.batches = 0  # counters for tests and benchmarks
        self.items = 0

    def submit(self, item):
        if transaction.get_connection().in_atomic_block:
            return _unwrap(self._write([item])[0])
        slot = _Slot(item)
        with self._lock:
            self._waiting.append(slot)
            lead = not self._writing
            self._writing = True
        if not lead:
            slot.ready.wait()
            if not slot.lead:
                return slot.outcome()
        self._lead()
        return slot.outcome()

    def _write(self, items):
        results = self.write(items)
        self.batches += 1
        self.items += len(items)
        return results

    def _lead(self):
        with self._lock:
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
        try:
            results = self._write([slot.item for slot in batch])
        except BaseException as exc:  # every request of the batch gets the error (and its client retries)
            for slot in batch:
                slot.error = exc
        else:
            for slot, result in zip(batch, results, strict=True):
                slot.result = result
        finally:
            with self._lock:
                if self._waiting:
                    successor = self._waiting[0]
                    successor.lead = True
                    successor.ready.set()
                else:
                    self._writing = False
            for slot in batch:
                slot.lead = False
                slot.ready.set()
