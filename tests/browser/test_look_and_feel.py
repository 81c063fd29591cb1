"""Clear states: loading, focus, hover, empty lists with a next step; a narrow screen."""

import re

from playwright.sync_api import expect

from connections_admin.accounts.roles import Role
from connections_admin.connections.models import Connection
from tests.factories import ConnectionFactory, ExportFactory, SegmentFactory

from .helpers import dialog


def test_an_htmx_request_shows_a_loading_state_until_its_answer_is_in(signed_in):
    page = signed_in(Role.ADMIN)
    held = []
    page.route(re.compile(r"/admin/connections/discover/$"), lambda route: held.append(route))
    page.get_by_role("tab", name="Discover").click()
    page.wait_for_function("() => document.documentElement.classList.contains('is-busy')")
    expect(page.locator("#admin-connections")).to_have_attribute("aria-busy", "true")
    bar = page.evaluate("() => getComputedStyle(document.body, '::before').content")
    assert bar not in ("none", "normal"), "no progress bar while loading"
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_role("tab", name="Discover")).to_have_attribute("aria-selected", "true")
    page.wait_for_function("() => !document.documentElement.classList.contains('is-busy')")
    expect(page.locator("#admin-connections")).not_to_have_attribute("aria-busy", "true")


def test_a_pane_form_cannot_be_sent_twice(signed_in):
    page = signed_in(Role.ADMIN)
    page.goto("/admin/connections/discover/")
    page.get_by_role("link", name="Set up SendGrid").click()
    pane = dialog(page)
    pane.get_by_label("Display name").fill("SendGrid newsletters")
    pane.get_by_label("API key").fill("SG.key")
    pane.get_by_label("I agree").check()
    held = []
    page.route(
        re.compile(r"/admin/connections/new/sendgrid/$"),
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    save = pane.get_by_role("button", name="Save", exact=True)
    save.click()
    expect(save).to_be_disabled()  # while the first answer is on its way
    expect(pane.locator("#pane-body")).to_have_attribute("aria-busy", "true")
    assert len(held) == 1
    held[0].continue_()
    expect(pane).to_be_hidden()
    expect(page.locator("#messages")).to_contain_text("was set up")
    assert Connection.objects.count() == 1


def test_the_guided_remove_dialogs_buttons_wait_for_the_answer(signed_in):
    """A form with several buttons: all of the pane's buttons are disabled while it is sent."""
    connection = ConnectionFactory(display_name="Old SFTP")
    segment = SegmentFactory()
    for name in ("Alpha", "Beta"):
        ExportFactory(connection=connection, name=name).segments.add(segment)
    page = signed_in(Role.ADMIN)
    page.get_by_role("button", name="More actions for Old SFTP").click()
    page.get_by_role("menu").get_by_role("menuitem", name="Remove").click()
    pane = dialog(page)
    pane.get_by_role("link", name="See what's using this connection").click()
    expect(pane.get_by_role("heading", name="2 exports use this connection")).to_be_visible()
    held = []
    page.route(
        re.compile(rf"/admin/connections/{connection.pk}/remove/dependants/$"),
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    pane.get_by_role("button", name="Disconnect Alpha").click()
    expect(pane.get_by_role("button", name="Disconnect Beta")).to_be_disabled()
    expect(pane.get_by_role("button", name="Remove selected exports")).to_be_disabled()
    assert len(held) == 1
    held[0].continue_()
    expect(pane.get_by_role("heading", name="1 export uses this connection")).to_be_visible()
    expect(pane.get_by_role("button", name="Disconnect Beta")).to_be_enabled()


def test_a_failed_htmx_request_is_announced_and_clears_the_loading_state(signed_in):
    page = signed_in(Role.ADMIN)
    page.route(
        re.compile(r"/admin/connections/discover/$"),
        lambda route: route.fulfill(status=500, body="boom"),
    )
    page.get_by_role("tab", name="Discover").click()
    expect(page.locator("#messages")).to_contain_text("Something went wrong")
    page.wait_for_function("() => !document.documentElement.classList.contains('is-busy')")
    expect(page.get_by_role("tab", name="Connections")).to_have_attribute("aria-selected", "true")


def test_focus_is_always_visible(signed_in):
    ConnectionFactory(display_name="Partner SFTP")
    page = signed_in(Role.ADMIN)
    outlines = []
    for _ in range(12):
        page.keyboard.press("Tab")
        outlines.append(
            page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [document.activeElement.outerHTML.slice(0, 60), s.outlineStyle,"
                " s.outlineWidth]; }"
            )
        )
    invisible = [o for o in outlines if o[1] == "none" or o[2] == "0px"]
    assert not invisible, invisible


def test_empty_lists_say_what_to_do_next(signed_in):
    admin = signed_in(Role.ADMIN)
    empty = admin.locator(".empty")
    expect(empty).to_contain_text("There are no connections yet")
    empty.get_by_role("link", name="Discover").click()
    expect(admin).to_have_url(re.compile(r"/discover/$"))
    expect(admin.get_by_role("tab", name="Discover")).to_have_attribute("aria-selected", "true")

    contributor = signed_in(Role.CONTRIBUTOR)
    contributor.locator(".empty").get_by_role("link", name="Add the first one.").click()
    expect(contributor.get_by_role("heading", level=1)).to_have_text("Add export")
    expect(contributor.locator("#connection-options")).to_contain_text(
        "Ask an administrator to share one."
    )
    contributor.goto("/enrichments/")
    contributor.locator(".empty").get_by_role("link", name="Add the first one.").click()
    expect(contributor.get_by_role("heading", level=1)).to_have_text("Add enrichment")

    viewer = signed_in(Role.VIEWER)
    expect(viewer.locator(".empty")).to_contain_text("There are no exports yet.")
    expect(viewer.locator(".empty").get_by_role("link")).to_have_count(0)


def test_usable_on_a_narrow_screen(signed_in):
    """On a phone the page never scrolls sideways (wide tables scroll in their own box)."""
    segment = SegmentFactory()
    connection = ConnectionFactory(display_name="SFTP: partner drop for the weekly churn list")
    for n in range(3):
        ExportFactory(connection=connection, name=f"Weekly churn list {n}").segments.add(segment)
    page = signed_in(Role.ADMIN, viewport={"width": 360, "height": 740})
    overflow = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    problems = []
    for url in [
        "/admin/connections/",
        "/admin/connections/discover/",
        "/exports/",
        "/exports/new/",
        "/enrichments/",
        "/admin/activity/",
        f"/admin/connections/{connection.pk}/remove/dependants/",
    ]:
        page.goto(url)
        if page.evaluate(overflow) > 0:
            problems.append(f"{url} is {page.evaluate(overflow)}px too wide")
    page.goto("/admin/connections/")
    page.get_by_role("button", name=re.compile("More actions for")).click()
    menu_box = page.get_by_role("menu").bounding_box()
    if menu_box["x"] < 0 or menu_box["x"] + menu_box["width"] > 360:
        problems.append(f"the ellipsis menu does not fit: {menu_box}")
    page.keyboard.press("Escape")
    page.get_by_role("link", name="Add connection").click()
    pane = dialog(page)
    pane.get_by_role("link", name="SFTP", exact=True).click()
    expect(pane.get_by_label("Display name")).to_be_visible()
    box = pane.bounding_box()
    if box["x"] < 0 or box["x"] + box["width"] > 360:
        problems.append(f"the pane dialog does not fit: {box}")
    width = pane.evaluate("el => el.scrollWidth - el.clientWidth")
    if width > 0:
        problems.append(f"the pane scrolls sideways by {width}px")
    assert not problems, "\n".join(problems)


def _menu_fully_visible(page, name: str) -> bool:
    """Every item of the row's open menu is inside the viewport and not clipped by the
    scrolling box around the table (the item at its centre is the item itself)."""
    page.get_by_role("button", name=f"More actions for {name}", exact=True).click()
    items = page.get_by_role("menu").get_by_role("menuitem")
    expect(items.first).to_be_visible()
    return all(
        items.nth(i).evaluate(
            """el => { const r = el.getBoundingClientRect();
                       const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                       return hit === el || el.contains(hit); }"""
        )
        for i in range(items.count())
    )


def test_the_last_rows_menu_is_not_cut_off_by_the_table(signed_in):
    for n in range(3):
        ConnectionFactory(display_name=f"SFTP {n}")
    for n, viewport in enumerate(({"width": 1280, "height": 900}, {"width": 360, "height": 740})):
        page = signed_in(Role.ADMIN, f"admin-{n}", viewport=viewport)
        page.locator("tbody tr").last.scroll_into_view_if_needed()
        assert _menu_fully_visible(page, "SFTP 2"), f"menu cut off at {viewport}"
