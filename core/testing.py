"""Test support that has to be importable from settings (config/settings/test.py)."""

from collections import deque

from django_tasks.backends.dummy import DummyBackend
from django_tasks.backends.immediate import ImmediateBackend


class ImmediateBackendSkippingAdminIndexes(ImmediateBackend):
    """The immediate backend, except for Wagtail's own upkeep of its admin search index and reference index.

    Every page save enqueues both (wagtail.tasks.update_reference_index_task,
    modelsearch.tasks.insert_or_update_object_task); run inline they were about a third of the time of the
    fixtures that build pages (1.5 s of the search corpus's 4 s), and no test reads those admin indexes. They are
    recorded as with the dummy backend instead; e-mails, the public search indexing and every task of ours still
    run inline.
    """

    SKIPPED = {
        "wagtail.tasks.update_reference_index_task",
        "modelsearch.tasks.insert_or_update_object_task",
        "modelsearch.tasks.delete_object_task",
    }

    def __init__(self, alias, params):
        super().__init__(alias, params)
        self.results = deque(maxlen=100)  # what DummyBackend.enqueue appends to (bounded: nobody reads it)

    def enqueue(self, task, args, kwargs):
        if task.module_path in self.SKIPPED:
            return DummyBackend.enqueue(self, task, args, kwargs)
        return super().enqueue(task, args, kwargs)
