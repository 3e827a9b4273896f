"""Fixtures of the modules, reused by the cross-cutting security tests (factories of tests/<app>/conftest.py)."""

import pytest

from tests.consult.conftest import *  # noqa: F401,F403

# Autouse fixtures are private names: a star import leaves them out.
from tests.consult.conftest import _instant_forms  # noqa: F401,E402
from tests.livinglabs.conftest import *  # noqa: F401,F403
from tests.projects.conftest import *  # noqa: F401,F403
from tests.projects.conftest import _private_files  # noqa: F401,E402


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    # Many requests per test from one client: the limits themselves are tested in the modules.
    settings.RATELIMIT_ENABLED = False
