"""Flows of issue 13 in the browser: Set up from Discover, Activate, sharing, the export form."""

import re

from playwright.sync_api import expect

from connections_admin.accounts.roles import Role
from connections_admin.connections.models import Connection
from connections_admin.connections.sharing import Audience, Sharing, set_sharing, sharing_of
from connections_admin.enrichments.models import Enrichment, EnrichmentStatus
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory, SegmentFactory

from .helpers import dialog, expect_message, row, settled


def test_set_up_from_a_discover_tile_lands_on_the_new_row(signed_in):
    for i in range(60):  # enough rows that a new one sorted by name would be on a later page
        ConnectionFactory(display_name=f"Aaa older {i:02d}")
    page = signed_in(Role.ADMIN)
    page.goto("/admin/connections/discover/")
    tile = page.get_by_role("link", name="Set up HERE Technologies")
    tile.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 300
    tile.click()
    pane = dialog(page)
    pane.get_by_label("Display name").fill("HERE geocoding")
    pane.get_by_label("API key").fill("here-key")
    pane.get_by_label("I agree").check()
    pane.get_by_role("button", name="Save", exact=True).click()

    expect(pane).to_be_hidden()
    new = Connection.objects.get(display_name="HERE geocoding")
    expect(page).to_have_url(re.compile(rf"/admin/connections/\?sort=-created&created={new.pk}$"))
    expect(page.get_by_role("tab", name="Connections")).to_have_attribute("aria-selected", "true")
    marked = row(page, "HERE geocoding")
    expect(marked).to_have_attribute("aria-current", "true")
    expect(marked).to_have_class("row-created")
    expect(marked).to_contain_text("Just set up")
    expect(page.locator("tbody tr").first).to_have_attribute("aria-current", "true")
    expect_message(page, "Connection “HERE geocoding” was set up.")
    settled(page)
    assert page.evaluate("window.scrollY") == 0
    top = marked.bounding_box()
    assert top and top["y"] + top["height"] <= page.viewport_size["height"]  # in view
    # the tint is visible: another background than a plain row's
    plain = page.locator("tbody tr").nth(1)
    color = "el => getComputedStyle(el.querySelector('td')).backgroundColor"
    assert marked.evaluate(color) != plain.evaluate(color)


def test_set_up_without_javascript_lands_on_the_new_row(new_context, make_user):
    from .helpers import sign_in

    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, make_user(Role.ADMIN, "nojs-admin"))
    page.goto("/admin/connections/discover/")
    page.get_by_role("link", name="Set up HERE Technologies").click()
    page.get_by_label("Display name").fill("HERE geocoding")
    page.get_by_label("API key").fill("here-key")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Save", exact=True).click()
    new = Connection.objects.get()
    expect(page).to_have_url(re.compile(rf"\?sort=-created&created={new.pk}#connection-{new.pk}$"))
    expect(row(page, "HERE geocoding")).to_have_attribute("aria-current", "true")
    expect_message(page, "Connection “HERE geocoding” was set up.")


def test_activate_offers_the_connection_it_had(signed_in):
    old = ConnectionFactory(type_key="leadspace", values={"token": "t"}, display_name="Old lead")
    ConnectionFactory(type_key="leadspace", values={"token": "t"}, display_name="Another lead")
    enrichment = EnrichmentFactory(connection=old, name="Firmographics")
    page = signed_in(Role.CONTRIBUTOR)
    page.goto("/enrichments/")
    row(page, "Firmographics").get_by_role("link", name="Deactivate Firmographics").click()
    page.get_by_role("button", name="Deactivate").click()
    expect(row(page, "Firmographics")).to_contain_text("Inactive")
    row(page, "Firmographics").get_by_role("link", name="Activate Firmographics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activate enrichment")
    expect(page.get_by_label("Old lead (Leadspace)")).to_be_checked()
    expect(page.get_by_role("radio").first).to_have_accessible_name("Old lead (Leadspace)")
    page.get_by_role("button", name="Activate").click()
    expect_message(page, "Enrichment “Firmographics” was activated with “Old lead”.")
    expect(row(page, "Firmographics")).to_contain_text("Active")
    enrichment.refresh_from_db()
    assert enrichment.connection_id == old.pk


