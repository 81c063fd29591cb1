#!/usr/bin/env python3
"""Export runs, measured: throughput against the shell, memory, dispatch, and the pages.

    .venv/bin/python bench/runs.py [--quick] [--profile]   # = make bench-runs

Runs on PostgreSQL: the server of a ``postgres://`` DATABASE_URL, or without one a
throwaway server (the script runs itself again under ``tests/with_postgres.py``). Three
fresh databases; each phase is a process of its own (bench/runs_parts.py):

1. **Pages** (production settings, as bench/run.py): ``generate_load_data`` with its own
   sizes (50,000 exports) and ``--customers``, then ``--runs`` export runs made in SQL
   (the first active export gets ``--busiest-runs``; 90% succeeded, 7% failed, 3%
   cancelled; each export's last run set to its newest), VACUUM ANALYZE; each page with
   bench/measure.py (warm-ups, ``--repeat`` timed requests, median and nearest-rank p95,
   then the queries of one more). The baseline: the same pages on a database of 10
   exports and 100 runs, in the same run (the query counts must be equal).
2. **Throughput and memory**, on the large database with the tests' sshd: an export of
   all 10 fields of the segment of ``--customers`` customers to an SFTP connection
   (password user, gzipped), run by a fresh ``db_worker``; its wall time is the run's
   ``queued_at`` to ``finished_at``. Beside it, in turn (ours, pipeline, ours, ...), the
   shell pipeline ``psql \\copy ... | gzip -6 > file`` then ``sftp -b`` (key user,
   same sshd), timed as a whole. Peak RSS is the worker's ``VmHWM`` after its run, at
   ``--customers-small`` and ``--customers`` rows, beside an idle worker's.
3. **Dispatch**: ``--dispatch`` active hourly exports due at one slot, on a bench-only
   null destination (bench/runs_settings.py); one dispatcher alone (the baseline), then
   two processes calling the job's work ``dispatch_due(moment)`` for the same moment,
   let go at the same instant: time to the last return, runs and tasks per export.
   Then four ``db_worker`` processes run the queued runs, and (baseline) as many no-op
   tasks: first start to last finish of the task results.

The section goes into bench/RESULTS.md between its markers (appended when absent).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess  # noqa: S404 (this script and tests/with_postgres.py, no shell)
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not __package__:  # run as a script: the repository root, not bench/, comes first
    sys.path[0] = str(ROOT)

FULL = {
    "customers": 1_000_000, "customers_small": 100_000, "dispatch": 10_000,
    "dispatch_members": 100, "connections": 10_000, "exports": 50_000, "enrichments": 5_000,
    "users": 500, "runs": 500_000, "busiest_runs": 5_000, "rounds": 2,
}  # fmt: skip
QUICK = {
    "customers": 20_000, "customers_small": 2_000, "dispatch": 300, "dispatch_members": 20,
    "connections": 100, "exports": 1_000, "enrichments": 50, "users": 20, "runs": 10_000,
    "busiest_runs": 500, "rounds": 2,
}  # fmt: skip
# The pages' baseline: the same pages on 10 exports and 100 runs (10 of one export).
SMALL_PAGES = {"connections": 10, "exports": 10, "enrichments": 5, "users": 12, "customers": 0,
               "runs": 100, "busiest_runs": 10}  # fmt: skip
# The pages of (4): key, label, user, path (filled in with the export of the most runs, its
# last page and an export of a few runs), whether an htmx request.
PAGES = [
    ("exports", "Exports page", "admin", "/exports/", False),
    ("exports_htmx", "Exports page (htmx partial)", "admin", "/exports/", True),
    ("exports_last_run", "Exports page sorted by last run, newest first", "admin",
     "/exports/?sort=-last_run", False),
    ("runs", "Runs page, the export with the most runs", "admin", "/exports/{busiest}/runs/",
     False),
    ("runs_last", "Runs page, its last page", "admin",
     "/exports/{busiest}/runs/?page={last_page}", False),
    ("runs_typical", "Runs page, an export with a few runs", "admin",
     "/exports/{typical}/runs/", False),
    ("admin_exports", "Django admin changelist of exports", "superuser",
     "/django-admin/exports/export/", False),
]  # fmt: skip
RUN_COLUMNS = ("export_id", "connection_id", "trigger", "slot", "status", "queued_at",
               "started_at", "finished_at", "attempt", "rows", "bytes", "files", "failure",
               "snapshot", "cancel_requested")  # fmt: skip
# Per generated run: r in [0, 1) draws its status (90% succeeded, 7% failed, 3% cancelled)
# and its duration; g counts back in hours from now (so each export's slots differ).
RUN_VALUES = """t.export_id, t.connection_id,
  CASE WHEN mod(t.g, 10) = 0 THEN 'manual' ELSE 'schedule' END,
  CASE WHEN mod(t.g, 10) = 0 THEN NULL ELSE date_trunc('hour', t.q) END,
  CASE WHEN t.r < 0.9 THEN 'succeeded' WHEN t.r < 0.97 THEN 'failed' ELSE 'cancelled' END,
  t.q, t.q + interval '2 seconds', t.q + interval '3 seconds' + t.r * interval '600 seconds', 1,
  CASE WHEN t.r < 0.9 THEN (t.r * 1000000)::bigint ELSE 0 END,
  CASE WHEN t.r < 0.9 THEN (t.r * 30000000)::bigint ELSE 0 END,
  CASE WHEN t.r < 0.9 THEN 1 ELSE 0 END,
  CASE WHEN t.r >= 0.9 AND t.r < 0.97 THEN 'timed_out' ELSE '' END,
  jsonb_build_object('export_name', t.name), false"""


BEGIN, END = "<!-- bench/runs.py: begin -->", "<!-- bench/runs.py: end -->"
REPORT = ROOT / "bench" / "RESULTS.md"
MB_LIMIT, MB_SPREAD, SPEED, BYTES, QUEUE_SECONDS, P95_MS = 200, 0.10, 1.5, 0.05, 60, 100


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("mode", nargs="?", default="all", choices=["all", "phase", "dispatcher"])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--profile", action="store_true",
                        help="profile our run's stages even when within the target")  # fmt: skip
    for key, value in FULL.items():
        parser.add_argument(f"--{key.replace('_', '-')}", type=int, default=None,
                            help=f"default {value:,}")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=None, help="timed requests (default 30)")
    parser.add_argument("--warmup", type=int, default=None, help="default 3")
    parser.add_argument("--output", type=Path, default=REPORT)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--moment", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.repeat = args.repeat or (5 if args.quick else 30)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 3)
    return args


# the child processes -----------------------------------------------------------------------------


def child(args: argparse.Namespace) -> int:
    import django

    django.setup()
    if args.mode == "dispatcher":  # connected and loaded: "ready", then wait for "go"
        from django.db import connection

        from connections_admin.exports.dispatch import dispatch_due

        connection.ensure_connection()
        print("ready", flush=True)
        sys.stdin.readline()
        started = time.time()
        run_ids = dispatch_due(datetime.fromisoformat(args.moment))
        print(json.dumps({"started": started, "ended": time.time(), "run_ids": run_ids}))
        return 0
    from django.core.management import call_command

    from bench import runs_parts

    call_command("migrate", verbosity=0)
    result = getattr(runs_parts, f"phase_{args.phase}")(args)
    Path(args.out).write_text(json.dumps(result, default=str))
    return 0


def run_phase(phase: str, args, env: dict, **sizes) -> dict:
    values = {key: getattr(args, key) for key in FULL} | sizes
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = Path(out.name)
    command = [
        sys.executable, __file__, "phase", "--phase", phase, "--out", str(path),
        f"--repeat={args.repeat}", f"--warmup={args.warmup}",
        *(f"--{key.replace('_', '-')}={value}" for key, value in values.items()),
        *(["--profile"] if args.profile else []),
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, cwd=ROOT, env=env)  # noqa: S603 (this script)
        return json.loads(path.read_text())
    finally:
        path.unlink(missing_ok=True)


# targets and the report --------------------------------------------------------------------------


def median(values) -> float:
    return statistics.median(values)


def throughput_figures(throughput: dict) -> dict:
    rounds = throughput["rounds"]
    ours = median([r["ours"]["seconds"] for r in rounds])
    base = median([r["baseline"]["seconds"] for r in rounds])
    ours_bytes = median([r["ours"]["bytes"] for r in rounds])
    base_bytes = median([r["baseline"]["bytes"] for r in rounds])
    large_mb = max(r["ours"]["rss_mb"] for r in rounds)
    small_mb = throughput["small"]["rss_mb"]
    return {"ours": ours, "baseline": base, "ratio": ours / base, "ours_bytes": ours_bytes,
            "baseline_bytes": base_bytes, "bytes_ratio": ours_bytes / base_bytes,
            "large_mb": large_mb, "small_mb": small_mb,
            "mb_ratio": max(large_mb, small_mb) / min(large_mb, small_mb)}  # fmt: skip


def evaluate(results: dict) -> list[tuple[str, bool, str]]:
    """Each target of issue 15: (name, met, the figures that decide it)."""
    t = throughput_figures(results["throughput"])
    two = next(r for r in results["dispatch"]["rounds"] if r["dispatchers"] == 2)
    exports = results["dispatch"]["exports"]
    once = (two["exports_with_one"] == exports and two["runs"] == exports
            and two["runs_with_one_task"] == exports == two["tasks"]
            and two["returned_twice"] == 0)  # fmt: skip
    small, large = results["pages_small"]["pages"], results["pages"]["pages"]
    changed = [k for k in large if large[k]["queries"] != small[k]["queries"]]
    slow = [k for k in large if large[k]["p95_ms"] >= P95_MS]
    return [
        ("throughput: our run at most 1.5x the shell pipeline's wall time", t["ratio"] <= SPEED,
         f"median {t['ours']:.1f} s vs {t['baseline']:.1f} s, {t['ratio']:.2f}x"),
        ("throughput: bytes within 5% of the pipeline's", abs(t["bytes_ratio"] - 1) <= BYTES,
         f"{t['ours_bytes']:,.0f} vs {t['baseline_bytes']:,.0f} bytes, {t['bytes_ratio']:.3f}"),
        ("memory: the worker's peak RSS under 200 MB",
         max(t["large_mb"], t["small_mb"]) < MB_LIMIT,
         f"{t['small_mb']:.0f} MB and {t['large_mb']:.0f} MB"),
        ("memory: within 10% of each other at both sizes", t["mb_ratio"] <= 1 + MB_SPREAD,
         f"{t['mb_ratio']:.3f}"),
        ("dispatch: two dispatchers queue every run within 60 s", two["seconds"] <= QUEUE_SECONDS,
         f"{two['seconds']:.1f} s"),
        ("dispatch: exactly one run (and one task) per export", once,
         f"{two['exports_with_one']:,} of {exports:,} exports with one run, "
         f"{two['exports_with_more']} with more, {two['exports_without']} without; "
         f"{two['tasks']:,} tasks"),
        ("pages: queries constant (10 exports vs the large size)", not changed,
         "equal on every page" if not changed else f"differ: {', '.join(changed)}"),
        ("pages: p95 under 100 ms", not slow,
         f"slowest p95 {max(p['p95_ms'] for p in large.values()):.1f} ms"
         + (f" ({', '.join(slow)})" if slow else "")),
    ]  # fmt: skip


def table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]


def section(results: dict, targets, command: str, machine: list[str]) -> str:
    lines = [BEGIN, "## Runs (issue 15)", "",
             "Written by `bench/runs.py` (the method is its docstring); every figure below was "
             "measured by the run described here, on PostgreSQL.", "",
             f"- Command: `{command}`", *machine, "", "Targets:", ""]  # fmt: skip
    lines += [
        f"- {'MET' if met else 'NOT MET'}: {name} ({detail})" for name, met, detail in targets
    ]
    lines += details(results)
    return "\n".join([*lines, END]) + "\n"


def splice(text: str, new_section: str) -> str:
    """``text`` with its runs section (between the markers) replaced, or appended."""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        return head + new_section.rstrip("\n") + rest.split(END, 1)[1]
    return text.rstrip("\n") + "\n\n" + new_section if text.strip() else new_section


# fmt: off
def details(results: dict) -> list[str]:
    t, th = throughput_figures(results["throughput"]), results["throughput"]
    lines = ["", f"### 1. Throughput: {th['rows']:,} customers, 10 fields, gzipped CSV to the "
             "local sshd (ours: queued to finished, one fresh `db_worker` per run)", ""]
    rows = [[n + 1, r["ours"]["seconds"], r["baseline"]["seconds"],
             r["ours"]["seconds"] / r["baseline"]["seconds"], r["ours"]["bytes"],
             r["baseline"]["bytes"], r["ours"]["bytes"] / r["baseline"]["bytes"]]
            for n, r in enumerate(th["rounds"])]
    rows.append(["median", t["ours"], t["baseline"], t["ratio"], t["ours_bytes"],
                 t["baseline_bytes"], t["bytes_ratio"]])
    lines += table(["round", "ours s", "pipeline s", "ours/pipeline", "ours bytes",
                    "pipeline bytes", "bytes ratio"],
                   [[r[0], f"{r[1]:.2f}", f"{r[2]:.2f}", f"{r[3]:.2f}", f"{r[4]:,.0f}",
                     f"{r[5]:,.0f}", f"{r[6]:.3f}"] for r in rows])
    worker = median([r["ours"]["worker_seconds"] for r in th["rounds"]])
    lines += ["", f"Our run inside the worker (started to finished): {worker:.2f} s (median); "
              f"{th['rounds'][0]['ours']['rows']:,} rows; read back with `csv.reader`, "
              f"the two files hold {'the same' if th.get('same_content') else 'DIFFERENT'} "
              "rows (PostgreSQL writes an empty string as `\"\"`, to tell it from NULL). "
              "The pipeline, run by bash with `DATABASE_URL`, `PGOPTIONS='-c jit=off'` (as "
              "the console's own connections) and the sshd's key user:", "", "```sh",
              th["script"].rstrip(), "```"]
    if "profile" in th:
        stages = th["profile"]["stages"]
        lines += ["", "Where our run's time goes: the same rows in the benchmark's process "
                  "(no worker, no network), each stage with the previous ones:", ""]
        lines += table(["stage", "s"], [
            ["the rows as CSV (`copy_chunks`: COPY, one slice of ids after another)",
             f"{stages['csv']:.2f}"],
            ["+ gzip -6 in a thread of its own (`gzipped`)", f"{stages['gzip']:.2f}"],
            ["the whole run (median above): + SFTP, claim, snapshot", f"{t['ours']:.2f}"]])
        lines += ["", "The gzipped stage under cProfile (the calling thread only: the "
                  "compressing thread's time is not in it), top functions by own time:", ""]
        lines += table(["function", "calls", "own s", "share"],
                       [[f"`{name}`", f"{calls:,}", f"{own:.2f}", f"{share:.0%}"]
                        for name, calls, own, share in th["profile"]["top"]])
    lines += ["", "### 2. Memory: the worker's peak RSS (`VmHWM` after the run)", ""]
    lines += table(["worker", "MB"], [
        ["idle, before any run (baseline)", f"{th['idle_mb']:.0f}"],
        [f"after a run of {th['small_rows']:,} rows", f"{t['small_mb']:.0f}"],
        [f"after a run of {th['rows']:,} rows (highest of the rounds)", f"{t['large_mb']:.0f}"],
        ["ratio of the two runs", f"{t['mb_ratio']:.3f}"]])
    d = results["dispatch"]
    lines += ["", f"### 3. Dispatch: {d['exports']:,} hourly exports due at one slot "
              f"(null destination, {d['members']} customers each)", ""]
    lines += table(["dispatchers", "queued by each", "runs", "exports with 1 / >1 / 0 runs",
                    "tasks", "runs with one task", "to the last return, s"],
                   [[f"{r['dispatchers']}" + (" (baseline)" if r["dispatchers"] == 1 else ""),
                     " + ".join(f"{n:,}" for n in r["per_dispatcher"]), f"{r['runs']:,}",
                     f"{r['exports_with_one']:,} / {r['exports_with_more']} / "
                     f"{r['exports_without']}", f"{r['tasks']:,}",
                     f"{r['runs_with_one_task']:,}", f"{r['seconds']:.2f}"] for r in d["rounds"]])
    lines += ["", "Then four `db_worker` processes (`--interval 0.1`) empty the queue (first "
              "task started to last finished):", ""]
    lines += table(["tasks", "outcome", "tasks per worker", "s", "tasks/s"],
                   [[f"{f['tasks']:,} " + ("export runs" if f["what"] == "run_export"
                                          else "no-op tasks (baseline: the queue alone)"),
                     ", ".join(f"{k} {v:,}" for k, v in sorted(
                         (f.get("run_statuses") or f["task_statuses"]).items())),
                     ", ".join(f"{v:,}" for _, v in sorted(f["by_worker"].items())),
                     f"{f['seconds']:.1f}", f"{f['tasks'] / f['seconds']:.0f}"]
                    for f in d["finished"]])
    small, large = results["pages_small"], results["pages"]
    lines += ["", f"### 4. Pages: {large['sizes']['exports']:,} exports and {large['runs']:,} "
              f"runs ({large['busiest_runs']:,} of one export) beside 10 exports and "
              f"{small['runs']} runs (ms; {large['pages']['exports']['samples']} timed requests "
              "after warm-ups, production settings, the Django test client)", ""]
    lines += table(["page", "median", "p95", "queries", "bytes", "small: median", "small: p95",
                    "small: queries"],
                   [[p["label"], f"{p['median_ms']:.1f}", f"{p['p95_ms']:.1f}", p["queries"],
                     f"{p['bytes']:,}", f"{small['pages'][k]['median_ms']:.1f}",
                     f"{small['pages'][k]['p95_ms']:.1f}", small["pages"][k]["queries"]]
                    for k, p in large["pages"].items()])
    return lines + ["", f"Data: {large['data_seconds']:.0f} s to make the large database "
                    "(generate_load_data with the customers, the runs in SQL, VACUUM ANALYZE)."]
# fmt: on


def machine_lines(results: dict, load: tuple) -> list[str]:
    from bench.report import machine

    info = machine()
    return [f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
            f"- CPU: {info['cpu']}, `nproc` = {info['nproc']}; memory {info['memory']}; "
            f"{info['os']}; Python {info['python']}, Django {info['django']}",
            f"- PostgreSQL {results['pages']['postgres']}, OpenSSH sshd "
            f"{results['throughput']['sshd']}; server, sshd, workers and the benchmark share "
            f"the {info['nproc']} cores", f"- 1-minute load average: {load[0]:.2f} before, "
            f"{load[1]:.2f} after"]  # fmt: skip


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.mode != "all":
        return child(args)
    database = os.environ.get("DATABASE_URL", "")
    if not database:  # a throwaway PostgreSQL, with this same command inside
        with_postgres = [sys.executable, str(ROOT / "tests" / "with_postgres.py")]
        return subprocess.run([*with_postgres, sys.executable, __file__, *argv]).returncode  # noqa: S603
    if not database.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/runs.py measures on PostgreSQL: unset DATABASE_URL for a throwaway one")
    from cryptography.fernet import Fernet

    from bench.suite import _postgres_url
    from bench.worker import worker_env

    command = shlex.join([os.path.relpath(sys.executable, ROOT), "bench/runs.py", *argv])
    if "pg-throwaway-" in database:
        command += " (on a throwaway PostgreSQL of tests/with_postgres.py)"
    urls = {name: _postgres_url(database, f"bench_runs_{name}")
            for name in ("small", "large", "dispatch")}  # fmt: skip
    key = Fernet.generate_key().decode()

    def ours(url: str) -> dict:
        return {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.runs_settings",
                "BENCH_VERIFY_SECRET_KEY": key, "DATABASE_URL": url}  # fmt: skip

    load_before, started, results = os.getloadavg()[0], time.monotonic(), {}
    print("4. pages, the baseline: 10 exports ...", flush=True)
    results["pages_small"] = run_phase("pages", args, worker_env(urls["small"]), **SMALL_PAGES)
    print(f"4. pages: {args.exports:,} exports, {args.runs:,} runs, {args.customers:,} "
          "customers ...", flush=True)  # fmt: skip
    results["pages"] = run_phase("pages", args, worker_env(urls["large"]))
    print("1-2. throughput and memory ...", flush=True)
    results["throughput"] = run_phase("throughput", args, ours(urls["large"]))
    print("3. dispatch ...", flush=True)
    results["dispatch"] = run_phase("dispatch", args, ours(urls["dispatch"]))
    targets = evaluate(results)
    text = section(
        results, targets, command, machine_lines(results, (load_before, os.getloadavg()[0]))
    )
    print("\n" + text)
    existing = args.output.read_text() if args.output.exists() else ""
    args.output.write_text(splice(existing, text))
    print(f"written to {os.path.relpath(args.output, ROOT)} in {time.monotonic() - started:.0f} s")
    for name, met, detail in targets:
        print(f"  {'MET    ' if met else 'NOT MET'} {name} ({detail})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
