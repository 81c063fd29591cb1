"""One database, one size, in a process of its own: migrate, generate the data, measure.

``bench/run.py worker`` runs this with the production settings on the database it is
given, and writes its figures as JSON to ``--out`` for the parent to read.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from bench import VAR_DIR
from bench.pages import bench_context, disconnect_operation_queries, run_pages
from bench.rps import run_rps

SIZE_KEYS = ("connections", "exports", "enrichments", "users")


def worker_env(database_url: str) -> dict:
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "connections_admin.settings.production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(60),
        "CONNECTIONS_SECRET_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "CONNECTIONS_VAR_DIR": str(VAR_DIR),
    }


def worker(args) -> None:
    """Migrate, generate, measure; write JSON to ``args.out``. Runs in its own process."""
    env = worker_env(args.database_url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    started = time.perf_counter()
    call_command(
        "generate_load_data",
        connections=args.connections,
        exports=args.exports,
        enrichments=args.enrichments,
        users=args.users,
    )
    generate_seconds = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        # Statistics (and on PostgreSQL the visibility map) as a database has them once
        # autovacuum has seen a bulk load.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            import sqlite3

            version = f"SQLite {sqlite3.sqlite_version}"
    load_before = os.getloadavg()
    context = bench_context()
    print(f"{version}, {args.connections:,} connections, {args.exports:,} exports", flush=True)
    pages = run_pages(
        context, repeat=args.repeat, warmup=args.warmup, budget_seconds=args.page_budget
    )
    result = {
        "database": version,
        "vendor": connection.vendor,
        "sizes": {k: getattr(args, k) for k in SIZE_KEYS},
        "busiest_exports": context["busiest_exports"],
        "disconnect_count": context["disconnect_count"],
        "generate_seconds": generate_seconds,
        "pages": pages,
        "disconnect_operation": disconnect_operation_queries(context),
        "load_average": [round(v, 2) for v in (*load_before[:1], os.getloadavg()[0])],
    }
    if args.rps:
        result["rps"] = run_rps(context, env, args)
    Path(args.out).write_text(json.dumps(result, indent=1))