def test_activate_without_a_connection_of_its_type_leads_admins_to_its_tile(signed_in):
    EnrichmentFactory(
        connection=None, status=EnrichmentStatus.INACTIVE, name="Geo", type_key="azure_maps"
    )
    page = signed_in(Role.ADMIN)
    page.goto("/enrichments/")
    row(page, "Geo").get_by_role("link", name="Activate Geo").click()
    expect(page.locator("#no-connection")).to_contain_text("There is no Azure Maps connection yet.")
    expect(page.get_by_role("button", name="Activate")).to_have_count(0)
    page.get_by_role("link", name="Set up Azure Maps on the Discover tab").click()
    expect(page).to_have_url(re.compile(r"/admin/connections/discover/#set-up-azure_maps$"))
    tile = page.get_by_role("link", name="Set up Azure Maps")
    expect(tile).to_be_in_viewport()
    assert Enrichment.objects.get().connection_id is None


def test_sharing_lists_show_for_the_chosen_audience_and_filter(signed_in, make_user):
    names = ["Aigerim", "Dana", "Yerlan", "Zhanna"]
    people = []
    for name in names:
        user = make_user(Role.CONTRIBUTOR, name.lower())
        user.first_name = name
        user.save()
        people.append(user)
    connection = ConnectionFactory(display_name="Partner SFTP")
    page = signed_in(Role.ADMIN)
    page.get_by_role("button", name="More actions for Partner SFTP").click()
    page.get_by_role("menuitem", name="Edit").click()
    pane = dialog(page)
    contributors = pane.get_by_role("group", name="Chosen contributors")
    expect(contributors).to_be_hidden()  # "Administrators" is chosen
    pane.get_by_label("Administrators and chosen users or groups").check()
    expect(contributors).to_be_visible()
    expect(pane.get_by_role("group", name="Chosen groups")).to_contain_text(
        "There are no groups yet."
    )
    # several without Ctrl-click: tick boxes; the filter narrows the list as you type
    contributors.get_by_label("aigerim").check()
    contributors.get_by_role("searchbox", name="Filter contributors").fill("yer")
    expect(contributors.get_by_role("checkbox")).to_have_count(1)
    expect(contributors.get_by_label("aigerim")).to_be_hidden()
    contributors.get_by_role("checkbox", name="yerlan").check()
    contributors.get_by_role("searchbox", name="Filter contributors").press("Enter")  # filters only
    expect(pane).to_be_visible()
    contributors.get_by_role("searchbox", name="Filter contributors").fill("")
    expect(contributors.get_by_role("checkbox")).to_have_count(4)
    pane.get_by_role("button", name="Save", exact=True).click()
    expect(pane).to_be_hidden()
    sharing = sharing_of(connection)
    assert sharing.audience is Audience.CHOSEN
    assert {u.username for u in sharing.users} == {"aigerim", "yerlan"}
    expect(row(page, "Partner SFTP")).to_contain_text("Aigerim and Yerlan")


