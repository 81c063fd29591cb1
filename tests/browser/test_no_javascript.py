"""The same flows with JavaScript disabled in the browser: whole pages and real forms."""

import re

import pytest
from playwright.sync_api import expect

from connections_admin.accounts.roles import Role
from connections_admin.connections.models import Connection
from connections_admin.connections.sharing import Audience, Sharing, set_sharing
from connections_admin.enrichments.models import Enrichment
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory, SegmentFactory

from .helpers import expect_message, row


@pytest.fixture
def no_js(signed_in):
    """no_js(Role.X): a page signed in with that role, in a browser without JavaScript."""

    def make(role: Role, username: str | None = None):
        page = signed_in(role, username, java_script_enabled=False)
        assert page.evaluate("() => 1") == 1  # Playwright's own evaluate still works
        return page

    return make


def test_sign_in_and_both_tabs_are_whole_pages(no_js):
    ConnectionFactory(display_name="Partner SFTP")
    page = no_js(Role.ADMIN)
    expect(page).to_have_url(re.compile(r"/admin/connections/$"))
    # the ellipsis menu is a plain list of links without JavaScript
    expect(page.get_by_role("button", name=re.compile("More actions"))).to_be_hidden()
    expect(row(page, "Partner SFTP").get_by_role("link", name="Edit", exact=True)).to_be_visible()
    # no menu roles without the script that gives a menu its keyboard behaviour
    expect(page.get_by_role("menu")).to_have_count(0)
    expect(page.get_by_role("menuitem")).to_have_count(0)

    page.get_by_role("tab", name="Discover").click()
    expect(page).to_have_url(re.compile(r"/discover/$"))
    expect(page.get_by_role("tab", name="Discover")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("heading", name="Leadspace")).to_be_visible()
    page.get_by_role("tab", name="Connections").click()
    page.get_by_role("link", name="Type").click()
    expect(page).to_have_url(re.compile(r"sort=type"))
    page.get_by_role("searchbox").fill("Partner")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=Partner"))
    expect(row(page, "Partner SFTP")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_admin_adds_edits_and_shares_connections(no_js):
    page = no_js(Role.ADMIN)
    page.get_by_role("link", name="Add connection").click()
    expect(page).to_have_url(re.compile(r"/admin/connections/new/$"))
    page.get_by_role("link", name="SFTP", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/connections/new/sftp/$"))
    page.get_by_label("Display name").fill("Partner SFTP")
    page.get_by_label("Hostname").fill("sftp.partner.example.com")
    page.get_by_label("Username").fill("cdp")
    page.get_by_label("Export folder").fill("outgoing")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Save", exact=True).click()
    # the server's own validation, as a whole page
    expect(page.get_by_text("Give a password or an SSH private key.").first).to_be_visible()
    page.get_by_label("Password").fill("s3cret")
    page.get_by_role("button", name="Save", exact=True).click()
    # the Connections tab, newest first, the new row marked (and scrolled to)
    expect(page).to_have_url(
        re.compile(r"/admin/connections/\?sort=-created&created=\d+#connection-\d+$")
    )
    expect_message(page, "Connection “Partner SFTP” was set up.")
    expect(row(page, "Partner SFTP")).to_contain_text("Administrators")

    # from a Discover tile
    page.get_by_role("tab", name="Discover").click()
    page.get_by_role("link", name="Set up HERE Technologies").click()
    page.get_by_label("Display name").fill("HERE geocoding")
    page.get_by_label("API key").fill("here-key")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect_message(page, "Connection “HERE geocoding” was set up.")

    # edit and share
    row(page, "Partner SFTP").get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name="Edit connection")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_value("")
    page.get_by_label("Display name").fill("Partner SFTP (weekly)")
    page.get_by_label("Administrators and contributors").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect_message(page, "Connection “Partner SFTP (weekly)” was saved.")
    expect(row(page, "Partner SFTP (weekly)")).to_contain_text("Administrators and contributors")
    assert Connection.objects.count() == 2

    # Cancel is a link back to the list
    row(page, "HERE geocoding").get_by_role("link", name="Edit", exact=True).click()
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/admin/connections/$"))


def test_contributor_adds_an_export_with_find(no_js):
    shared = ConnectionFactory(display_name="Shared SFTP")
    set_sharing(shared, Sharing(Audience.CONTRIBUTORS))
    other = ConnectionFactory(display_name="Another shared")
    set_sharing(other, Sharing(Audience.CONTRIBUTORS))
    ConnectionFactory(display_name="Admins only")
    SegmentFactory(name="Churn risk")
    page = no_js(Role.CONTRIBUTOR)
    page.get_by_role("link", name="Add export").click()
    picker = page.get_by_role("group", name="Connection for export")
    expect(picker.get_by_role("radio")).to_have_count(2)
    page.get_by_label("Export name").fill("Weekly churn list")
    page.get_by_label("Find a connection by name or type").fill("Shared S")
    page.get_by_role("button", name="Find").click()
    # the whole form comes back, with what was typed, and the narrowed list
    expect(picker.get_by_role("radio")).to_have_count(1)
    expect(page.get_by_label("Export name")).to_have_value("Weekly churn list")
    picker.get_by_label("Shared SFTP (SFTP)").check()
    page.get_by_label("Churn risk").check()
    page.get_by_label("E-mail").check()
    page.get_by_label("Weekly").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist").first).to_be_visible()  # time and day are needed
    page.get_by_label("At (time, UTC)").fill("06:30")
    page.get_by_role("combobox", name=re.compile("^On")).select_option(label="Monday")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(r"/exports/$"))
    expect_message(page, "Export “Weekly churn list” was added.")
    expect(row(page, "Weekly churn list")).to_contain_text("Shared SFTP (SFTP)")
    assert Export.objects.get().connection_id == shared.pk


