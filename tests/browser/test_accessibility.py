"""axe-core on every page, every open pane and dialog, as each role: no violations.

Each test walks its role's screens in one browser context and reports every
violation found at once, readably (rule, impact, element, what to fix).
"""

import pytest
from playwright.sync_api import expect

from connections_admin.accounts.roles import Role
from connections_admin.connections.sharing import Audience, Sharing, set_sharing
from connections_admin.enrichments.models import EnrichmentStatus
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory, SegmentFactory

from .helpers import AxeChecker, dialog, open_row_menu

DIALOG = "#pane-dialog"  # the open pane; the page behind it is checked on its own


@pytest.fixture
def console_data(make_user):
    """A console with something in every list: shared and private connections, active and
    inactive exports and enrichments, enough dependants to page."""
    segment = SegmentFactory(name="Churn risk")
    shared = ConnectionFactory(display_name="Shared SFTP")
    set_sharing(shared, Sharing(Audience.CONTRIBUTORS))
    private = ConnectionFactory(display_name="Private SFTP")
    busy = ConnectionFactory(display_name="Busy SFTP")
    ConnectionFactory(
        display_name="Dynamics EMEA",
        type_key="dynamics365_marketing",
        values={
            "server_address": "https://contoso.crm4.dynamics.com",
            "server_admin_account": "admin@contoso.com",
        },
    )
    lead = ConnectionFactory(type_key="leadspace", values={"token": "t"}, display_name="Lead")
    ExportFactory(connection=shared, name="Shared export").segments.add(segment)
    ExportFactory(connection=private, name="Private export").segments.add(segment)
    ExportFactory(connection=None, name="Orphan export").segments.add(segment)
    for n in range(27):  # more than a page of the Remove dialog's list
        ExportFactory(connection=busy, name=f"Busy export {n:02d}").segments.add(segment)
    EnrichmentFactory(connection=lead, name="Firmographics", segment=segment)
    EnrichmentFactory(connection=None, name="Old firmographics", status=EnrichmentStatus.INACTIVE)
    return {"shared": shared, "private": private, "busy": busy, "lead": lead}


def test_signed_out_pages(new_context, make_user):
    check = AxeChecker("anonymous")
    make_user(Role.VIEWER, "vera")
    page = new_context().new_page()
    page.goto("/accounts/login/")
    check(page, "sign-in")
    page.get_by_label("Username").fill("vera")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, "sign-in with an error")
    for _ in range(5):
        page.get_by_label("Username").fill("vera")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
        if page.get_by_role("heading", name="Too many failed sign-ins").count():
            break
    expect(page.get_by_role("heading", name="Too many failed sign-ins")).to_be_visible()
    check(page, "locked out")
    page.goto("/no-such-page/")
    check(page, "404")
    check.assert_clean()


