"""History from a connection row's menu, in a browser: the page says whose history it is,
what is filtered and how to see everything; a filter keeps the object, the clear link
shows all activity again. With and without JavaScript; axe finds nothing on the page."""

import pytest
from playwright.sync_api import expect

from connections_admin.accounts.roles import Role
from tests.factories import ConnectionFactory

from .helpers import AxeChecker, open_row_menu, settled


@pytest.mark.parametrize("javascript", [True, False])
def test_history_from_the_row_menu_names_the_connection_and_clears(signed_in, javascript):
    ConnectionFactory(display_name="Other drop")
    ConnectionFactory(display_name="Partner drop")
    page = signed_in(Role.ADMIN, java_script_enabled=javascript)
    page.goto("/admin/connections/")
    if javascript:
        open_row_menu(page, "Partner drop").get_by_role("menuitem", name="History").click()
    else:  # the menu is a plain list of links without JavaScript
        page.get_by_role("link", name="History").nth(1).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of “Partner drop”")
    expect(page).to_have_title("History of “Partner drop” · Connections console")
    expect(page.locator("#history-of")).to_contain_text(
        "Showing only the history of “Partner drop” (Connection)."
    )
    table = page.get_by_role("table")
    expect(table).to_contain_text("Partner drop")
    expect(table).not_to_contain_text("Other drop")
    if javascript:
        check = AxeChecker("admin")
        check(page, "History of a connection")
        check.assert_clean()

    page.get_by_label("Type of change").select_option(label="Consent given")
    page.get_by_role("button", name="Filter").click()
    settled(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("History of “Partner drop”")
    expect(table).to_contain_text("Consent given")
    expect(table).not_to_contain_text("Connection created")

    page.get_by_role("link", name="Show all activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity")
    expect(page.get_by_role("table")).to_contain_text("Other drop")
    expect(page.locator("#history-of")).to_have_count(0)
