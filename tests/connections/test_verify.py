"""Verify: an admin asks, a background worker checks, the console shows what it found.

The type's check is replaced here by a scripted one (the real SFTP, Azure and HTTP checks
are tested against real servers in tests/connection_types). The queue is the real one:
the tests run what it holds as a worker does (tests/core/test_task_workers.py runs real
``db_worker`` processes).
"""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from connections_admin.accounts.roles import Role
from connections_admin.audit.models import Action, AuditEntry
from connections_admin.connection_types.builtin import Sftp
from connections_admin.connection_types.checks import CheckResult
from connections_admin.connections import verify
from connections_admin.connections.models import CheckStatus, ConnectionCheck, Health
from connections_admin.outbound.failures import CheckFailed, Failure
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
SECRET = "factory-sftp-password"


class ScriptedCheck:
    """Answers with the next outcome of ``outcomes``: a CheckResult or a CheckFailed."""

    describe = "scripted for the tests"

    def __init__(self):
        self.outcomes = []
        self.seen = []

    def run(self, context):
        self.seen.append(context)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@pytest.fixture
def scripted(monkeypatch):
    check = ScriptedCheck()
    monkeypatch.setattr(Sftp, "check", check)
    return check


@pytest.fixture
def connection(admin_user):
    admin_user.email = "alice@example.com"
    admin_user.save()
    return ConnectionFactory(display_name="Partner drop")


def verify_url(connection):
    return f"/admin/connections/{connection.pk}/verify/"


def run_worker():
    """Run the queued tasks that are due, as ``db_worker`` does, in this process."""
    for queued in DBTaskResult.objects.ready():
        arguments = queued.task_result
        queued.task.call(*arguments.args, **arguments.kwargs)


def post_verify(client, connection, capture):
    with capture(execute=True):
        return client.post(verify_url(connection), headers={**HTMX, "HX-Target": "checks"})


def test_verify_queues_a_check_that_the_worker_runs(
    admin_client, connection, scripted, django_capture_on_commit_callbacks
):
    scripted.outcomes = [CheckResult()]
    html = post_verify(admin_client, connection, django_capture_on_commit_callbacks)
    html = html.content.decode()
    assert "Checking the connection…" in html
    assert 'data-hx-trigger="load delay:1s"' in html  # the pane polls until the check ends
    check = ConnectionCheck.objects.get()
    assert check.status == CheckStatus.QUEUED
    assert scripted.seen == []  # the web process never checks

    run_worker()

    check.refresh_from_db()
    assert check.status == CheckStatus.PASSED
    assert scripted.seen[0].secrets["password"] == SECRET  # decrypted for the check only
    connection.refresh_from_db()
    assert connection.health == Health.VERIFIED
    waited = admin_client.get(
        verify_url(connection), {"waiting": check.pk}, headers={**HTMX, "HX-Target": "checks"}
    )
    assert "<strong>Verified</strong>" in waited.content.decode()
    assert "connections:changed" in waited["HX-Trigger"]  # the Status column refreshes
    entry = AuditEntry.objects.get(action=Action.CONNECTION_VERIFIED)
    assert entry.actor_name == "alice-admin" and entry.object_id == connection.pk


