"""Keyboard alone: the ARIA tabs and menu-button patterns, the modal dialog (focus kept off
the page behind, focus return), announcements, and the main flows driven with keys only."""

import re

from playwright.sync_api import expect

from connections_admin.accounts.roles import Role
from connections_admin.connection_types.base import Usage
from connections_admin.connections.models import Connection
from connections_admin.connections.sharing import (
    Audience,
    Sharing,
    set_sharing,
    sharing_of,
    usable_connections,
)
from connections_admin.enrichments.models import EnrichmentStatus
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory, SegmentFactory

from .helpers import dialog, expect_message, focused, row, settled

MAX_TABS = 60


def tab_to(page, selector: str, *, backwards: bool = False):
    """Press Tab (or Shift+Tab) until the element matching ``selector`` has the focus."""
    settled(page)
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with {key}; focus is on {focused(page)}")


def tab_to_named(page, role: str, name: str):
    """Tab until the focused element is the one with that role and accessible name."""
    target = page.get_by_role(role, name=name, exact=True)
    expect(target).to_have_count(1)
    settled(page)
    handle = target.element_handle()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", handle):
            return
    raise AssertionError(f"{role} {name!r} is not reachable with Tab; focus is on {focused(page)}")


def test_tabs_follow_the_aria_tabs_pattern(signed_in):
    page = signed_in(Role.ADMIN)
    tablist = page.get_by_role("tablist", name="Connections")
    connections = tablist.get_by_role("tab", name="Connections")
    discover = tablist.get_by_role("tab", name="Discover")
    expect(connections).to_have_attribute("aria-selected", "true")
    expect(connections).to_have_attribute("tabindex", "0")
    expect(discover).to_have_attribute("tabindex", "-1")
    expect(page.get_by_role("tabpanel", name="Connections")).to_be_visible()

    tab_to(page, "#tab-connections")
    page.keyboard.press("ArrowRight")
    expect(discover).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(connections).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(discover).to_be_focused()
    page.keyboard.press("Home")
    expect(connections).to_be_focused()
    page.keyboard.press("End")
    expect(discover).to_be_focused()

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/discover/$"))
    expect(discover).to_have_attribute("aria-selected", "true")
    expect(discover).to_be_focused()  # focus stays on the tab that was activated
    expect(page.get_by_role("tabpanel", name="Discover")).to_be_visible()
    # Tab leaves the tab list for the panel: the unselected tab is skipped
    page.keyboard.press("Tab")
    first_tile = page.get_by_role("tabpanel").get_by_role("link", name=re.compile("^Set up"))
    expect(first_tile.first).to_be_focused()

    page.keyboard.press("Shift+Tab")
    expect(discover).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press(" ")  # Space activates too
    expect(page).to_have_url(re.compile(r"/admin/connections/$"))
    expect(connections).to_be_focused()
    expect(connections).to_have_attribute("aria-selected", "true")


