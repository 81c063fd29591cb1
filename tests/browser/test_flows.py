"""The flows of SPEC.md in the browser, with JavaScript (htmx, the pane dialog, menus)."""

import re

from playwright.sync_api import expect

from connections_admin.accounts.roles import Role
from connections_admin.connections.crypto import decrypt_secrets
from connections_admin.connections.models import Connection
from connections_admin.connections.sharing import Audience, Sharing, set_sharing
from connections_admin.enrichments.models import Enrichment
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory, SegmentFactory

from .helpers import dialog, expect_message, open_row_menu, row, sign_in


def leadspace(**kwargs):
    return ConnectionFactory(type_key="leadspace", values={"token": "tok-secret-1"}, **kwargs)


def test_each_role_signs_in_to_its_start_page_and_sees_only_its_menus(new_context, make_user):
    admin = make_user(Role.ADMIN, "ada")
    contributor = make_user(Role.CONTRIBUTOR, "cory")
    viewer = make_user(Role.VIEWER, "vic")

    page = new_context().new_page()
    page.goto("/admin/connections/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
    sign_in(page, admin, next_url="/admin/connections/")
    expect(page).to_have_url(re.compile(r"/admin/connections/$"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Connections")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Activity")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    page = new_context().new_page()
    sign_in(page, contributor)
    expect(page).to_have_url(re.compile(r"/exports/$"))
    expect(page.get_by_role("link", name="Add export")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_count(2)
    page.goto("/admin/connections/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You don't have permission to open this page"
    )

    page = new_context().new_page()
    sign_in(page, viewer)
    expect(page).to_have_url(re.compile(r"/exports/$"))
    expect(page.get_by_role("link", name="Add export")).to_have_count(0)
    page.get_by_role("link", name="Enrichments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrichments")
    expect(page.get_by_role("link", name="Add enrichment")).to_have_count(0)


def test_both_tabs_swap_in_place_and_back_and_forward_show_whole_pages(signed_in):
    ConnectionFactory(display_name="Warehouse drop")
    page = signed_in(Role.ADMIN)
    page.get_by_role("tab", name="Discover").click()
    expect(page).to_have_url(re.compile(r"/admin/connections/discover/$"))
    expect(page.get_by_role("tab", name="Discover")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("heading", name="Marketo")).to_be_visible()
    expect(page.locator("header.site-header")).to_have_count(1)

    page.get_by_role("tab", name="Connections").click()
    expect(page).to_have_url(re.compile(r"/admin/connections/$"))
    expect(row(page, "Warehouse drop")).to_be_visible()

    # back and forward: whole pages, never a bare fragment
    page.go_back()
    expect(page).to_have_url(re.compile(r"/discover/$"))
    expect(page.get_by_role("tab", name="Discover")).to_have_attribute("aria-selected", "true")
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text("Connections")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/admin/connections/$"))
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(row(page, "Warehouse drop")).to_be_visible()
    page.reload()
    expect(page.locator("header.site-header")).to_have_count(1)

    # sorting and searching stay in the tab, with the address to match
    page.get_by_role("link", name="Type").click()
    expect(page).to_have_url(re.compile(r"sort=type"))
    page.get_by_role("searchbox", name="Search connections by name or type").fill("nothing-like")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".empty")).to_contain_text("No connection matches")
    page.go_back()
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(row(page, "Warehouse drop")).to_be_visible()


def test_admin_adds_a_connection_from_add_connection(signed_in):
    page = signed_in(Role.ADMIN)
    expect(page.locator(".empty")).to_contain_text("There are no connections yet")
    page.get_by_role("link", name="Add connection").click()
    pane = dialog(page)
    expect(pane).to_be_visible()
    expect(pane.get_by_role("heading", name="Add connection")).to_be_visible()
    pane.get_by_role("link", name="SFTP", exact=True).click()
    expect(pane.get_by_role("heading", name="Set up connection")).to_be_visible()
    expect(pane).to_contain_text("At most 5 files per entity.")
    pane.get_by_label("Display name").fill("SFTP to the partner portal")
    pane.get_by_label("Hostname").fill("sftp.partner.example.com")
    pane.get_by_label("Username").fill("cdp")
    pane.get_by_label("Password").fill("s3cret-pass")
    pane.get_by_label("Export folder").fill("outgoing")
    pane.get_by_label("Administrators and contributors").check()
    pane.get_by_label("I agree").check()
    pane.get_by_role("button", name="Save", exact=True).click()

    expect(pane).to_be_hidden()
    expect_message(page, "Connection “SFTP to the partner portal” was set up.")
    new_row = row(page, "SFTP to the partner portal")
    expect(new_row).to_contain_text("Administrators and contributors")
    connection = Connection.objects.get()
    assert connection.consent_given_by.username == page.user.username
    assert "s3cret-pass" not in page.content()


def test_admin_sets_up_a_connection_from_a_discover_tile(signed_in):
    page = signed_in(Role.ADMIN)
    page.goto("/admin/connections/discover/")
    page.get_by_role("link", name="Set up Azure Blob Storage").click()
    pane = dialog(page)
    expect(pane.get_by_role("heading", name="Set up connection")).to_be_visible()
    expect(pane).to_contain_text("This is a Microsoft service")
    pane.get_by_role("link", name="Cancel").click()
    expect(pane).to_be_hidden()

    page.get_by_role("link", name="Set up Leadspace").click()
    expect(pane.get_by_role("heading", name="Set up connection")).to_be_visible()
    expect(pane.get_by_text("Choose who can use this connection")).to_have_count(0)
    pane.get_by_label("Display name").fill("Leadspace firmographics")
    pane.get_by_role("button", name="Save", exact=True).click()
    # the browser keeps the form until the required fields are filled and "I agree" ticked
    assert pane.get_by_label("Token").evaluate("el => el.validity.valueMissing")
    assert pane.get_by_label("I agree").evaluate("el => el.validity.valueMissing")
    pane.get_by_label("Token").fill("lead-token")
    pane.get_by_label("I agree").check()
    pane.get_by_role("button", name="Save", exact=True).click()
    expect(pane).to_be_hidden()
    expect_message(page, "Connection “Leadspace firmographics” was set up.")
    page.get_by_role("tab", name="Connections").click()
    expect(row(page, "Leadspace firmographics")).to_contain_text("Enrichments")


def test_admin_edits_and_shares_a_connection(signed_in):
    connection = ConnectionFactory(display_name="Partner SFTP")
    ExportFactory(connection=connection, name="Weekly churn")
    page = signed_in(Role.ADMIN)
    expect(row(page, "Partner SFTP")).to_contain_text("Administrators")

    menu = open_row_menu(page, "Partner SFTP")
    menu.get_by_role("menuitem", name="Edit").click()
    pane = dialog(page)
    expect(pane.get_by_role("heading", name="Edit connection")).to_be_visible()
    password = pane.get_by_label("Password")
    expect(password).to_have_value("")
    expect(pane).to_contain_text("A value is set")
    assert "factory-sftp-password" not in page.content()

    pane.get_by_label("Display name").fill("Partner SFTP (weekly)")
    pane.get_by_label("Administrators and contributors").check()
    pane.get_by_role("button", name="Save", exact=True).click()
    expect(pane).to_be_hidden()
    expect_message(page, "Connection “Partner SFTP (weekly)” was saved.")
    expect(row(page, "Partner SFTP (weekly)")).to_contain_text("Administrators and contributors")
    # focus comes back to the row's ellipsis button
    menu_button = page.get_by_role("button", name="More actions for Partner SFTP (weekly)")
    expect(menu_button).to_be_focused()
    connection.refresh_from_db()
    assert decrypt_secrets(connection.secrets_encrypted)["password"] == "factory-sftp-password"
    assert Export.objects.get().connection_id == connection.pk


def test_contributor_adds_an_export_seeing_only_name_and_type(signed_in):
    shared = ConnectionFactory(display_name="Shared SFTP")
    set_sharing(shared, Sharing(Audience.CONTRIBUTORS))
    ConnectionFactory(display_name="Admins-only SFTP")
    for n in range(3):
        set_sharing(ConnectionFactory(display_name=f"Other {n}"), Sharing(Audience.CONTRIBUTORS))
    SegmentFactory(name="Churn risk")

    page = signed_in(Role.CONTRIBUTOR)
    page.get_by_role("link", name="Add export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add export")
    picker = page.get_by_role("group", name="Connection for export")
    expect(picker.get_by_role("radio")).to_have_count(4)
    expect(picker).not_to_contain_text("Admins-only")
    # search as you type narrows the list
    page.get_by_label("Find a connection by name or type").press_sequentially("Shared S")
    expect(picker.get_by_role("radio")).to_have_count(1)
    picker.get_by_label("Shared SFTP (SFTP)").check()
    content = page.content()
    for setting in ("sftp.example.com", "exporter", "factory-sftp-password", "out"):
        assert f">{setting}<" not in content and f'"{setting}"' not in content
    page.get_by_label("Export name").fill("Weekly churn list")
    page.get_by_label("Churn risk").check()
    page.get_by_label("E-mail").check()
    page.get_by_label("Daily").check()
    page.get_by_label("At (time, UTC)").fill("06:30")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(re.compile(r"/exports/$"))
    expect_message(page, "Export “Weekly churn list” was added.")
    new_row = row(page, "Weekly churn list")
    expect(new_row).to_contain_text("Shared SFTP (SFTP)")
    expect(new_row).to_contain_text("Active")
    expect(new_row).to_contain_text("You can edit")

    # searching the list swaps it in place; back shows the whole page again
    page.get_by_role("searchbox", name="Search exports by name, connection or type").fill("zzz")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"\?q=zzz"))
    expect(page.locator(".empty")).to_contain_text("No export matches")
    page.go_back()
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(row(page, "Weekly churn list")).to_be_visible()

    # a contributor never opens a connection's settings
    response = page.goto(f"/admin/connections/{shared.pk}/edit/")
    assert response.status == 403


