"""Removal racing an attach, on a real PostgreSQL server with two database connections.

SQLite has no row locks (the whole database is locked instead), so these run only
when DATABASE_URL names PostgreSQL: ``make test`` runs the suite there too.
"""

import threading

import pytest
from django.db import connection as db
from django.db import connections, transaction

from connections_admin.connections import dependants, services
from connections_admin.connections.models import Connection
from connections_admin.exports import services as export_services
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, ExportFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(db.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def in_thread(target):
    """Run ``target`` in another thread, on its own database connection."""
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_attach_first_then_removal_is_refused():
    connection = ConnectionFactory()
    export = ExportFactory(connection=None)
    export.connection = connection
    with transaction.atomic():
        export_services.export_save(export=export, segments=[])  # holds the lock
        thread, outcome = in_thread(lambda: services.connection_remove(connection_id=connection.pk))
        thread.join(timeout=1)
        assert thread.is_alive(), "removal should wait for the attaching transaction"
    thread.join(timeout=10)
    assert isinstance(outcome.get("error"), services.ConnectionInUse)
    assert Connection.objects.filter(pk=connection.pk).exists()
    assert Export.objects.get().connection_id == connection.pk


def test_removal_first_then_attach_fails_cleanly(monkeypatch):
    connection = ConnectionFactory()
    export = ExportFactory(connection=None)
    locked, release = threading.Event(), threading.Event()
    real_count = services.dependants.counts

    def count_then_wait(target):
        counts = real_count(target)
        locked.set()
        release.wait(timeout=10)
        return counts

    monkeypatch.setattr(services.dependants, "counts", count_then_wait)
    remover, removed = in_thread(lambda: services.connection_remove(connection_id=connection.pk))
    assert locked.wait(timeout=10)

    export.connection = connection

    def attach():
        return export_services.export_save(export=export, segments=[])

    attacher, attached = in_thread(attach)
    attacher.join(timeout=1)
    assert attacher.is_alive(), "the attach should wait for the removal's lock"
    release.set()
    remover.join(timeout=10)
    attacher.join(timeout=10)

    assert removed.get("value") == connection.display_name
    assert isinstance(attached.get("error"), dependants.ConnectionGone)
    assert not Connection.objects.exists()
    assert Export.objects.get().connection_id is None  # never pointing at nothing


def test_two_admins_editing_one_connection_one_wins():
    from connections_admin.connection_types.registry import registry

    connection = ConnectionFactory(display_name="Shared")
    values = dict(connection.settings)
    barrier = threading.Barrier(2)

    def edit(name):
        def run():
            stale = Connection.objects.get(pk=connection.pk)
            barrier.wait(timeout=10)
            return services.connection_update(
                connection=stale,
                expected_version=1,
                display_name=name,
                values=values,
                user=None,
            )

        return run

    first, one = in_thread(edit("Mine"))
    second, two = in_thread(edit("Theirs"))
    first.join(timeout=10)
    second.join(timeout=10)
    outcomes = [one, two]
    winners = [o for o in outcomes if "value" in o]
    losers = [o for o in outcomes if isinstance(o.get("error"), services.ConnectionConflict)]
    assert len(winners) == 1 and len(losers) == 1
    connection.refresh_from_db()
    assert connection.version == 2
    assert connection.display_name == winners[0]["value"].display_name
    assert registry.get(connection.type_key)  # still a whole, valid connection


def test_two_bulk_disconnects_across_the_same_connections_never_deadlock():
    """Both adjust the counts of the same 300 connections at once, from opposite ends."""
    from connections_admin.connections.models import UseCount

    connections = ConnectionFactory.create_batch(300)
    for round_ in range(5):
        first = [
            e.pk
            for e in Export.objects.bulk_create(
                Export(name=f"A{round_}-{c.pk}", connection=c) for c in connections
            )
        ]
        second = [
            e.pk
            for e in Export.objects.bulk_create(
                Export(name=f"B{round_}-{c.pk}", connection=c) for c in reversed(connections)
            )
        ]
        barrier = threading.Barrier(2)

        def disconnect(ids, barrier=barrier):
            def run():
                with transaction.atomic():
                    barrier.wait(timeout=10)
                    return export_services.export_disconnect(ids=ids)

            return run

        threads = [in_thread(disconnect(first)), in_thread(disconnect(second))]
        for thread, _outcome in threads:
            thread.join(timeout=30)
        assert [outcome for _thread, outcome in threads] == [{"value": 300}, {"value": 300}], round_
        assert not UseCount.objects.filter(n__gt=0).exists()
