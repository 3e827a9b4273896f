"""PostgreSQL restarted during posting (tests/faults/pg_restart.py on a private cluster)."""


def test_postgres_restart_fails_cleanly_in_french_writes_nothing_partial_and_resumes(run_bench):
    (result,) = run_bench("tests.faults.pg_restart", FAULT_SECONDS=15, FAULT_POSTERS=4)
    print(
        f"checked: {result['accepted']} accepted, {result['503_french']} refused with a French 503 (JSON "
        f"ok=false, the form keeps its text: {result['json_503_with_ok_false']}), other answers "
        f"{result['other'] or 'none'}, slowest answer {result['slowest_ms']} ms; {result['stored']} stored, {result['duplicates']} duplicates, "
        f"{result['without_event']} without their event row, {result['stored_unacknowledged']} committed but "
        f"answered 503; after the restart a new post answered {result['resumed_status']}"
    )
    assert result["accepted"] > 0 and result["503_french"] > 0, "the outage happened during the posting"
    assert result["503_other"] == 0 and not result["other"], "every failure is a French 503"
    assert result["json_503_with_ok_false"] == result["503_french"]
    assert result["accepted_missing"] == 0
    assert result["duplicates"] == 0
    assert result["without_event"] == 0, "a contribution without its event row: a partial write"
    assert 200 <= result["resumed_status"] < 300, "the service resumed by itself"
