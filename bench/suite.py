"""Running the workers: a fresh database per size, small then large, per kind of database."""

from __future__ import annotations

import json
import os
import subprocess  # noqa: S404 (bench/run.py again, our own arguments, no shell)
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from bench import ROOT, RUN_SCRIPT, VAR_DIR
from bench.worker import SIZE_KEYS

# The small size shows whether a page's query count grows with the data.
SMALL = {"connections": 10, "exports": 30, "enrichments": 5, "users": 12}
FULL = {"connections": 10_000, "exports": 50_000, "enrichments": 5_000, "users": 500}
QUICK = {"connections": 300, "exports": 1_500, "enrichments": 150, "users": 40}
# The kinds of database --databases names, and the heading of each in the report.
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def _sqlite_url(name: str) -> str:
    path = VAR_DIR / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _postgres_url(base_url: str, name: str) -> str:
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(base_url)
    with psycopg.connect(
        dbname=db["NAME"],
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlsplit(base_url)._replace(path=f"/{name}").geturl()


def run_worker(database_url: str, sizes: dict, args, *, rps: bool) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        out_path = out.name
    command = [
        sys.executable,
        str(RUN_SCRIPT),
        "worker",
        "--database-url",
        database_url,
        "--out",
        out_path,
        "--repeat",
        str(args.repeat),
        "--warmup",
        str(args.warmup),
        "--page-budget",
        str(args.page_budget),
        "--rps-seconds",
        str(args.rps_seconds),
        "--rps-concurrency",
        str(args.rps_concurrency),
        "--rps-max-requests",
        str(args.rps_max_requests),
        *(f"--{k}={v}" for k, v in sizes.items()),
    ] + (["--rps"] if rps else [])
    subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 - this script, our arguments
    try:
        return json.loads(Path(out_path).read_text())
    finally:
        Path(out_path).unlink(missing_ok=True)


def run_suite(kind: str, args) -> dict:
    """Small then large, on one kind of database."""
    large = {k: getattr(args, k) for k in SIZE_KEYS}
    if kind == "sqlite":
        small_url, large_url = _sqlite_url("small"), _sqlite_url("large")
    else:
        base = os.environ["DATABASE_URL"]
        small_url, large_url = (
            _postgres_url(base, "bench_small"),
            _postgres_url(base, "bench_large"),
        )
    print(f"== {kind}: small size {SMALL}", flush=True)
    small = run_worker(small_url, SMALL, args, rps=False)
    print(f"== {kind}: large size {large}", flush=True)
    big = run_worker(large_url, large, args, rps=not args.no_rps)
    return {"small": small, "large": big}


def run_postgres_suite(args, argv: list[str]) -> dict:
    """On the server of a ``postgres://`` DATABASE_URL, or else on a throwaway server:
    this script again, in ``suite`` mode under ``tests/with_postgres.py``."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return run_suite("postgres", args)
    out = VAR_DIR / "postgres-suite.json"
    forwarded = [a for a in argv if a not in ("all",)]
    subprocess.run(  # noqa: S603 - this script under tests/with_postgres.py
        [
            sys.executable,
            str(ROOT / "tests" / "with_postgres.py"),
            sys.executable,
            str(RUN_SCRIPT),
            "suite",
            *forwarded,
            "--out",
            str(out),
        ],
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.read_text())


def run_suites(args, argv: list[str]) -> dict:
    """Every database of ``args.databases``, SQLite first, by the report's heading."""
    suites = {}
    if "sqlite" in args.databases:
        suites[DATABASES["sqlite"]] = run_suite("sqlite", args)
    if "postgres" in args.databases:
        suites[DATABASES["postgres"]] = run_postgres_suite(args, argv)
    return suites