def test_admin_removes_connections_through_the_guided_dialog(signed_in):
    old_sftp = ConnectionFactory(display_name="Old SFTP")
    new_sftp = ConnectionFactory(display_name="New SFTP")
    set_sharing(new_sftp, Sharing(Audience.CONTRIBUTORS))
    segment = SegmentFactory(name="Churn risk")
    ExportFactory(connection=old_sftp, name="Keep me").segments.add(segment)
    ExportFactory(connection=old_sftp, name="Drop me").segments.add(segment)
    old_lead = leadspace(display_name="Old Leadspace")
    new_lead = leadspace(display_name="New Leadspace")
    EnrichmentFactory(connection=old_lead, name="Firmographics")
    page = signed_in(Role.ADMIN)
    pane = dialog(page)

    # Exports: disconnect one, remove the other, then remove the connection
    open_row_menu(page, "Old SFTP").get_by_role("menuitem", name="Remove").click()
    expect(pane.get_by_role("heading", name="Remove connection")).to_be_visible()
    expect(pane).to_contain_text("can't be removed yet")
    expect(pane).to_contain_text("Keep me")
    pane.get_by_role("link", name="See what's using this connection").click()
    expect(pane.get_by_role("heading", name="2 exports use this connection")).to_be_visible()
    pane.get_by_role("button", name="Disconnect Keep me").click()
    expect(pane.get_by_role("heading", name="1 export uses this connection")).to_be_visible()
    expect(pane.get_by_role("status")).to_contain_text("disconnected")
    pane.get_by_role("button", name="Remove Drop me").click()
    question = pane.get_by_role("alertdialog", name="Remove 1 export from “Old SFTP”?")
    question.get_by_role("button", name="Remove", exact=True).click()  # asked first
    expect(pane).to_contain_text("Nothing uses this connection any more")
    pane.get_by_role("button", name="Remove", exact=True).click()
    expect(pane).to_be_hidden()
    expect_message(page, "Connection “Old SFTP” was removed.")
    expect(row(page, "Old SFTP")).to_have_count(0)

    # Enrichments: deactivate, then remove
    open_row_menu(page, "Old Leadspace").get_by_role("menuitem", name="Remove").click()
    pane.get_by_role("link", name="See what's using this connection").click()
    expect(pane.get_by_role("heading", name="1 enrichment uses this connection")).to_be_visible()
    pane.get_by_role("button", name="Deactivate Firmographics").click()
    expect(pane).to_contain_text("Nothing uses this connection any more")
    pane.get_by_role("button", name="Remove", exact=True).click()
    expect(pane).to_be_hidden()
    expect_message(page, "Connection “Old Leadspace” was removed.")
    assert set(Connection.objects.values_list("display_name", flat=True)) == {
        "New SFTP",
        "New Leadspace",
    }

    # The disconnected export shows "No connection"; attaching another reactivates it
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exports").click()
    kept = row(page, "Keep me")
    expect(kept).to_contain_text("No connection")
    expect(kept).to_contain_text("Inactive")
    expect(row(page, "Drop me")).to_have_count(0)
    kept.get_by_role("link", name="Edit Keep me").click()
    expect(page.locator(".note")).to_contain_text("no connection")
    page.get_by_label("New SFTP (SFTP)").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect_message(page, "Export “Keep me” was reattached to “New SFTP”.")
    expect(row(page, "Keep me")).to_contain_text("New SFTP (SFTP)")
    expect(row(page, "Keep me")).to_contain_text("Active")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Enrichments").click()
    enrichment = row(page, "Firmographics")
    expect(enrichment).to_contain_text("No connection")
    enrichment.get_by_role("link", name="Activate Firmographics").click()
    page.get_by_label("New Leadspace (Leadspace)").check()
    page.get_by_role("button", name="Activate", exact=True).click()
    expect_message(page, "Enrichment “Firmographics” was activated with “New Leadspace”.")
    expect(row(page, "Firmographics")).to_contain_text("New Leadspace")
    assert Enrichment.objects.get().connection_id == new_lead.pk


