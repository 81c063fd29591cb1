"""The guided Remove dialog asks before it removes or moves: an alertdialog step in the
same pane, reached and left with the keyboard alone."""

from playwright.sync_api import expect

from connections_admin.accounts.roles import Role
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, ExportFactory, SegmentFactory

from .helpers import dialog, focused, settled
from .test_keyboard import tab_to, tab_to_named


def open_dependants(page, connection):
    pane = dialog(page)
    tab_to(page, f"#menu-button-{connection.pk}")
    page.keyboard.press("ArrowDown")  # opens on Edit
    page.keyboard.press("ArrowDown")  # Verify
    page.keyboard.press("ArrowDown")  # Remove
    page.keyboard.press("Enter")
    tab_to_named(page, "link", "See what's using this connection")
    page.keyboard.press("Enter")
    return pane


def test_remove_asks_first_and_escape_or_back_return_to_the_list(signed_in):
    connection = ConnectionFactory(display_name="Old SFTP")
    segment = SegmentFactory()
    for name in ("Alpha", "Beta", "Gamma"):
        ExportFactory(connection=connection, name=name).segments.add(segment)
    page = signed_in(Role.ADMIN)
    pane = open_dependants(page, connection)
    expect(pane.get_by_role("heading", name="3 exports use this connection")).to_be_visible()

    # the row's Remove: the question takes the focus, and names the export
    tab_to_named(page, "button", "Remove Alpha")
    page.keyboard.press("Enter")
    question = pane.get_by_role("alertdialog", name="Remove 1 export from “Old SFTP”?")
    expect(question).to_be_visible()
    expect(question).to_contain_text("Alpha")
    settled(page)
    assert focused(page)["role"] == "alertdialog", focused(page)
    assert page.evaluate(
        "() => document.activeElement.getAttribute('aria-describedby') === 'confirm-description'"
    )

    # Escape goes back to the list (the pane stays open), nothing removed
    page.keyboard.press("Escape")
    expect(pane.get_by_role("heading", name="3 exports use this connection")).to_be_visible()
    expect(pane).to_be_visible()
    settled(page)
    assert focused(page)["inDialog"], focused(page)
    assert Export.objects.count() == 3

    # Back does too
    tab_to_named(page, "button", "Remove Beta")
    page.keyboard.press("Enter")
    expect(pane.get_by_role("alertdialog")).to_be_visible()
    tab_to_named(page, "link", "Back")
    page.keyboard.press("Enter")
    expect(pane.get_by_role("heading", name="3 exports use this connection")).to_be_visible()
    assert Export.objects.count() == 3

    # select two, Remove selected: asked, then removed on the answer
    tab_to(page, "input[type=checkbox][name=export]")  # Alpha
    page.keyboard.press(" ")
    tab_to(page, "input[type=checkbox][name=export]:not(:checked)")  # Beta
    page.keyboard.press(" ")
    tab_to_named(page, "button", "Remove selected exports")
    page.keyboard.press("Enter")
    question = pane.get_by_role("alertdialog", name="Remove 2 exports from “Old SFTP”?")
    expect(question).to_be_visible()
    settled(page)
    assert focused(page)["role"] == "alertdialog"
    tab_to_named(page, "button", "Remove")
    page.keyboard.press("Enter")
    expect(pane.get_by_role("heading", name="1 export uses this connection")).to_be_visible()
    expect(pane.locator("#pane-status")).to_contain_text(
        "2 exports were removed from “Old SFTP”: Alpha, Beta."
    )
    assert list(Export.objects.values_list("name", flat=True)) == ["Gamma"]


def test_move_asks_where_and_moves_them(signed_in):
    connection = ConnectionFactory(display_name="Old SFTP")
    target = ConnectionFactory(display_name="New SFTP")
    ExportFactory(connection=connection, name="Alpha")
    page = signed_in(Role.ADMIN)
    pane = open_dependants(page, connection)
    expect(pane.get_by_role("heading", name="1 export uses this connection")).to_be_visible()
    tab_to(page, "input[type=checkbox][name=export]")
    page.keyboard.press(" ")
    expect(pane.get_by_label("Move to", exact=True)).to_have_value(str(target.pk))
    tab_to_named(page, "button", "Move selected exports")
    page.keyboard.press("Enter")
    question = pane.get_by_role("alertdialog", name="Move 1 export to “New SFTP”?")
    expect(question).to_be_visible()
    tab_to_named(page, "button", "Move")
    page.keyboard.press("Enter")
    expect(pane).to_contain_text("Nothing uses this connection any more")
    expect(pane.locator("#pane-status")).to_contain_text(
        "1 export was moved from “Old SFTP” to “New SFTP”: Alpha."
    )
    assert Export.objects.get().connection_id == target.pk