def test_admin_pages_panes_and_dialogs(signed_in, console_data):
    check = AxeChecker("admin")
    page = signed_in(Role.ADMIN)
    pane = dialog(page)
    lead = console_data["lead"]
    busy = console_data["busy"]

    check(page, "Connections tab")
    open_row_menu(page, "Busy SFTP")
    check(page, "Connections tab, ellipsis menu open", within="#tabpanel")
    page.keyboard.press("Escape")
    page.get_by_role("searchbox").fill("zzz")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".empty")).to_be_visible()
    check(page, "Connections tab, no search result")
    page.get_by_role("tab", name="Discover").click()
    expect(page.get_by_role("tabpanel", name="Discover")).to_be_visible()
    check(page, "Discover tab")

    page.get_by_role("link", name="Set up Dynamics 365 Sales").click()
    expect(pane.get_by_role("heading", name="Set up connection")).to_be_visible()
    check(page, "Set up pane, Microsoft export type", within=DIALOG)
    pane.get_by_label("Display name").fill("Lead")  # taken: the server refuses it
    pane.get_by_label("Server address").fill("https://contoso.crm.dynamics.com")
    pane.get_by_label("Server admin account").fill("a@contoso.com")
    pane.get_by_label("I agree").check()
    pane.get_by_role("button", name="Save", exact=True).click()
    expect(pane.get_by_label("Display name")).to_have_attribute("aria-invalid", "true")
    check(page, "Set up pane with errors", within=DIALOG)
    page.keyboard.press("Escape")
    page.get_by_role("link", name="Set up Leadspace").click()
    expect(pane.get_by_role("heading", name="Set up connection")).to_be_visible()
    check(page, "Set up pane, enrichment type", within=DIALOG)
    page.keyboard.press("Escape")

    page.get_by_role("tab", name="Connections").click()
    page.get_by_role("link", name="Add connection").click()
    expect(pane.get_by_role("heading", name="Add connection")).to_be_visible()
    check(page, "Add connection dialog", within=DIALOG)
    pane.get_by_role("link", name="SFTP", exact=True).click()
    expect(pane.get_by_role("heading", name="Set up connection")).to_be_visible()
    check(page, "Set up pane, SFTP with sharing", within=DIALOG)
    page.keyboard.press("Escape")

    open_row_menu(page, "Shared SFTP").get_by_role("menuitem", name="Edit").click()
    expect(pane.get_by_role("heading", name="Edit connection")).to_be_visible()
    check(page, "Edit pane", within=DIALOG)
    page.keyboard.press("Escape")
    open_row_menu(page, "Shared SFTP").get_by_role("menuitem", name="Verify").click()
    expect(pane.get_by_role("heading", name="Verify connection")).to_be_visible()
    check(page, "Verify pane, not verified yet", within=DIALOG)
    page.keyboard.press("Escape")
    open_row_menu(page, "Dynamics EMEA").get_by_role("menuitem", name="Remove").click()
    expect(pane).to_contain_text("This cannot be undone")
    check(page, "Remove dialog, nothing uses it", within=DIALOG)
    page.keyboard.press("Escape")
    open_row_menu(page, "Busy SFTP").get_by_role("menuitem", name="Remove").click()
    expect(pane).to_contain_text("can't be removed yet")
    check(page, "Remove dialog, in use", within=DIALOG)
    pane.get_by_role("link", name="See what's using this connection").click()
    expect(pane.get_by_role("heading", name="27 exports use this connection")).to_be_visible()
    check(page, "guided Remove dialog, paged list", within=DIALOG)
    pane.get_by_role("button", name="Disconnect selected exports").click()
    expect(pane.locator("[data-notice]")).to_be_visible()
    check(page, "guided Remove dialog, nothing selected", within="[data-notice]")
    pane.get_by_role("button", name="Disconnect Busy export 00").click()
    expect(pane.get_by_role("heading", name="26 exports use this connection")).to_be_visible()
    check(page, "guided Remove dialog after a change", within=DIALOG)
    pane.get_by_role("button", name="Remove Busy export 01").click()
    expect(pane.get_by_role("alertdialog")).to_be_visible()
    check(page, "guided Remove dialog, asked before removing", within=DIALOG)
    page.keyboard.press("Escape")  # back to the list
    expect(pane.get_by_role("heading", name="26 exports use this connection")).to_be_visible()
    page.keyboard.press("Escape")
    open_row_menu(page, "Lead").get_by_role("menuitem", name="Remove").click()
    pane.get_by_role("link", name="See what's using this connection").click()
    expect(pane.get_by_role("heading", name="1 enrichment uses this connection")).to_be_visible()
    check(page, "guided Remove dialog, enrichments", within=DIALOG)
    page.keyboard.press("Escape")

    for url, what in [
        ("/exports/", "Exports"),
        ("/exports/new/", "Add export"),
        (f"/exports/{busy.exports.first().pk}/edit/", "Edit export"),
        (f"/exports/{busy.exports.first().pk}/disconnect/", "Disconnect export"),
        (f"/exports/{busy.exports.first().pk}/remove/", "Remove export"),
        ("/enrichments/", "Enrichments"),
        ("/enrichments/new/", "Add enrichment"),
        (f"/enrichments/{lead.enrichments.first().pk}/edit/", "Edit enrichment"),
        (f"/enrichments/{lead.enrichments.first().pk}/deactivate/", "Deactivate enrichment"),
        (f"/enrichments/{lead.enrichments.first().pk}/remove/", "Remove enrichment"),
        ("/admin/activity/", "Activity"),
        ("/admin/activity/?kind=connection", "Activity, filtered"),
    ]:
        page.goto(url)
        check(page, what)
    page.goto("/exports/")
    page.get_by_role("button", name="Disconnect selected").click()
    expect(page.locator("#messages")).to_contain_text("Select at least one")
    check(page, "Exports with an error message", within="#messages")
    page.goto("/exports/new/")
    page.get_by_label("Shared SFTP (SFTP)").check()
    page.get_by_label("Export name").fill("Incomplete")
    page.get_by_label("With every system refresh").check()
    page.get_by_role(
        "button", name="Save", exact=True
    ).click()  # no segment, no field: the server says so
    expect(page.locator(".errorlist").first).to_be_visible()
    check(page, "Add export with errors")

    # The panes as whole pages, as a browser without JavaScript shows them. The page's
    # scripts are blocked rather than java_script_enabled=False, which would stop axe too.
    page.route("**/*.js", lambda route: route.abort())
    for url, what in [
        ("/admin/connections/new/", "Add connection"),
        ("/admin/connections/new/sftp/", "Set up connection"),
        (f"/admin/connections/{console_data['shared'].pk}/edit/", "Edit connection"),
        (f"/admin/connections/{busy.pk}/remove/", "Remove connection"),
        (f"/admin/connections/{busy.pk}/remove/dependants/?exports_page=2", "guided Remove"),
    ]:
        page.goto(url)
        check(page, f"{what} (no JavaScript)")
    check.assert_clean()


