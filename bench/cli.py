"""The command line of ``bench/run.py``: the whole run, or one of its child processes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import bench
from bench import BENCH_DIR, VAR_DIR
from bench.report import report
from bench.suite import DATABASES, FULL, QUICK, run_suite, run_suites
from bench.targets import evaluate
from bench.worker import worker


def database_names(value: str) -> list[str]:
    """``--databases``: comma-separated, each one of DATABASES (a misspelt name would
    otherwise measure nothing and write an empty report)."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in DATABASES]
    if unknown or not names:
        what = f"unknown database {', '.join(map(repr, unknown))}" if unknown else "no database"
        raise argparse.ArgumentTypeError(
            f"{what}: choose from {', '.join(DATABASES)} (comma-separated)"
        )
    return names


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=bench.__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", default="all", choices=["all", "suite", "worker"])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repetitions")
    parser.add_argument(
        "--databases",
        type=database_names,
        default=None,
        help=f"comma-separated, of {', '.join(DATABASES)} (default both; --quick: sqlite)",
    )
    for key, value in FULL.items():
        parser.add_argument(f"--{key}", type=int, default=None, help=f"default {value:,}")
    parser.add_argument("--repeat", type=int, default=None, help="timed requests (default 30)")
    parser.add_argument("--warmup", type=int, default=None, help="default 3")
    parser.add_argument(
        "--page-budget",
        type=float,
        default=30.0,
        help="seconds of timed requests per page at most (at least 5 requests; default 30)",
    )
    parser.add_argument("--no-rps", action="store_true", help="skip the gunicorn load")
    parser.add_argument("--rps", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rps-seconds", type=float, default=None, help="default 15")
    parser.add_argument("--rps-concurrency", type=int, default=4)
    parser.add_argument("--rps-max-requests", type=int, default=3000)
    parser.add_argument("--output", default=str(BENCH_DIR / "RESULTS.md"))
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    for key, value in base.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.repeat = args.repeat or (5 if args.quick else 30)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 3)
    args.rps_seconds = args.rps_seconds or (3.0 if args.quick else 15.0)
    if args.databases is None:
        args.databases = ["sqlite"] if args.quick else list(DATABASES)
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.mode == "worker":
        worker(args)
        return 0
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if args.mode == "suite":  # inside tests/with_postgres.py: PostgreSQL only, JSON to --out
        Path(args.out).write_text(json.dumps(run_suite("postgres", args)))
        return 0
    suites = run_suites(args, argv)
    targets = evaluate(suites)
    command = "bench/run.py " + " ".join(argv) if argv else "bench/run.py"
    Path(args.output).write_text(report(suites, targets, args, command))
    print("\nTargets:")
    for name, met, detail in targets:
        print(f"  {'MET    ' if met else 'NOT MET'} {name} ({detail})")
    print(f"\nWrote {args.output}")
    return 0
