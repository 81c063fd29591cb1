"""Form details in the browser: the Add connection type filter and the dialog's Close
button, what a failed save says beside a typed secret, and the error summary of the
full-page forms (focus on load, links to the fields), with and without JavaScript."""

import re

from playwright.sync_api import expect

from connections_admin.accounts.roles import Role
from connections_admin.connections.sharing import Audience, Sharing, set_sharing
from tests.factories import ConnectionFactory, SegmentFactory

from .helpers import AxeChecker, dialog, focused, settled

RETYPE = "secrets are never sent back to the browser"


def type_links(pane):
    return pane.locator(".type-list").get_by_role("link")


def test_add_connection_filters_the_types_as_you_type_and_closes_with_its_button(signed_in):
    page = signed_in(Role.ADMIN)
    page.get_by_role("link", name="Add connection").click()
    pane = dialog(page)
    expect(pane.get_by_role("heading", name="Add connection")).to_be_visible()
    total = type_links(pane).count()
    assert total > 10

    box = pane.get_by_role("searchbox", name="Filter the types by name or description")
    box.press_sequentially("azure")
    expect(type_links(pane)).to_have_count(4)
    expect(pane.locator("#type-count")).to_have_text("4 types found")
    expect(pane.locator("#type-count")).to_have_attribute("role", "status")
    check = AxeChecker("admin")
    check(page, "Add connection pane, filtered", within="#pane-dialog")
    check.assert_clean()
    # typing never lost the box, and the dialog stayed open
    expect(box).to_be_focused()
    expect(box).to_have_value("azure")
    box.fill("zzz-nothing")
    expect(pane).to_contain_text("No connection type matches “zzz-nothing”.")
    box.fill("")
    expect(type_links(pane)).to_have_count(total)

    # the Close button at the top of the dialog, named for screen readers
    close = pane.get_by_role("button", name="Close", exact=True)
    box_top = pane.get_by_role("heading", name="Add connection").bounding_box()["y"]
    assert close.bounding_box()["y"] <= box_top + 10
    close.click()
    expect(pane).to_be_hidden()
    assert focused(page)["id"] == "add-connection"

    # every pane has it: the Set up pane too, reached with the keyboard
    page.get_by_role("link", name="Add connection").click()
    pane.get_by_role("link", name="Leadspace", exact=True).click()
    expect(pane.get_by_role("heading", name="Set up connection")).to_be_visible()
    pane.get_by_role("button", name="Close", exact=True).focus()
    page.keyboard.press("Enter")
    expect(pane).to_be_hidden()


def test_add_connection_filter_is_a_plain_form_without_javascript(signed_in):
    page = signed_in(Role.ADMIN, java_script_enabled=False)
    page.goto("/admin/connections/new/")
    # no dialog, so no Close button to show
    expect(page.get_by_role("button", name="Close", exact=True)).to_be_hidden()
    page.get_by_role("searchbox", name="Filter the types by name or description").fill("addresses")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/connections/new/\?q=addresses$"))
    expect(page.locator(".type-list").get_by_role("link")).to_have_count(2)
    page.get_by_role("link", name="Azure Maps", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/connections/new/azure_maps/$"))
    # the example under Display name is this type's own
    expect(page.locator("#id_display_name_helptext")).to_contain_text("Azure Maps")
    expect(page.locator("#id_display_name_helptext")).not_to_contain_text("SFTP")


def test_a_failed_save_asks_for_the_typed_secret_again(signed_in):
    page = signed_in(Role.ADMIN)
    page.goto("/admin/connections/")
    page.get_by_role("link", name="Add connection").click()
    pane = dialog(page)
    pane.get_by_role("link", name="SFTP", exact=True).click()
    pane.get_by_label("Display name").fill("Partner drop")
    pane.get_by_label("Hostname").fill("not a host")
    pane.get_by_label("Username").fill("cdp")
    pane.get_by_label("Password").fill("s3cret-pass")
    pane.get_by_label("Export folder").fill("outgoing")
    pane.get_by_label("I agree").check()
    pane.get_by_role("button", name="Save", exact=True).click()
    settled(page)
    expect(pane.get_by_label("Hostname")).to_have_attribute("aria-invalid", "true")
    password = pane.get_by_label("Password")
    expect(password).to_have_value("")
    # said beside the field, and read with it
    expect(password).to_have_accessible_description(re.compile(RETYPE))
    expect(pane.get_by_label("SSH private key")).not_to_have_accessible_description(
        re.compile(RETYPE)
    )
    assert "s3cret-pass" not in page.content()


def add_export_with_server_errors(page):
    """Fill what the browser checks itself (the name, a connection when one is offered, a
    schedule), leave what only the server checks (at least one segment and field)."""
    page.goto("/exports/new/")
    page.get_by_label("Export name").fill("Weekly churn list")
    connection = page.get_by_role("radio", name="Shared SFTP")
    if connection.count():
        connection.check()
    page.get_by_label("Hourly").check()
    page.get_by_role("button", name="Save", exact=True).click()


def test_the_error_summary_takes_the_focus_and_leads_to_each_field(signed_in):
    set_sharing(ConnectionFactory(display_name="Shared SFTP"), Sharing(Audience.CONTRIBUTORS))
    SegmentFactory(name="Churn risk")
    page = signed_in(Role.CONTRIBUTOR)
    add_export_with_server_errors(page)
    summary = page.get_by_role("region", name="There is a problem")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    check = AxeChecker("contributor")
    check(page, "Add export with its error summary")
    check.assert_clean()
    # at the top, above the page's heading
    heading = page.get_by_role("heading", name="Add export", level=1)
    assert summary.bounding_box()["y"] < heading.bounding_box()["y"]

    summary.get_by_role("link", name=re.compile("^Segments: ")).click()
    expect(page.get_by_label("Churn risk")).to_be_focused()
    # the group's legend is in view, not scrolled away above the top
    legend = page.locator("legend", has_text="Segments")
    assert legend.bounding_box()["y"] >= 0


def test_the_error_summary_is_at_the_top_without_javascript(signed_in):
    SegmentFactory(name="Churn risk")
    page = signed_in(Role.CONTRIBUTOR, java_script_enabled=False)
    add_export_with_server_errors(page)
    summary = page.get_by_role("region", name="There is a problem")
    expect(summary).to_be_visible()
    heading = page.get_by_role("heading", name="Add export", level=1)
    assert summary.bounding_box()["y"] < heading.bounding_box()["y"]
    summary.get_by_role("link", name=re.compile("^Fields to send: ")).click()
    expect(page).to_have_url(re.compile(r"#id_fields_0$"))