def test_contributor_sees_unshared_exports_as_view_only(signed_in):
    private = ConnectionFactory(display_name="Private SFTP")
    ExportFactory(connection=private, name="Admin's export")
    page = signed_in(Role.CONTRIBUTOR)
    theirs = row(page, "Admin's export")
    expect(theirs).to_contain_text("View only")
    # Its read-only View page and its run history, which every role may read: nothing to change it.
    expect(theirs.get_by_role("link")).to_have_count(2)
    expect(theirs.get_by_role("link", name="View Admin's export")).to_be_visible()
    expect(theirs.get_by_role("link", name="Runs of Admin's export")).to_be_visible()
    expect(theirs.get_by_role("button")).to_have_count(0)


def test_htmx_request_after_the_session_expired_goes_to_sign_in_as_a_whole_page(signed_in):
    page = signed_in(Role.ADMIN)
    page.context.clear_cookies()
    page.get_by_role("tab", name="Discover").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fadmin%2Fconnections%2F"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator("input[type=password]")).to_have_count(1)
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.get_by_role("tab")).to_have_count(0)

    # the same for a pane opened in the dialog
    page.get_by_label("Username").fill(page.user.username)
    page.get_by_label("Password").fill("pw-for-tests-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/connections/$"))
    page.context.clear_cookies()
    page.get_by_role("link", name="Add connection").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(dialog(page)).to_be_hidden()
    expect(page.locator("input[type=password]")).to_have_count(1)


