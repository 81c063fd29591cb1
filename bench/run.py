#!/usr/bin/env python3
"""Benchmark of the console at scale (``--help``); the method is in ``bench/__init__.py``.

    .venv/bin/python bench/run.py             # the issue's sizes, SQLite and PostgreSQL
    .venv/bin/python bench/run.py --quick     # a small smoke run (SQLite only)

Also runs, as ``bench/run.py worker`` and ``bench/run.py suite``, the child processes
of a run.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path, where the package's modules would
# be importable under their bare names; the repository root is where `bench` is a package.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.cli import main  # noqa: E402 (once the repository root is on the path)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
