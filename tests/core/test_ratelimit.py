"""core.ratelimit: a sliding window, so a saturating client is accepted at the steady rate, not in bursts."""

import pytest
from django.core.cache import cache

from core.ratelimit import hit

START = 1_800_000_000.0 - (1_800_000_000.0 % 60)  # the first instant of a minute


@pytest.fixture(autouse=True)
def limits_on(settings):
    settings.RATELIMIT_ENABLED = True
    cache.clear()
    yield
    cache.clear()


def accepted(times, rate="30/m", ident="203.0.113.7"):
    return [t for t in times if hit("test", ident, rate, now=t)]


def test_the_budget_of_a_fresh_client_is_available_at_once():
    assert len(accepted([START + i * 0.01 for i in range(40)])) == 30


def test_a_saturating_client_is_accepted_at_the_steady_rate_after_the_first_window():
    # One attempt every 100 ms for three minutes.
    times = [START + i * 0.1 for i in range(1800)]
    ok = accepted(times)
    second_minute = [t for t in ok if START + 60 <= t < START + 120]
    third_minute = [t for t in ok if START + 120 <= t < START + 180]
    assert 29 <= len(second_minute) <= 31 and 29 <= len(third_minute) <= 31
    # Spread over the minute, not spent in its first seconds (a fixed window accepted all 30 in 3 s).
    assert len([t for t in third_minute if t < START + 130]) <= 6
    assert max(b - a for a, b in zip(third_minute, third_minute[1:], strict=False)) <= 4


def test_no_more_than_the_limit_is_accepted_across_a_window_boundary():
    # A fixed window accepted 30 at the end of one minute and 30 more at the start of the next.
    late = accepted([START + 59 + i * 0.02 for i in range(30)])
    early = accepted([START + 60 + i * 0.02 for i in range(30)])
    assert len(late) == 30
    assert len(early) <= 1


def test_refused_attempts_do_not_count_against_the_client():
    accepted([START + i * 0.01 for i in range(30)])
    assert accepted([START + 1 + i * 0.01 for i in range(100)]) == []
    # Two minutes later the previous windows no longer count, however often the client was refused.
    assert len(accepted([START + 120 + i * 0.01 for i in range(40)])) == 30


def test_clients_and_scopes_have_their_own_budgets():
    assert len(accepted([START + i * 0.01 for i in range(5)], rate="3/m", ident="a")) == 3
    assert len(accepted([START + i * 0.01 for i in range(5)], rate="3/m", ident="b")) == 3
    assert hit("other", "a", "3/m", now=START + 1)


def test_limits_off_accept_everything(settings):
    settings.RATELIMIT_ENABLED = False
    assert len(accepted([START] * 100, rate="1/m")) == 100


def test_counters_live_two_windows_and_no_longer(monkeypatch):
    # The previous window's counter is read during the current one; past that it is deleted (docs/personal-data.md).
    timeouts = []
    real_add = cache.add
    monkeypatch.setattr(
        cache, "add", lambda key, value, timeout: timeouts.append(timeout) or real_add(key, value, timeout)
    )
    hit("test", "x", "30/m", now=START)
    hit("test", "x", "5/h", now=START)
    assert timeouts == [121, 7201]