def test_contributor_pages(signed_in, console_data):
    check = AxeChecker("contributor")
    page = signed_in(Role.CONTRIBUTOR)
    check(page, "Exports")
    page.get_by_role("link", name="Add export").click()
    check(page, "Add export")
    page.get_by_label("Find a connection by name or type").fill("nothing-like-it")
    expect(page.locator("#connection-options")).to_contain_text("No connection you may use")
    check(page, "Add export, no connection found")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Enrichments").click()
    check(page, "Enrichments")
    page.get_by_role("link", name="Add enrichment").click()
    check(page, "Add enrichment")
    page.get_by_label("Connection").select_option(label="Lead (Leadspace)")
    page.get_by_label("Enrichment name").fill("Firmographics")  # taken
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("[aria-invalid=true]")).to_be_visible()
    check(page, "Add enrichment with errors")
    response = page.goto("/admin/connections/")
    assert response.status == 403
    check(page, "403")
    check.assert_clean()


def test_viewer_pages_and_empty_lists(signed_in):
    check = AxeChecker("viewer")
    page = signed_in(Role.VIEWER)
    expect(page.locator(".empty")).to_be_visible()
    check(page, "Exports, empty")
    page.goto("/enrichments/")
    check(page, "Enrichments, empty")
    ExportFactory(name="Someone's export")
    page.goto("/exports/")
    expect(page.get_by_role("rowheader", name="Someone's export")).to_be_visible()
    check(page, "Exports")
    page.goto("/exports/?q=zzz")
    check(page, "Exports, no search result")

    admin = signed_in(Role.ADMIN, "empty-admin")
    check(admin, "Connections tab, empty")
    admin.goto("/admin/activity/?q=zzz")
    check(admin, "Activity, nothing found")
    check.assert_clean()