def test_row_menu_follows_the_menu_button_pattern(signed_in):
    ConnectionFactory(display_name="Partner SFTP")
    page = signed_in(Role.ADMIN)
    button = page.get_by_role("button", name="More actions for Partner SFTP")
    menu = page.get_by_role("menu")
    expect(button).to_have_attribute("aria-haspopup", re.compile("true|menu"))
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()

    tab_to(page, ".menu-button")
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    items = menu.get_by_role("menuitem")
    expect(items).to_have_count(4)  # Edit, Verify, Remove, History
    expect(items.nth(0)).to_be_focused()
    for n in (1, 2, 3):
        page.keyboard.press("ArrowDown")
        expect(items.nth(n)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(items.nth(0)).to_be_focused()  # wraps
    page.keyboard.press("ArrowUp")
    expect(items.nth(3)).to_be_focused()
    page.keyboard.press("Home")
    expect(items.nth(0)).to_be_focused()
    page.keyboard.press("End")
    expect(items.nth(3)).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("ArrowUp")  # opens on the last item
    expect(items.nth(3)).to_be_focused()
    page.keyboard.press("Tab")  # leaving the menu closes it
    expect(menu).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")

    button.focus()
    page.keyboard.press(" ")
    expect(items.nth(0)).to_be_focused()
    page.keyboard.press("Enter")  # Edit
    pane = dialog(page)
    expect(pane.get_by_role("heading", name="Edit connection")).to_be_visible()
    expect(menu).to_be_hidden()
    assert focused(page)["inDialog"]
    page.keyboard.press("Escape")
    expect(pane).to_be_hidden()
    expect(button).to_be_focused()  # focus returns to the menu button


def test_dialog_keeps_focus_off_the_page_and_returns_it_on_close(signed_in):
    """The pane is a modal dialog (showModal): the page behind is inert, so Tab cycles
    through the dialog's controls and the browser's own UI (in a headless browser the focus
    is then on no element: the body), never onto the page behind."""
    page = signed_in(Role.ADMIN)
    tab_to_named(page, "link", "Add connection")
    page.keyboard.press("Enter")
    pane = dialog(page)
    expect(pane).to_be_visible()
    expect(pane).to_have_attribute("aria-labelledby", "pane-title")
    expect(page.get_by_role("dialog", name="Add connection")).to_be_visible()
    assert focused(page)["inDialog"]
    assert page.evaluate("() => document.getElementById('pane-dialog').matches(':modal')")
    left_the_page = 0
    for _ in range(45):  # more than the pane's controls: focus wraps, never goes behind
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["inDialog"] or now["tag"] == "body", now
        left_the_page += not now["inDialog"]
    assert left_the_page >= 1  # it went round: past the last control, and back in
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        now = focused(page)
        assert now["inDialog"] or now["tag"] == "body", now
    while not focused(page)["inDialog"]:
        page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(pane).to_be_hidden()
    expect(page.get_by_role("link", name="Add connection")).to_be_focused()

    # Cancel with the keyboard returns focus to the Discover tile's button
    page.goto("/admin/connections/discover/")
    tab_to_named(page, "link", "Set up Marketo")
    page.keyboard.press("Enter")
    expect(pane.get_by_role("heading", name="Set up connection")).to_be_visible()
    expect(pane.get_by_label("Display name")).to_be_focused()
    tab_to_named(page, "link", "Cancel")
    page.keyboard.press("Enter")
    expect(pane).to_be_hidden()
    expect(page.get_by_role("link", name="Set up Marketo")).to_be_focused()


def test_admin_adds_a_connection_with_the_keyboard_alone(signed_in):
    page = signed_in(Role.ADMIN)
    tab_to_named(page, "link", "Add connection")
    page.keyboard.press("Enter")
    pane = dialog(page)
    expect(pane.get_by_role("heading", name="Add connection")).to_be_visible()
    tab_to_named(page, "link", "SendGrid")
    page.keyboard.press("Enter")
    expect(pane.get_by_role("heading", name="Set up connection")).to_be_visible()
    expect(pane.get_by_label("Display name")).to_be_focused()
    page.keyboard.type("SendGrid newsletters")
    tab_to(page, "[name=api_key]")
    page.keyboard.type("SG.key-typed")
    tab_to(page, "[name=who_can_use]")
    page.keyboard.press("ArrowDown")  # radio group: arrows choose
    expect(pane.get_by_label("Administrators and contributors")).to_be_checked()
    tab_to(page, "[name=consent]")
    page.keyboard.press(" ")
    tab_to_named(page, "button", "Save")
    page.keyboard.press("Enter")

    expect(pane).to_be_hidden()
    expect_message(page, "Connection “SendGrid newsletters” was set up.")
    expect(page.get_by_role("rowheader", name="SendGrid newsletters")).to_be_visible()
    # focus returns to "Add connection", even though the list was refreshed meanwhile
    expect(page.get_by_role("link", name="Add connection")).to_be_focused()
    assert Connection.objects.get().display_name == "SendGrid newsletters"


def test_a_server_error_in_the_pane_takes_the_focus(signed_in):
    ConnectionFactory(display_name="Taken")
    page = signed_in(Role.ADMIN)
    page.goto("/admin/connections/discover/")
    page.get_by_role("link", name="Set up SendGrid").focus()
    page.keyboard.press("Enter")
    pane = dialog(page)
    expect(pane.get_by_label("Display name")).to_be_focused()
    page.keyboard.type("Taken")
    tab_to(page, "[name=api_key]")
    page.keyboard.type("k")
    tab_to(page, "[name=consent]")
    page.keyboard.press(" ")
    page.keyboard.press("Enter")  # submits the form
    display_name = pane.get_by_label("Display name")
    expect(display_name).to_have_attribute("aria-invalid", "true")
    expect(display_name).to_be_focused()
    expect(pane).to_contain_text("A connection with this display name already exists.")


def test_admin_clears_a_connection_with_the_keyboard_alone(signed_in):
    connection = ConnectionFactory(display_name="Old SFTP")
    segment = SegmentFactory()
    for name in ("Alpha", "Beta", "Gamma"):
        ExportFactory(connection=connection, name=name).segments.add(segment)
    lead = ConnectionFactory(type_key="leadspace", values={"token": "t"}, display_name="Lead")
    EnrichmentFactory(connection=lead, name="Firmographics")
    page = signed_in(Role.ADMIN)
    pane = dialog(page)

    tab_to(page, f"#menu-button-{connection.pk}")
    page.keyboard.press("ArrowDown")  # opens on Edit
    page.keyboard.press("ArrowDown")  # Verify
    page.keyboard.press("ArrowDown")  # Remove
    page.keyboard.press("Enter")
    expect(pane.get_by_role("heading", name="Remove connection")).to_be_visible()
    tab_to_named(page, "link", "See what's using this connection")
    page.keyboard.press("Enter")
    expect(pane.get_by_role("heading", name="3 exports use this connection")).to_be_visible()
    assert focused(page)["inDialog"]

    # select one with Space, disconnect the selection
    tab_to(page, "input[type=checkbox][name=export]")  # Alpha
    page.keyboard.press(" ")
    tab_to_named(page, "button", "Disconnect selected exports")
    page.keyboard.press("Enter")
    expect(pane.get_by_role("heading", name="2 exports use this connection")).to_be_visible()
    expect(pane.locator("#pane-status")).to_contain_text("1 export was disconnected")
    assert focused(page)["inDialog"]

    # select all on the page, remove them
    page.keyboard.press("Shift+Tab")
    tab_to(page, "[data-select-all=export]")
    page.keyboard.press(" ")
    expect(pane.locator("input[name=export]:checked")).to_have_count(2)
    tab_to_named(page, "button", "Remove selected exports")
    page.keyboard.press("Enter")
    expect(pane.get_by_role("alertdialog")).to_be_visible()  # asked first
    tab_to_named(page, "button", "Remove")
    page.keyboard.press("Enter")
    expect(pane).to_contain_text("Nothing uses this connection any more")
    tab_to_named(page, "button", "Remove")
    page.keyboard.press("Enter")
    expect(pane).to_be_hidden()
    expect_message(page, "Connection “Old SFTP” was removed.")
    # its row is gone: the focus goes to the main region, not lost on the body
    assert focused(page)["tag"] != "body", focused(page)
    assert list(Export.objects.values_list("name", "connection")) == [("Alpha", None)]

    # enrichments: the row's own Deactivate button
    tab_to(page, f"#menu-button-{lead.pk}")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # Remove (the last is History)
    page.keyboard.press("Enter")
    tab_to_named(page, "link", "See what's using this connection")
    page.keyboard.press("Enter")
    tab_to_named(page, "button", "Deactivate Firmographics")
    page.keyboard.press("Enter")
    expect(pane).to_contain_text("Nothing uses this connection any more")
    page.keyboard.press("Escape")
    expect(pane).to_be_hidden()


def test_contributor_adds_an_export_with_the_keyboard_alone(signed_in):
    shared = ConnectionFactory(display_name="Shared SFTP")
    set_sharing(shared, Sharing(Audience.CONTRIBUTORS))
    SegmentFactory(name="Churn risk")
    page = signed_in(Role.CONTRIBUTOR)
    tab_to_named(page, "link", "Add export")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add export")
    tab_to(page, "#connection-search")
    page.keyboard.type("Shared")
    expect(page.locator("#connection-options")).to_contain_text("Shared SFTP")
    tab_to(page, "[name=connection]")
    page.keyboard.press(" ")
    expect(page.get_by_label("Shared SFTP (SFTP)")).to_be_checked()
    tab_to(page, "[name=name]")
    page.keyboard.type("Churn by keyboard")
    tab_to(page, "[name=segments]")
    page.keyboard.press(" ")
    tab_to(page, "[name=fields]")
    page.keyboard.press(" ")
    tab_to(page, "[name=schedule]")
    page.keyboard.press(" ")  # the first: with every system refresh
    tab_to_named(page, "button", "Save")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/exports/$"))
    expect_message(page, "Export “Churn by keyboard” was added.")
    assert Export.objects.get().connection_id == shared.pk


def test_admin_edits_and_shares_a_connection_with_the_keyboard_alone(signed_in, make_user):
    """Edit from the row's menu: rename, share with contributors by arrows, Enter on Save."""
    connection = ConnectionFactory(display_name="Partner SFTP")
    contributor = make_user(Role.CONTRIBUTOR, "cora")
    page = signed_in(Role.ADMIN)
    pane = dialog(page)
    expect(row(page, "Partner SFTP")).not_to_contain_text("contributors")

    tab_to(page, f"#menu-button-{connection.pk}")
    page.keyboard.press("ArrowDown")  # opens the menu on its first item
    expect(page.get_by_role("menuitem", name="Edit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(pane.get_by_role("heading", name="Edit connection")).to_be_visible()
    expect(pane.get_by_label("Display name")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" (weekly)")
    tab_to(page, "[name=who_can_use]")
    expect(pane.get_by_label("Administrators", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")  # radio group: arrows choose
    expect(pane.get_by_label("Administrators and contributors")).to_be_checked()
    tab_to_named(page, "button", "Save")
    page.keyboard.press("Enter")

    expect(pane).to_be_hidden()
    expect_message(page, "Connection “Partner SFTP (weekly)” was saved.")
    expect(row(page, "Partner SFTP (weekly)")).to_contain_text("Administrators and contributors")
    menu_button = page.get_by_role("button", name="More actions for Partner SFTP (weekly)")
    expect(menu_button).to_be_focused()  # focus returns to the row's ellipsis button
    assert sharing_of(connection).audience is Audience.CONTRIBUTORS
    assert list(usable_connections(contributor, Usage.EXPORT)) == [connection]


def test_admin_sets_up_a_connection_from_a_discover_tile_with_the_keyboard_alone(signed_in):
    """Discover tab by arrows, a tile's Set up, every field typed or chosen with keys."""
    page = signed_in(Role.ADMIN)
    pane = dialog(page)
    tab_to(page, "#tab-connections")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/discover/$"))
    tab_to_named(page, "link", "Set up SFTP")
    page.keyboard.press("Enter")
    expect(pane.get_by_role("heading", name="Set up connection")).to_be_visible()
    expect(pane.get_by_label("Display name")).to_be_focused()
    page.keyboard.type("Partner drop")
    for name, text in [
        ("hostname", "sftp.partner.example.com"),
        ("username", "cdp"),
        ("password", "typed-pass"),
        ("export_folder", "outgoing"),
    ]:
        tab_to(page, f"[name={name}]")
        page.keyboard.type(text)
    tab_to(page, "[name=compression]")
    page.keyboard.press("ArrowDown")  # a closed select: arrows change the choice
    expect(pane.get_by_label("Compression")).to_have_value("unzipped")
    tab_to(page, "[name=consent]")
    expect(pane.get_by_label("I agree")).not_to_be_checked()
    page.keyboard.press(" ")
    expect(pane.get_by_label("I agree")).to_be_checked()
    tab_to_named(page, "button", "Save")
    page.keyboard.press("Enter")

    expect(pane).to_be_hidden()
    expect_message(page, "Connection “Partner drop” was set up.")
    # Set up from a tile lands on the Connections tab, the new row first; the focus on its panel
    expect(page).to_have_url(re.compile(r"/admin/connections/\?sort=-created&created=\d+$"))
    expect(page.locator("#tabpanel")).to_be_focused()
    tab_to(page, "#tab-connections", backwards=True)
    expect(page.get_by_role("tab", name="Connections")).to_have_attribute("aria-selected", "true")
    expect(row(page, "Partner drop")).to_contain_text("SFTP")
    expect(row(page, "Partner drop")).to_contain_text("Administrators")
    connection = Connection.objects.get()
    assert connection.display_name == "Partner drop"
    assert connection.settings["hostname"] == "sftp.partner.example.com"
    assert connection.settings["compression"] == "unzipped"


def test_contributor_reactivates_an_export_with_the_keyboard_alone(signed_in):
    """An export without a connection: its Edit page, a shared connection by arrows, Save."""
    for name in ("Backup SFTP", "New SFTP"):
        set_sharing(ConnectionFactory(display_name=name), Sharing(Audience.CONTRIBUTORS))
    ConnectionFactory(display_name="Admins-only SFTP")
    export = ExportFactory(connection=None, name="Keep me")
    export.segments.add(SegmentFactory())
    page = signed_in(Role.CONTRIBUTOR)
    kept = row(page, "Keep me")
    expect(kept).to_contain_text("No connection")
    expect(kept).to_contain_text("Inactive")

    tab_to_named(page, "link", "Edit Keep me")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit export")
    expect(page.locator(".note")).to_contain_text("no connection")
    tab_to(page, "[name=connection]")  # none is checked: Tab stops on the first radio
    expect(page.get_by_label("Backup SFTP (SFTP)")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("New SFTP (SFTP)")).to_be_checked()
    tab_to_named(page, "button", "Save")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/exports/$"))
    expect_message(page, "Export “Keep me” was reattached to “New SFTP”.")
    expect(kept).to_contain_text("New SFTP (SFTP)")
    expect(kept).to_contain_text("Active")
    expect(kept).not_to_contain_text("Inactive")
    export.refresh_from_db()
    assert export.connection.display_name == "New SFTP"


def test_contributor_activates_an_enrichment_with_the_keyboard_alone(signed_in):
    """An enrichment without a connection: Activate, a connection chosen, Activate."""
    ConnectionFactory(type_key="leadspace", values={"token": "t"}, display_name="New Leadspace")
    enrichment = EnrichmentFactory(
        connection=None, status=EnrichmentStatus.INACTIVE, name="Firmographics"
    )
    page = signed_in(Role.CONTRIBUTOR)
    tab_to_named(page, "link", "Enrichments")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrichments")
    listed = row(page, "Firmographics")
    expect(listed).to_contain_text("No connection")
    expect(listed).to_contain_text("Inactive")

    tab_to_named(page, "link", "Activate Firmographics")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Activate enrichment")
    expect(page.get_by_role("radio")).to_have_count(1)  # only Leadspace connections are offered
    tab_to(page, "[name=connection]")
    page.keyboard.press(" ")
    expect(page.get_by_label("New Leadspace (Leadspace)")).to_be_checked()
    tab_to_named(page, "button", "Activate")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/enrichments/$"))
    expect_message(page, "Enrichment “Firmographics” was activated with “New Leadspace”.")
    expect(listed).to_contain_text("New Leadspace")
    expect(listed).to_contain_text("Active")
    expect(listed).not_to_contain_text("Inactive")
    enrichment.refresh_from_db()
    assert enrichment.connection.display_name == "New Leadspace"


def test_messages_go_to_a_live_region(signed_in):
    page = signed_in(Role.ADMIN)
    # A message that comes with a whole page (after a redirect) is put in the live region
    # again once the page has loaded, so that screen readers announce it.
    page.add_init_script(
        """document.addEventListener('DOMContentLoaded', () => {
          window.announced = [];
          new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(
            n => window.announced.push(n.textContent)))).observe(
              document.getElementById('messages'), {childList: true});
        });"""
    )
    ExportFactory(name="Weekly churn")
    page.goto("/exports/")
    page.get_by_role("button", name="Disconnect selected").click()
    page.wait_for_function("() => (window.announced || []).join().includes('Select at least')")
    messages = page.locator("#messages")
    expect(messages).to_have_attribute("role", "status")
    expect(messages).to_have_attribute("aria-live", "polite")
    pane_status = page.locator("#pane-dialog #pane-status")
    expect(pane_status).to_have_attribute("aria-live", "polite")
    # skip link
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