def test_admin_clears_and_removes_connections_then_reattaches(no_js):
    old = ConnectionFactory(display_name="Old SFTP")
    new = ConnectionFactory(display_name="New SFTP")
    segment = SegmentFactory()
    for name in ("Keep me", "Drop me", "Also keep"):
        ExportFactory(connection=old, name=name).segments.add(segment)
    old_lead = ConnectionFactory(type_key="leadspace", values={"token": "t"}, display_name="Lead 1")
    new_lead = ConnectionFactory(type_key="leadspace", values={"token": "t"}, display_name="Lead 2")
    EnrichmentFactory(connection=old_lead, name="Firmographics")
    page = no_js(Role.ADMIN)

    row(page, "Old SFTP").get_by_role("link", name="Remove", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/connections/{old.pk}/remove/$"))
    expect(page.get_by_text("can't be removed yet")).to_be_visible()
    page.get_by_role("link", name="See what's using this connection").click()
    expect(page.get_by_role("heading", name="3 exports use this connection")).to_be_visible()
    # "select all" needs JavaScript: it is not shown
    expect(page.get_by_label("Select all exports on this page")).to_be_hidden()
    page.get_by_role("button", name="Disconnect Keep me").click()
    expect_message(page, "1 export was disconnected")
    page.get_by_label("Select Also keep").check()
    page.get_by_role("button", name="Disconnect selected exports").click()
    expect(page.get_by_role("heading", name="1 export uses this connection")).to_be_visible()
    page.get_by_role("button", name="Remove Drop me").click()
    question = page.get_by_role("alertdialog", name="Remove 1 export from “Old SFTP”?")
    question.get_by_role("button", name="Remove", exact=True).click()  # asked first
    expect(page.get_by_text("Nothing uses this connection any more")).to_be_visible()
    page.get_by_role("button", name="Remove", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/connections/$"))
    expect_message(page, "Connection “Old SFTP” was removed.")

    row(page, "Lead 1").get_by_role("link", name="Remove", exact=True).click()
    page.get_by_role("link", name="See what's using this connection").click()
    page.get_by_role("button", name="Deactivate Firmographics").click()
    page.get_by_role("button", name="Remove", exact=True).click()
    expect_message(page, "Connection “Lead 1” was removed.")

    page.goto("/exports/")
    expect(row(page, "Keep me")).to_contain_text("No connection")
    expect(row(page, "Keep me")).to_contain_text("Inactive")
    row(page, "Keep me").get_by_role("link", name="Edit Keep me").click()
    page.get_by_label("New SFTP (SFTP)").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(row(page, "Keep me")).to_contain_text("Active")

    # the admin's bulk Disconnect on the Exports page works as a plain form
    page.get_by_label("Select Keep me").check()
    page.get_by_role("button", name="Disconnect selected").click()
    expect_message(page, "1 export was disconnected")
    assert Export.objects.get(name="Keep me").connection_id is None
    assert Export.objects.get(name="Also keep").connection_id is None
    assert new.exports.count() == 0

    page.goto("/enrichments/")
    expect(row(page, "Firmographics")).to_contain_text("No connection")
    row(page, "Firmographics").get_by_role("link", name="Activate Firmographics").click()
    page.get_by_label("Lead 2 (Leadspace)").check()
    page.get_by_role("button", name="Activate", exact=True).click()
    expect_message(page, "Enrichment “Firmographics” was activated with “Lead 2”.")
    assert Enrichment.objects.get().connection_id == new_lead.pk


def test_contributor_manages_exports_and_enrichments(no_js):
    shared = ConnectionFactory(display_name="Shared SFTP")
    set_sharing(shared, Sharing(Audience.CONTRIBUTORS))
    segment = SegmentFactory()
    ExportFactory(connection=shared, name="Churn").segments.add(segment)
    lead = ConnectionFactory(type_key="leadspace", values={"token": "t"}, display_name="Lead")
    page = no_js(Role.CONTRIBUTOR)

    row(page, "Churn").get_by_role("link", name="Disconnect Churn").click()
    page.get_by_role("button", name="Disconnect").click()
    expect_message(page, "Export “Churn” was disconnected.")
    row(page, "Churn").get_by_role("link", name="Remove Churn").click()
    page.get_by_role("button", name="Remove").click()
    expect_message(page, "Export “Churn” was removed.")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Enrichments").click()
    page.get_by_role("link", name="Add enrichment").click()
    page.get_by_label("Connection").select_option(label="Lead (Leadspace)")
    page.get_by_label("Enrichment name").fill("Firmographics")
    page.get_by_role("button", name="Save", exact=True).click()
    expect_message(page, "Enrichment “Firmographics” was created.")
    row(page, "Firmographics").get_by_role("link", name="Deactivate Firmographics").click()
    page.get_by_role("button", name="Deactivate").click()
    expect_message(page, "Enrichment “Firmographics” was deactivated.")
    expect(row(page, "Firmographics")).to_contain_text("No connection")
    row(page, "Firmographics").get_by_role("link", name="Remove Firmographics").click()
    page.get_by_role("button", name="Remove").click()
    expect_message(page, "Enrichment “Firmographics” was removed.")
    assert not Enrichment.objects.exists()
    assert lead.enrichments.count() == 0
