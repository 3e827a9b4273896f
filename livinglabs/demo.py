"""Demo content for livinglabs/ (called by `manage.py load_demo` after core; must be idempotent).

`context` holds what earlier loaders returned: home page, people (editor, moderator, reviewer, citizen,
association...), organisations (verified, pending).
"""


def load(stdout=None, context=None):
    return None