def test_sharing_without_javascript_shows_every_list(new_context, make_user):
    from .helpers import sign_in

    make_user(Role.CONTRIBUTOR, "aigerim")
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, make_user(Role.ADMIN, "nojs-admin"))
    page.goto("/admin/connections/new/sftp/")
    expect(page.get_by_role("group", name="Chosen contributors")).to_be_visible()
    expect(page.get_by_label("aigerim")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Filter contributors")).to_be_hidden()
    expect(page.get_by_text("are used only with")).to_be_visible()


def test_export_form_search_and_schedule(signed_in):
    for name in ("Partner drop", "Partner lake", "Warehouse"):
        set_sharing(ConnectionFactory(display_name=name), Sharing(Audience.CONTRIBUTORS))
    SegmentFactory(name="Churn risk")
    page = signed_in(Role.CONTRIBUTOR)
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto("/exports/new/")

    # the search: no htmx error on each keystroke, and only the count is announced
    search = page.get_by_label("Find a connection by name or type")
    search.press_sequentially("Partner", delay=30)
    count = page.locator("#connection-count")
    expect(count).to_have_attribute("role", "status")
    expect(count).to_have_text("2 connections found")
    expect(page.locator("#connection-options")).not_to_have_attribute("aria-live", re.compile(".*"))
    page.get_by_label("Partner lake (SFTP)").check()
    search.fill("Ware")
    expect(count).to_have_text("1 connection found")
    expect(page.get_by_label("Partner lake (SFTP)")).to_be_checked()  # kept while searching
    assert not [e for e in errors if "returned no matches" in e], errors

    # the schedule: one legend, and time and day only where used
    schedule = page.get_by_role("group", name="Schedule", exact=True)
    time = page.get_by_label(re.compile(r"^At \(time"))
    day = page.get_by_label("On:", exact=True)
    expect(page.get_by_text("The time is used by daily")).to_be_hidden()
    expect(time).to_be_hidden()
    expect(day).to_be_hidden()
    for choice, time_shown, day_shown in [
        ("Hourly", False, False),
        ("Daily", True, False),
        ("Weekly", True, True),
        ("With every system refresh", False, False),
    ]:
        schedule.get_by_label(choice).check()
        (expect(time).to_be_visible if time_shown else expect(time).to_be_hidden)()
        (expect(day).to_be_visible if day_shown else expect(day).to_be_hidden)()


def test_export_form_without_javascript_shows_time_and_day_with_a_hint(new_context, make_user):
    from .helpers import sign_in

    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, make_user(Role.CONTRIBUTOR, "nojs-contributor"))
    page.goto("/exports/new/")
    expect(page.get_by_text("The time is used by daily and weekly schedules")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^At \(time"))).to_be_visible()
    expect(page.get_by_label("On:", exact=True)).to_be_visible()


def test_new_pages_and_states_pass_axe(signed_in, make_user):
    from .helpers import AxeChecker

    for name in ("Aigerim", "Dana"):
        make_user(Role.CONTRIBUTOR, name.lower())
    private = ConnectionFactory(display_name="Private SFTP")
    export = ExportFactory(connection=private, name="Admin's export")
    lead = ConnectionFactory(type_key="leadspace", values={"token": "t"}, display_name="Lead")
    remembered = EnrichmentFactory(connection=None, status=EnrichmentStatus.INACTIVE, name="Firmo")
    remembered.last_connection = lead
    remembered.save()
    none = EnrichmentFactory(
        connection=None, status=EnrichmentStatus.INACTIVE, name="Geo", type_key="azure_maps"
    )

    check = AxeChecker("contributor")
    page = signed_in(Role.CONTRIBUTOR)
    page.goto(f"/exports/{export.pk}/")
    check(page, "Export View page")
    page.goto(f"/enrichments/{remembered.pk}/activate/")
    check(page, "Activate, its last connection chosen")
    page.goto(f"/enrichments/{none.pk}/activate/")
    check(page, "Activate, no connection of its type")
    check.assert_clean()

    check = AxeChecker("admin")
    page = signed_in(Role.ADMIN)
    page.goto(f"/admin/connections/?sort=-created&created={private.pk}")
    check(page, "Connections tab, the new row marked")
    page.get_by_role("button", name="More actions for Private SFTP").click()
    page.get_by_role("menuitem", name="Edit").click()
    pane = dialog(page)
    pane.get_by_label("Administrators and chosen users or groups").check()
    expect(pane.get_by_role("group", name="Chosen contributors")).to_be_visible()
    check(page, "Edit pane, sharing with chosen ones", within="#pane-dialog")
    check.assert_clean()
