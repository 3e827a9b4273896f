"""Redis killed and restarted, and one app process killed, during concurrent posting with live listeners.

Both run bench/fault_redis_restart.py (two real uvicorn processes, a private Redis, live.js-like listeners that
reconnect and catch up like live.js) for FAULT_SECONDS: 60 s of posting for the Redis restart (as issue 7 asks),
20 s for the app process.
"""


def check(result):
    print(
        f"checked: {result['accepted']} contributions accepted during the fault, {result['stored']} stored, "
        f"{result['duplicates']} duplicates, every one of {result['listeners']} listeners received "
        f"≥ {result['delivered_min']} (lost {result['lost']}; after one more catch-up: "
        f"{result['after_final_catch_up_lost']}), reconnects {result['reconnects']}, "
        f"refused requests {result['refused_requests']}"
    )
    assert result["accepted"] > 0
    assert result["missing_in_db"] == 0, "an accepted contribution is not in the database"
    assert result["duplicates"] == 0, "a contribution was stored twice"
    assert result["stored"] == result["accepted"] + result["unaccepted_stored"]
    assert result["lost"] == 0, "a listener ended without every accepted contribution"


def test_redis_killed_and_restarted_during_posting_loses_nothing(run_bench):
    (result,) = run_bench("bench.fault_redis_restart", FAULT_SECONDS=60, FAULT_LISTENERS=20, FAULT_POSTERS=4)
    assert result["reconnects"] >= result["listeners"], "the restart reached the listeners' servers"
    check(result)


def test_one_app_process_killed_its_listeners_reconnect_to_the_other_and_miss_nothing(run_bench):
    (result,) = run_bench(
        "bench.fault_redis_restart",
        FAULT_SCENARIO="app",
        FAULT_SECONDS=20,
        FAULT_LISTENERS=20,
        FAULT_POSTERS=4,
    )
    assert result["bench"] == "fault_app_process"
    assert result["reconnects"] >= result["listeners"] // 2, "the killed server's listeners reconnected"
    check(result)
