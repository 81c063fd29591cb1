"""The runs benchmark's pure parts (bench/runs.py): its targets, its report, and how it
writes its section into bench/RESULTS.md. No servers, no database."""

import copy

import pytest

from bench.runs import BEGIN, END, FULL, QUICK, evaluate, parse_args, section, splice


def _round(ours: float, baseline: float, ours_bytes: int, rss: float) -> dict:
    return {
        "ours": {"seconds": ours, "worker_seconds": ours - 0.1, "rows": 1000, "bytes": ours_bytes,
                 "rss_mb": rss, "path": "/x"},
        "baseline": {"seconds": baseline, "bytes": 1000, "path": "/y", "uploaded": "/z"},
    }  # fmt: skip


def _dispatch_round(dispatchers: int, per_dispatcher: list[int], **overrides) -> dict:
    figures = {
        "dispatchers": dispatchers, "seconds": 2.0, "per_dispatcher": per_dispatcher,
        "runs": 100, "exports_without": 0, "exports_with_one": 100, "exports_with_more": 0,
        "returned_twice": 0, "tasks": 100, "runs_with_one_task": 100,
    }  # fmt: skip
    return figures | overrides


def _page(queries: int, p95: float) -> dict:
    return {"label": "Exports page", "path": "/exports/", "median_ms": p95 / 2, "p95_ms": p95,
            "queries": queries, "bytes": 5000, "samples": 30}  # fmt: skip


def _rss(results: dict) -> list[dict]:
    """Where the worker's peak RSS of each run is."""
    throughput = results["throughput"]
    return [throughput["small"], *(round_["ours"] for round_ in throughput["rounds"])]


@pytest.fixture
def results() -> dict:
    finished = {"tasks": 100, "expected": 100, "task_statuses": {"SUCCESSFUL": 100},
                "by_worker": {"a": 50, "b": 50}, "seconds": 4.0}  # fmt: skip
    return {
        "throughput": {
            "rows": 1000, "small_rows": 100, "idle_mb": 60.0, "same_content": True,
            "script": "psql ... | gzip -6 > file\nsftp -b batch ...\n",
            "rounds": [_round(3.0, 2.0, 1010, 90.0), _round(2.6, 2.2, 1010, 92.0)],
            "small": {"rss_mb": 88.0}, "sshd": "9.2",
        },
        "dispatch": {
            "exports": 100, "members": 10,
            "rounds": [_dispatch_round(1, [100]), _dispatch_round(2, [60, 40])],
            "finished": [finished | {"what": "run_export", "run_statuses": {"succeeded": 100}},
                         finished | {"what": "noop"}],
        },
        "pages_small": {"runs": 100, "pages": {"exports": _page(9, 10.0)}},
        "pages": {"runs": 5000, "busiest_runs": 500, "sizes": {"exports": 1000},
                  "data_seconds": 5.0, "pages": {"exports": _page(9, 40.0)}, "postgres": "15"},
    }  # fmt: skip


def test_every_target_met(results):
    targets = evaluate(results)
    assert len(targets) == 8
    assert all(met for _name, met, _detail in targets), targets
    speed = targets[0]
    assert "median 2.8 s vs 2.1 s, 1.33x" in speed[2]


@pytest.mark.parametrize(
    ("change", "target"),
    [
        (lambda r: r["throughput"]["rounds"][0]["ours"].update(seconds=9.0), 0),
        (lambda r: r["throughput"]["rounds"][1]["ours"].update(bytes=1100), 1),
        (lambda r: [rss.update(rss_mb=201.0) for rss in _rss(r)], 2),
        (lambda r: r["throughput"]["small"].update(rss_mb=40.0), 3),
        (lambda r: r["dispatch"]["rounds"][1].update(seconds=61.0), 4),
        (lambda r: r["dispatch"]["rounds"][1].update(exports_with_one=99, exports_with_more=1), 5),
        (lambda r: r["dispatch"]["rounds"][1].update(tasks=101), 5),
        (lambda r: r["dispatch"]["rounds"][1].update(returned_twice=1), 5),
        (lambda r: r["pages"]["pages"]["exports"].update(queries=10), 6),
        (lambda r: r["pages"]["pages"]["exports"].update(p95_ms=100.0), 7),
    ],
)
def test_each_target_can_fail(results, change, target):
    changed = copy.deepcopy(results)
    change(changed)
    failed = [index for index, (_n, met, _d) in enumerate(evaluate(changed)) if not met]
    assert failed == [target]


def test_only_two_dispatchers_decide(results):
    """The one-dispatcher round is the baseline: its figures decide no target."""
    results["dispatch"]["rounds"][0].update(seconds=600.0, tasks=0)
    assert all(met for _n, met, _d in evaluate(results))


def test_section_states_met_or_not_and_every_table(results):
    results["throughput"]["rounds"][0]["ours"]["seconds"] = 9.0
    results["throughput"]["profile"] = {
        "stages": {"csv": 2.0, "gzip": 3.0},
        "top": [["csvfiles.py:40 csv_chunks", 10, 1.5, 0.5]],
    }
    text = section(results, evaluate(results), "bench/runs.py", ["- CPU: test"])
    assert text.startswith(BEGIN) and text.rstrip().endswith(END)
    assert "- NOT MET: throughput: our run at most 1.5x" in text
    assert "- MET: pages: p95 under 100 ms" in text
    for heading in ("### 1. Throughput", "### 2. Memory", "### 3. Dispatch", "### 4. Pages"):
        assert heading in text
    assert "`csvfiles.py:40 csv_chunks`" in text
    assert "60 + 40" in text  # what each dispatcher queued


def test_splice_appends_then_replaces_only_its_section():
    others = "# Benchmark results\n\n## PostgreSQL\n\n| a |\n"
    first = splice(others, f"{BEGIN}\n## Runs\nold\n{END}\n")
    assert first.startswith(others.rstrip("\n")) and first.endswith(f"{END}\n")
    second = splice(first + "\n## After\n", f"{BEGIN}\n## Runs\nnew\n{END}\n")
    assert "old" not in second and "new" in second
    assert second.startswith(others.rstrip("\n")) and second.endswith("\n## After\n")
    assert splice("", "section\n") == "section\n"


def test_quick_sizes_are_smaller_and_options_win():
    quick = parse_args(["--quick"])
    assert all(getattr(quick, key) <= value for key, value in FULL.items())
    assert quick.customers == QUICK["customers"] and quick.repeat == 5
    full = parse_args(["--customers", "5000"])
    assert full.customers == 5000 and full.dispatch == FULL["dispatch"] and full.repeat == 30
