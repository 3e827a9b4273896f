"""Task worker killed mid-batch (tests/faults/worker_kill.py): e-mails and index updates retried, none lost,
none sent twice."""


def test_task_worker_killed_mid_batch_loses_no_email_or_index_update_and_sends_none_twice(
    run_bench,
):
    (result,) = run_bench("tests.faults.worker_kill", timeout=400)
    print(
        f"checked: {result['tasks_queued']} tasks queued ({result['emails']} e-mails, "
        f"{result['contributions']} index updates); workers killed with SIGKILL: "
        + "; ".join(
            f"{k['worker']} after {k['emails_sent']} e-mails while running {k['running']}" for k in result["kills"]
        )
        + f"; worker C finished in "
        f"{result['recovered_s']} s: {result['emails_sent']} e-mails sent, {result['emails_lost']} lost, "
        f"{result['emails_twice']} twice; {result['index_missing']} contributions missing from the index, "
        f"{result['pending_updates_left']} updates left pending; tasks {result['tasks']}"
    )
    assert result["sent_before_kill"] < result["emails"], "the worker was killed mid-batch"
    assert set(result["running_tasks_at_kill"]) == {
        "core.tasks.send_email",
        "search.tasks.apply_pending_updates",
    }, "one worker died in the middle of an e-mail, the other in the middle of an index update"
    assert result["emails_lost"] == 0
    assert result["emails_twice"] == 0
    assert result["index_missing"] == 0 and result["pending_updates_left"] == 0
    assert set(result["tasks"]) == {"SUCCESSFUL"}, "every task ended successfully"
