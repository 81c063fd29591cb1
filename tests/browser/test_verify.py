"""Verify in the browser: the pane polls while a worker checks, then shows the result and
the Connections tab's Status column follows, with no page reload."""

import time

import pytest
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from connections_admin.accounts.roles import Role
from connections_admin.connection_types.builtin import Sftp
from connections_admin.connection_types.checks import CheckResult
from connections_admin.connections.models import ConnectionCheck
from connections_admin.outbound.failures import CheckFailed, Failure
from tests.factories import ConnectionFactory

from .helpers import dialog, open_row_menu


class ScriptedCheck:
    describe = "scripted for the tests"

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)

    def run(self, context):
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def run_the_queued_check():
    """What a db_worker does, once the pane has queued the check."""
    for _ in range(100):
        if ConnectionCheck.objects.exists():
            break
        time.sleep(0.05)
    for queued in DBTaskResult.objects.ready():
        arguments = queued.task_result
        queued.task.call(*arguments.args, **arguments.kwargs)


@pytest.mark.parametrize(
    ("outcome", "shown", "status"),
    [
        (CheckResult(host_key="SHA256:abc"), "Verified", "Verified"),
        (CheckFailed(Failure.AUTHENTICATION_FAILED), "Authentication failed.", "Failing"),
    ],
)
def test_admin_verifies_from_the_row_menu_and_sees_the_result_arrive(
    signed_in, monkeypatch, outcome, shown, status
):
    monkeypatch.setattr(Sftp, "check", ScriptedCheck(outcome))
    ConnectionFactory(display_name="Partner drop")
    page = signed_in(Role.ADMIN)
    page.goto("/admin/connections/")
    open_row_menu(page, "Partner drop").get_by_role("menuitem", name="Verify").click()
    pane = dialog(page)
    expect(pane.get_by_role("heading", name="Verify connection")).to_be_visible()
    expect(pane.locator("#check-status")).to_contain_text("Not verified yet.")

    pane.get_by_role("button", name="Verify").click()
    expect(pane.locator("#check-status")).to_contain_text("Checking the connection…")
    run_the_queued_check()

    expect(pane.locator("#check-status")).to_contain_text(shown)
    expect(pane.get_by_role("table", name="Last checks")).to_contain_text("browser")
    pane.get_by_role("link", name="Close").click()
    row = page.get_by_role("row").filter(has_text="Partner drop")
    expect(row).to_contain_text(status)
