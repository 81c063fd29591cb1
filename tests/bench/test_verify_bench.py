"""The Verify benchmark's pure helpers (bench/verify.py): no servers, no database."""

from datetime import UTC, datetime, timedelta

from bench.verify import judge
from bench.verify_checks import ms, table

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def check(check_id, *, started=True, finished=True, status="passed"):
    return {
        "id": check_id,
        "status": status,
        "started_at": T0 if started else None,
        "finished_at": T0 + timedelta(milliseconds=100 + check_id) if finished else None,
    }


def result(check_id, *workers, status="SUCCESSFUL"):
    return {"check_id": check_id, "status": status, "worker_ids": list(workers)}


def test_every_check_run_once_by_one_of_two_workers():
    run = judge(2, [check(1), check(2), check(3)], [result(1, "a"), result(2, "b"), result(3, "a")])
    assert run.problems == []
    assert run.checks == 3 and run.statuses == {"passed": 3}
    assert run.by_worker == {"a": 2, "b": 1}
    assert sorted(run.run_ms) == [101.0, 102.0, 103.0]


def test_a_check_claimed_twice_or_enqueued_twice_is_reported():
    twice_claimed = judge(2, [check(1)], [result(1, "a", "b")])
    twice_enqueued = judge(2, [check(1)], [result(1, "a"), result(1, "b")])
    assert twice_claimed.problems == ["check 1: 1 tasks, by ['a', 'b']"]
    assert twice_enqueued.problems == ["check 1: 2 tasks, by ['a', 'b']"]


def test_unfinished_checks_failed_tasks_and_strays_are_reported():
    run = judge(
        1,
        [check(1, finished=False, status="running"), check(2), check(3)],
        [result(1, "a"), result(2, "a", status="FAILED"), result(9, "a")],
    )
    assert run.statuses == {"running": 1, "passed": 2}
    assert run.problems == [
        "check 1 did not start and finish",
        "check 2: task FAILED",
        "check 3: 0 tasks, by []",
        "a task for an unknown check 9",
    ]


def test_table_and_milliseconds():
    assert table(["a", "b"], [["1", "2"]]) == ["| a | b |", "|---|---|", "| 1 | 2 |"]
    assert ms([3.0, 1.0, 2.0], 0.5) == "2.0"
