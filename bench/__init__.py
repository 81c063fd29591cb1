"""Benchmark of the console at scale: server time, SQL queries and bytes per page, and RPS.

    .venv/bin/python bench/run.py             # the issue's sizes, SQLite and PostgreSQL
    .venv/bin/python bench/run.py --quick     # a small smoke run (SQLite only)

For each database (SQLite in ``var/bench/``; PostgreSQL on a throwaway server started
with ``tests/with_postgres.py``, or the server of a ``postgres://`` DATABASE_URL) and
for two sizes (10 connections, then ``--connections``/``--exports``/...), a worker
process migrates a fresh database, fills it with ``manage.py generate_load_data``,
runs ANALYZE, and requests every page with the Django test client under the
production settings (DEBUG off, whitenoise): ``--warmup`` requests first, then
``--repeat`` timed ones (median and 95th percentile, nearest rank), then one more
inside ``CaptureQueriesContext`` for the number of SQL queries and the bytes.
At the large size it then starts gunicorn (2 workers, 127.0.0.1 only) and measures
requests per second on the Connections tab and on the Django admin changelist with
a bounded load (``--rps-concurrency`` threads, at most ``--rps-seconds`` seconds and
``--rps-max-requests`` requests each). Results go to ``bench/RESULTS.md``; each target
of the issue is printed as met or not met.

The modules, by concern:

- ``cli``: the command line of ``bench/run.py``, which only calls it;
- ``suite``: the sizes, and a fresh database and worker process per database and size;
- ``worker``: inside one worker, migrate, generate, measure;
- ``pages``: the pages measured and the data they need;
- ``measure``: timing one page, and ``percentile`` (nearest rank);
- ``rps``: requests per second against gunicorn;
- ``serving``: serve the console on a free loopback port and wait for it;
- ``targets``: the issue's targets, met or not;
- ``report``: writing ``bench/RESULTS.md``.

``serving`` and ``measure.percentile`` are shared with the load test
(``tests/load/run_load.py``) and the screenshot script (``docs/make_screenshots.py``).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
VAR_DIR = ROOT / "var" / "bench"
# The worker processes and the PostgreSQL suite run this script again.
RUN_SCRIPT = BENCH_DIR / "run.py"