def test_a_connection_of_an_uninstalled_type_explains_itself_in_the_pane(signed_in):
    """The edit pane of such a connection is answered so that htmx shows it (200 for htmx,
    409 for the whole page): the dialog opens with the explanation, not a generic error."""
    connection = ConnectionFactory(display_name="Old CRM")
    Connection.objects.filter(pk=connection.pk).update(type_key="acme_crm")
    page = signed_in(Role.ADMIN)
    open_row_menu(page, "Old CRM").get_by_role("menuitem", name="Edit").click()
    pane = dialog(page)
    expect(pane.get_by_role("heading", name="Edit connection")).to_be_visible()
    expect(pane.get_by_role("alert")).to_contain_text("which no installed package provides")
    expect(page.locator("#messages")).not_to_contain_text("Something went wrong")
    pane.get_by_role("link", name="Close").click()
    expect(pane).to_be_hidden()
    expect(page.get_by_role("button", name="More actions for Old CRM")).to_be_focused()


def test_the_list_refreshes_itself_after_a_pane_keeping_search_sort_and_page(signed_in):
    """The Connections tab listens for "connections:changed" (markup, not script) and
    reloads the address shown: the same search, sort and page, and no new history entry."""
    ConnectionFactory(display_name="Alpha SFTP")
    ConnectionFactory(display_name="Beta SFTP")
    leadspace(display_name="Other")
    page = signed_in(Role.ADMIN)
    page.get_by_role("link", name="Display name").click()  # sorted by name, descending
    expect(page).to_have_url(re.compile(r"sort=-name"))
    page.get_by_role("searchbox", name="Search connections by name or type").fill("SFTP")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=SFTP"))
    expect(row(page, "Other")).to_have_count(0)
    address = page.url
    entries = page.evaluate("() => history.length")

    open_row_menu(page, "Alpha SFTP").get_by_role("menuitem", name="Edit").click()
    pane = dialog(page)
    pane.get_by_label("Display name").fill("Zulu SFTP")
    pane.get_by_role("button", name="Save", exact=True).click()
    expect(pane).to_be_hidden()
    expect(row(page, "Zulu SFTP")).to_be_visible()
    names = page.locator("tbody th[scope=row]")
    expect(names).to_have_text(["Zulu SFTP", "Beta SFTP"])  # still searched, still descending
    assert page.url == address
    assert page.evaluate("() => history.length") == entries
