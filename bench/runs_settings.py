"""Settings of the runs benchmark (bench/runs.py) and of the db_worker and dispatcher
processes it starts.

The Verify benchmark's settings (``bench/verify_settings.py``: the test settings, the
loopback sshd reachable as ``sftp.test``, one secrets key for every process, read from
``BENCH_VERIFY_SECRET_KEY``), plus a bench-only connection type, ``bench_null``, whose
delivery reads every chunk of every file and writes nothing: the dispatch benchmark's
10,000 runs cost the database, the CSV and the queue, and no disk or network.
"""

from django.apps import AppConfig

from bench.verify_settings import *  # noqa: F403
from bench.verify_settings import INSTALLED_APPS

NULL_TYPE = "bench_null"


class NullSession:
    """A destination that holds nothing: every file is new, and vanishes once read."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        pass

    def exists(self, name: str) -> bool:
        return False

    def discard_partials(self, prefix: str) -> int:
        return 0

    def publish(self, name: str, chunks) -> int:
        return sum(len(chunk) for chunk in chunks)


class NullDelivery:
    describe = "Reads every file to the end and writes it nowhere (benchmark only)."

    def open(self, context) -> NullSession:
        return NullSession()


class NullDestinationConfig(AppConfig):
    """Registers ``bench_null`` in the catalog of every process with these settings."""

    name = "bench"
    label = "bench_runs"
    default = False

    def ready(self) -> None:
        from connections_admin.connection_types.base import ConnectionType, Usage
        from connections_admin.connection_types.registry import registry

        class BenchNull(ConnectionType):
            key = NULL_TYPE
            name = "Benchmark: null destination"
            description = "Writes nothing (bench/runs.py only)."
            used_for = frozenset({Usage.EXPORT})
            delivery = NullDelivery()

        registry.register(BenchNull)


INSTALLED_APPS = [*INSTALLED_APPS, "bench.runs_settings.NullDestinationConfig"]
