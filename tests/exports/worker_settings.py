"""Settings of the worker processes the tests start (tests/exports/test_runs_workers.py).

The test settings, plus what the test process set and a fresh process would not have: the
same secret keys (the test settings make new ones per process, and a worker must read the
secrets the test stored), the loopback allow-list and the test host names. The test passes
them as JSON in ``TESTS_WORKER_SETTINGS``; only ``CONNECTIONS_*`` names are taken.
"""

import json
import os

from connections_admin.settings.test import *  # noqa: F403

_GIVEN = json.loads(os.environ.get("TESTS_WORKER_SETTINGS", "{}"))
globals().update({name: value for name, value in _GIVEN.items() if name.startswith("CONNECTIONS_")})