def test_a_failure_names_its_category_and_leaks_nothing(
    admin_client, connection, scripted, django_capture_on_commit_callbacks
):
    scripted.outcomes = [CheckFailed(Failure.AUTHENTICATION_FAILED)]
    post_verify(admin_client, connection, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()

    html = admin_client.get(verify_url(connection)).content.decode()
    assert "Failed" in html and "Authentication failed." in html
    connection.refresh_from_db()
    assert connection.health == Health.FAILING
    entry = AuditEntry.objects.get(action=Action.CONNECTION_VERIFY_FAILED)
    assert entry.changes == [
        {"change": "check_failed", "failure": "authentication_failed", "status": None}
    ]
    assert entry.described_changes() == ["Authentication failed."]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert "Partner drop" in mail.outbox[0].subject
    for text in (
        html,
        str(entry.changes),
        str(entry.described_changes()),
        mail.outbox[0].subject,
        mail.outbox[0].body,
    ):
        assert SECRET not in text and "sftp.example.com" not in text


def test_admins_get_one_mail_when_it_starts_failing_and_one_when_it_recovers(
    admin_user, connection, scripted, django_capture_on_commit_callbacks
):
    scripted.outcomes = [
        CheckFailed(Failure.TIMED_OUT),
        CheckFailed(Failure.CONNECTION_REFUSED),
        CheckResult(),
        CheckResult(),
    ]
    for _ in scripted.outcomes[:]:
        with django_capture_on_commit_callbacks(execute=True):
            check = verify.connection_verify(connection=connection, user=None, scheduled=True)
            verify.check_run(check_id=check.pk)
    assert [message.subject for message in mail.outbox] == [
        "Connection “Partner drop” is failing",
        "Connection “Partner drop” works again",
    ]
    assert "It timed out." in mail.outbox[0].body


def test_a_running_check_is_not_doubled(admin_client, connection, scripted):
    first = verify.connection_verify(connection=connection, user=None, scheduled=True)
    second = verify.connection_verify(connection=connection, user=None, scheduled=True)
    assert first.pk == second.pk
    assert ConnectionCheck.objects.count() == 1


def test_a_check_runs_once_however_often_its_task_runs(connection, scripted):
    scripted.outcomes = [CheckResult()]
    check = verify.connection_verify(connection=connection, user=None, scheduled=True)
    assert verify.check_run(check_id=check.pk) is not None
    assert verify.check_run(check_id=check.pk) is None  # a second worker finds it taken
    assert len(scripted.seen) == 1


def test_verify_is_rate_limited_per_admin(admin_client, admin_user, scripted):
    connections = [ConnectionFactory() for _ in range(verify.RATE_LIMIT + 1)]
    for connection in connections[:-1]:
        verify.connection_verify(connection=connection, user=admin_user)
    html = admin_client.post(verify_url(connections[-1]), headers=HTMX).content.decode()
    assert "Too many checks in the last minute" in html
    assert not ConnectionCheck.objects.filter(connection=connections[-1]).exists()


def test_the_first_host_key_is_kept_and_a_changed_one_is_accepted_by_an_admin(
    admin_client, connection, scripted
):
    scripted.outcomes = [CheckResult(host_key="SHA256:first")]
    verify.check_run(
        check_id=verify.connection_verify(connection=connection, user=None, scheduled=True).pk
    )
    connection.refresh_from_db()
    assert connection.host_key == "SHA256:first"

    changed = CheckFailed(Failure.HOST_KEY_CHANGED)
    changed.host_key = "SHA256:second"
    scripted.outcomes = [changed]
    verify.check_run(
        check_id=verify.connection_verify(connection=connection, user=None, scheduled=True).pk
    )
    assert scripted.seen[-1].known_host_key == "SHA256:first"
    html = admin_client.get(verify_url(connection)).content.decode()
    assert "The server&#x27;s host key changed." in html
    assert "SHA256:second" in html and "Accept the new host key" in html

    response = admin_client.post(
        f"/admin/connections/{connection.pk}/host-key/", {"host_key": "SHA256:forged"}
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.host_key == "SHA256:second"  # from the check, never from the form
    assert AuditEntry.objects.filter(action=Action.HOST_KEY_ACCEPTED).count() == 1
    again = admin_client.post(f"/admin/connections/{connection.pk}/host-key/", headers=HTMX)
    assert "There is no new host key to accept." in again.content.decode()


def test_without_javascript_verify_redirects_to_the_verify_page(admin_client, connection, scripted):
    response = admin_client.post(verify_url(connection))
    assert response.status_code == 302 and response["Location"] == verify_url(connection)
    html = admin_client.get(response["Location"]).content.decode()
    assert "The check has started." in html
    assert "Reload the page to see the result." in html


def test_a_type_without_a_check_says_verify_is_not_available(admin_client, connection, monkeypatch):
    monkeypatch.setattr(Sftp, "check", None)
    html = admin_client.post(verify_url(connection), headers=HTMX).content.decode()
    assert "Verify is not available for this type of connection yet." in html
    assert 'id="verify-button"' not in html
    assert not ConnectionCheck.objects.exists()


@pytest.mark.parametrize("role", [None, Role.VIEWER, Role.CONTRIBUTOR])
@pytest.mark.parametrize("method", ["get", "head", "post"])
def test_only_admins_verify(as_role, connection, scripted, role, method):
    response = getattr(as_role(role), method)(verify_url(connection))
    assert response.status_code == (302 if role is None else 403)
    assert not ConnectionCheck.objects.exists()


def test_admins_get_and_head_the_verify_pane(admin_client, connection):
    assert admin_client.get(verify_url(connection)).status_code == 200
    assert admin_client.head(verify_url(connection)).status_code == 200


def test_the_edit_pane_shows_the_last_ten_checks(admin_client, connection, scripted):
    scripted.outcomes = [CheckResult()] * 12
    for _ in range(12):
        check = verify.connection_verify(connection=connection, user=None, scheduled=True)
        verify.check_run(check_id=check.pk)
    html = admin_client.get(f"/admin/connections/{connection.pk}/edit/", headers=HTMX)
    html = html.content.decode()
    assert html.count("<td>scheduled</td>") == 10
    assert 'id="verify-button"' in html


def test_the_status_column_and_its_filter(admin_client, connection, scripted):
    other = ConnectionFactory(display_name="Quiet drop")
    scripted.outcomes = [CheckFailed(Failure.TIMED_OUT)]
    verify.check_run(
        check_id=verify.connection_verify(connection=connection, user=None, scheduled=True).pk
    )
    html = admin_client.get("/admin/connections/").content.decode()
    failing_row = html[html.index("Partner drop") :].split("</tr>")[0]
    assert "Failing" in failing_row and "since" in failing_row
    quiet_row = html[html.index("Quiet drop") :].split("</tr>")[0]
    assert "Not verified" in quiet_row

    failing = admin_client.get("/admin/connections/", {"status": "failing"}).content.decode()
    assert "Partner drop" in failing and "Quiet drop" not in failing
    unknown = admin_client.get("/admin/connections/", {"status": "bogus"}).content.decode()
    assert "Partner drop" in unknown and other.display_name in unknown
    by_status = admin_client.get("/admin/connections/", {"sort": "-status"}).content.decode()
    assert by_status.index("Quiet drop") < by_status.index("Partner drop")


def test_each_connection_is_checked_once_a_day_at_its_own_minute(scripted):
    """A whole day of five-minute slots: every connection is due once, at its own minute,
    and 500 connections are spread over the day rather than checked at once."""
    from datetime import UTC, datetime, timedelta

    every = timedelta(minutes=5)
    checked_at = {}
    start = datetime(2026, 11, 30, tzinfo=UTC)
    per_slot = []
    ids = range(1, 501)
    for n in range(24 * 12):
        slot = start + n * every
        due = [pk for pk in ids if verify._due(pk, checked_at.get(pk), slot, every)]
        for pk in due:
            checked_at[pk] = slot
        per_slot.append(len(due))
    assert sorted(checked_at) == list(ids)  # every one, once
    assert sum(per_slot) == 500
    assert max(per_slot) <= 10  # spread: about 500 / 288 a slot


def test_a_connection_that_missed_its_minute_by_a_day_is_checked_at_once():
    from datetime import UTC, datetime, timedelta

    every = timedelta(minutes=5)
    slot = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    pk = next(pk for pk in range(1, 1000) if verify._minute_of_day(pk) != 720)
    assert verify._due(pk, slot - timedelta(days=2), slot, every)
    assert not verify._due(pk, slot - timedelta(hours=20), slot, every)
    assert not verify._due(pk, slot - timedelta(hours=1), slot, every)


def test_the_daily_job_queues_scheduled_checks_for_the_due_connections(scripted):
    from datetime import timedelta

    first, second = ConnectionFactory(), ConnectionFactory()
    for connection in (first, second):
        connection.checked_at = None
    slot_minute = verify._minute_of_day(first.pk)
    from datetime import UTC, datetime

    slot = datetime(2026, 11, 30, slot_minute // 60, slot_minute % 60, tzinfo=UTC)
    queued = verify.verify_due(slot, timedelta(minutes=1))
    checks = ConnectionCheck.objects.filter(scheduled=True)
    assert queued == checks.count() >= 1
    assert first.pk in set(checks.values_list("connection_id", flat=True))
