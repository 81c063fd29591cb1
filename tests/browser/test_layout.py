"""Layout at a desktop width and on a phone, in English and in Kazakh (issue 13, items 3 and 4).

Every page of the console, for each role that sees it, with realistic data (long Kazakh
names, the "Inactive" badge, runs with failure reasons):

- the page never scrolls sideways; a table wider than its box scrolls inside that box,
  which is then a keyboard-reachable, named region;
- badges stay on one line;
- a data row's name and its actions are on screen together (the name column and the
  actions column stay in view while the table scrolls);
- on a phone the header is compact;
- the buttons of the guided Remove dialog show their whole text.

The checks read the page's geometry, not its words, so they hold in either language.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from connections_admin.accounts.roles import Role
from connections_admin.connections.sharing import Audience, Sharing, set_sharing
from connections_admin.enrichments.models import EnrichmentStatus
from connections_admin.exports.models import Export, ExportRun, RunStatus, RunTrigger
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory, SegmentFactory

from .helpers import dialog, settled

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# At most this tall on a phone: the header must leave the screen to the page.
PHONE_HEADER_MAX = 100
# Set LAYOUT_SHOTS=/some/dir to keep a screenshot of every page checked.
SHOTS = os.environ.get("LAYOUT_SHOTS")

SFTP_NAME = "SFTP: серіктестің апта сайынғы тізімдеріне арналған қалтасы (Алматы филиалы)"
AZURE_NAME = "SFTP: маркетинг бөлімінің ай сайынғы есептеріне арналған контейнер"
LEADSPACE_NAME = "Leadspace: клиенттер профильдерін компания деректерімен байыту қосылымы"
EXPORT_NAMES = [
    "Апта сайынғы кету қаупі бар клиенттер тізімі (Солтүстік Қазақстан облысы)",
    "Жоғары құнды клиенттерге арналған ай сайынғы жеңілдік ұсыныстары",
    "Жаңа тіркелген клиенттерді қарсы алу хаттарының тізімі",
]
ENRICHMENT_NAMES = [
    "Компания деректерімен байыту: барлық белсенді B2B клиенттер",
    "Мекенжайларды геокодтау (Астана және Алматы қалалары)",
    "Белсенді емес байыту: бұрынғы серіктестің деректері",
]


def _seed() -> dict:
    """Realistic data: long Kazakh names, shared and unshared connections, inactive
    exports and enrichments ("Белсенді емес"), runs that failed with a reason."""
    segment = SegmentFactory(name="Кету қаупі бар клиенттер (соңғы 90 күн)")
    sftp = ConnectionFactory(display_name=SFTP_NAME)
    set_sharing(sftp, Sharing(Audience.CONTRIBUTORS))
    azure = ConnectionFactory(display_name=AZURE_NAME)
    leadspace = ConnectionFactory(
        display_name=LEADSPACE_NAME, type_key="leadspace", values={"token": "factory-token"}
    )
    exports = []
    for n, name in enumerate(EXPORT_NAMES):
        export = ExportFactory(name=name, connection=sftp if n < 2 else azure)
        export.segments.add(segment)
        exports.append(export)
    inactive = ExportFactory(name="Тоқтатылған экспорт: бұрынғы серіктеске жіберу", connection=None)
    inactive.segments.add(segment)
    now = timezone.now()
    for n in range(4):
        run = ExportRun.objects.create(
            export=exports[0],
            connection=sftp,
            trigger=RunTrigger.SCHEDULE if n else RunTrigger.MANUAL,
            status=RunStatus.FAILED if n % 2 else RunStatus.SUCCEEDED,
            failure="timed_out" if n % 2 else "",
            queued_at=now - datetime.timedelta(days=n),
            started_at=now - datetime.timedelta(days=n),
            finished_at=now - datetime.timedelta(days=n) + datetime.timedelta(minutes=3),
            rows=1_234_567,
            bytes=98_765_432,
            files=3,
            attempt=3,
            snapshot={"export_name": exports[0].name},
        )
    Export.objects.filter(pk=exports[0].pk).update(
        last_run=run, last_run_at=run.queued_at, failing_since=now - datetime.timedelta(days=2)
    )
    for n, name in enumerate(ENRICHMENT_NAMES):
        inactive_one = n == len(ENRICHMENT_NAMES) - 1
        EnrichmentFactory(
            name=name,
            connection=None if inactive_one else leadspace,
            status=EnrichmentStatus.INACTIVE if inactive_one else EnrichmentStatus.ACTIVE,
            segment=segment if n == 0 else None,
        )
    return {"sftp": sftp, "export": exports[0]}


# The check itself: layout_check.js (one function, evaluated in the page).
CHECK = (Path(__file__).parent / "layout_check.js").read_text()


def _problems(page: Page, what: str, *, scope: str | None = None) -> list[str]:
    settled(page)
    phone = page.viewport_size["width"] < 600
    found = page.evaluate(CHECK, {"scope": scope, "phone": phone, "headerMax": PHONE_HEADER_MAX})
    if SHOTS:
        lang = page.evaluate("() => document.documentElement.lang")
        slug = "".join(c if c.isalnum() else "-" for c in what).strip("-")
        page.screenshot(
            path=os.path.join(SHOTS, f"{page.viewport_size['width']}-{lang}-{slug}.png"),
            full_page=scope is None,
        )
    return [f"{what}: {problem}" for problem in found]


def _choose_language(page: Page, language: str) -> None:
    if language == "en":
        return
    page.locator("#language-select").select_option(language)
    page.locator(".language-switcher [type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def _check_pages(page: Page, urls: dict[str, str]) -> list[str]:
    problems = []
    for what, url in urls.items():
        page.goto(url)
        problems += _problems(page, what)
    return problems


def _check_row_menus(page: Page) -> list[str]:
    """Each row's ellipsis menu, opened, shows all of its items: the table's scrolling box
    does not cut it off, whichever row it belongs to, even in a table of one row."""
    problems = []
    for url in ("/admin/connections/", "/admin/connections/?q=Leadspace"):
        page.goto(url)
        problems += _check_menus_of(page, url)
    return problems


def _check_menus_of(page: Page, url: str) -> list[str]:
    problems = []
    buttons = page.locator(".menu-button")
    for i in range(buttons.count()):
        button = buttons.nth(i)
        button.scroll_into_view_if_needed()
        button.click()
        items = page.get_by_role("menu").get_by_role("menuitem")
        expect(items.first).to_be_visible()
        for j in range(items.count()):
            hidden = items.nth(j).evaluate(
                """el => { const r = el.getBoundingClientRect();
                  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                  return !(hit === el || el.contains(hit)); }"""
            )
            if hidden:
                problems.append(f"{url}: row {i + 1}'s menu item {j + 1} is cut off or hidden")
        page.keyboard.press("Escape")
    return problems


def _check_remove_dialog(page: Page, connection) -> list[str]:
    """The guided Remove dialog of a connection in use, opened as a user does."""
    page.goto("/admin/connections/")
    page.locator(f"#menu-button-{connection.pk}").click()
    page.locator(f"#menu-{connection.pk} a[href$='/remove/']").click()
    pane = dialog(page)
    expect(pane).to_be_visible()
    problems = _problems(page, "Remove dialog", scope="#pane-dialog")
    pane.locator("a[href$='/remove/dependants/']").click()
    expect(pane.locator(".dependants")).to_be_visible()
    return problems + _problems(page, "guided Remove dialog", scope="#pane-dialog")


@pytest.mark.parametrize("language", ["en", "kk"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_pages_fit_the_window_and_tables_scroll_in_their_own_box(signed_in, viewport, language):
    data = _seed()
    export = data["export"]
    admin = signed_in(Role.ADMIN, "aigerim.seitkaliyeva", viewport=viewport)
    _choose_language(admin, language)
    problems = _check_pages(
        admin,
        {
            "Connections": "/admin/connections/",
            "Discover": "/admin/connections/discover/",
            "Exports": "/exports/",
            "Enrichments": "/enrichments/",
            "Activity": "/admin/activity/",
            "Runs": f"/exports/{export.pk}/runs/",
            "Add export": "/exports/new/",
            "Edit export": f"/exports/{export.pk}/edit/",
        },
    )
    problems += _check_row_menus(admin)
    problems += _check_remove_dialog(admin, data["sftp"])

    contributor = signed_in(Role.CONTRIBUTOR, "nurlan.contributor", viewport=viewport)
    _choose_language(contributor, language)
    problems += [
        f"(contributor) {problem}"
        for problem in _check_pages(
            contributor,
            {
                "Exports": "/exports/",
                "Enrichments": "/enrichments/",
                "Runs": f"/exports/{export.pk}/runs/",
                "Add export": "/exports/new/",
                "Edit export": f"/exports/{export.pk}/edit/",
            },
        )
    ]
    assert not problems, "\n".join(problems)
