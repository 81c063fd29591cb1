"""Render the console's main screens in Chromium and save them as docs/screenshots/*.png.

Run it with ``make screenshots`` (or ``.venv/bin/python docs/make_screenshots.py``). It
needs nothing but the virtualenv, the compiled catalogs and Debian's Chromium, found and
launched as the browser tests do (``tests/browser/chromium.py``); it never downloads a browser.

Everything happens in a temporary directory: a fresh SQLite database, migrated and filled
with ``seed_demo`` (users admin, contributor and viewer with a random password), served by
``manage.py runserver`` on a free port of 127.0.0.1 with the local settings. Playwright
drives Chromium through the real sign-in form, the tabs, menus and panes, waiting for
htmx to settle (``<html class="is-busy">`` is gone) before each picture.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import shutil
import subprocess  # noqa: S404 (runs our own manage.py, no shell)
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench.serving import ServerFailed, serving  # noqa: E402 (shared with bench/, tests/load/)
from tests.browser import chromium  # noqa: E402 (the same launch as the browser tests)

OUT_DIR = BASE_DIR / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}
MAX_DIALOG_HEIGHT = 2400  # the window is made this tall at most to show a whole dialog
TIMEOUT_MS = 15_000
SERVER_START_SECONDS = 60

# seed_demo's data this script relies on
AZURE_BLOB = "Azure Blob: analytics landing zone"  # first row; one export uses it
SHARED_SFTP = "SFTP: partner drop for weekly lists"  # shared with contributors


class Failed(Exception):
    """A step could not be done; the message says which and why."""


def fail(message: str) -> None:
    print(f"make_screenshots: {message}", file=sys.stderr)
    sys.exit(1)


def manage(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "manage.py", *args]
    shown = " ".join(a if not a.startswith("pw-") else "***" for a in args)
    result = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise Failed(
            f"`manage.py {shown}` exited with {result.returncode}:\n"
            f"{result.stdout[-2000:]}{result.stderr[-4000:]}"
        )


class Shooter:
    """Drives the pages and writes the pictures."""

    def __init__(self, browser, base_url: str, password: str, out_dir: Path):
        from playwright.sync_api import expect

        self.expect = expect
        self.browser = browser
        self.base_url = base_url
        self.password = password
        self.out_dir = out_dir
        self.taken: list[Path] = []

    def context(self, **options):
        options.setdefault("viewport", VIEWPORT)
        options.setdefault("device_scale_factor", 1)
        options.setdefault("locale", "en-US")
        options.setdefault("timezone_id", "UTC")
        options.setdefault("color_scheme", "light")
        options.setdefault("reduced_motion", "reduce")
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        return context

    def signed_in(self, username: str, **options):
        page = self.context(**options).new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(self.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
        self.settled(page)
        return page

    def settled(self, page) -> None:
        """No htmx request under way (console.js sets html.is-busy during each one)."""
        page.wait_for_load_state("load")
        self.expect(page.locator("html")).not_to_have_class(re.compile(r"(^|\s)is-busy(\s|$)"))

    def shot(self, page, name: str, *, full_page: bool = True) -> None:
        self.settled(page)
        page.evaluate("() => document.fonts.ready")
        path = self.out_dir / name
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        self.taken.append(path)
        print(f"captured {name}", flush=True)

    def dialog(self, page):
        pane = page.locator("#pane-dialog")
        self.expect(pane).to_be_visible()
        return pane

    def dialog_shot(self, page, name: str) -> None:
        """The open pane dialog over the top of the page, the window made tall enough for
        the whole pane (the dialog is at most 92% of the window high, then scrolls)."""
        self.settled(page)
        page.evaluate("() => window.scrollTo(0, 0)")
        needed = page.locator("#pane-dialog").evaluate("el => el.scrollHeight")
        height = max(VIEWPORT["height"], min(MAX_DIALOG_HEIGHT, math.ceil(needed / 0.92) + 16))
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        try:
            self.shot(page, name, full_page=False)
        finally:
            page.set_viewport_size(VIEWPORT)

    def close_dialog(self, page) -> None:
        page.keyboard.press("Escape")
        self.expect(page.locator("#pane-dialog")).to_be_hidden()

    # the screens --------------------------------------------------------------------

    def admin_screens(self) -> None:
        expect = self.expect
        page = self.signed_in("admin")
        page.goto("/admin/connections/")
        expect(page.get_by_role("rowheader", name=SHARED_SFTP, exact=True)).to_be_visible()
        self.shot(page, "01-connections.png")

        page.get_by_role("button", name=f"More actions for {AZURE_BLOB}", exact=True).click()
        menu = page.get_by_role("menu")
        expect(menu.get_by_role("menuitem", name="History")).to_be_visible()
        self.shot(page, "02-row-menu.png")

        menu.get_by_role("menuitem", name="Edit").click()
        pane = self.dialog(page)
        expect(pane.get_by_role("heading", name="Edit connection")).to_be_visible()
        self.dialog_shot(page, "03-edit-connection.png")
        self.close_dialog(page)

        page.get_by_role("tab", name="Discover").click()
        expect(page).to_have_url(re.compile(r"/admin/connections/discover/$"))
        expect(page.get_by_role("heading", name="Marketo")).to_be_visible()
        self.shot(page, "04-discover.png")

        page.get_by_role("link", name="Set up Leadspace", exact=True).click()
        pane = self.dialog(page)
        expect(pane.get_by_role("heading", name="Set up connection")).to_be_visible()
        self.dialog_shot(page, "05-set-up-connection.png")
        self.close_dialog(page)

        page.get_by_role("tab", name="Connections").click()
        expect(page).to_have_url(re.compile(r"/admin/connections/$"))
        page.get_by_role("button", name=f"More actions for {AZURE_BLOB}", exact=True).click()
        page.get_by_role("menu").get_by_role("menuitem", name="Remove").click()
        pane = self.dialog(page)
        expect(pane.get_by_role("heading", name="Remove connection")).to_be_visible()
        expect(pane).to_contain_text("can't be removed yet")
        self.dialog_shot(page, "06-remove-blocked.png")
        pane.get_by_role("link", name="See what's using this connection").click()
        expect(pane.get_by_role("heading", name="1 export uses this connection")).to_be_visible()
        self.dialog_shot(page, "07-remove-dependants.png")
        self.close_dialog(page)

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Activity"))
        self.shot(page, "08-activity.png")
        page.context.close()

    def contributor_screens(self) -> None:
        expect = self.expect
        page = self.signed_in("contributor")
        expect(page).to_have_url(re.compile(r"/exports/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Exports")
        self.shot(page, "09-exports.png")

        page.get_by_role("link", name="Add export").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add export")
        picker = page.get_by_role("group", name="Connection for export")
        expect(picker.get_by_role("radio")).to_have_count(2)
        page.get_by_label("Find a connection by name or type").press_sequentially("SFTP")
        expect(picker.get_by_role("radio")).to_have_count(1)
        expect(picker).to_contain_text(SHARED_SFTP)
        page.evaluate("() => document.activeElement.blur()")  # no focus ring in the picture
        self.shot(page, "10-add-export-search.png")
        page.context.close()

    def kazakh_screen(self) -> None:
        expect = self.expect
        page = self.signed_in("admin")
        page.goto("/admin/connections/")
        switcher = page.locator("form.language-switcher")
        switcher.get_by_label("Language").select_option("kk")
        switcher.get_by_role("button").click()
        expect(page.locator("html")).to_have_attribute("lang", "kk")
        expect(page.get_by_role("heading", level=1)).to_have_text("Қосылымдар")
        self.shot(page, "11-connections-kazakh.png")
        page.context.close()

    def narrow_screen(self) -> None:
        page = self.signed_in("admin", viewport=NARROW)
        page.goto("/admin/connections/")
        self.expect(page.get_by_role("rowheader", name=SHARED_SFTP, exact=True)).to_be_visible()
        self.shot(page, "12-connections-narrow.png")
        page.context.close()


def take_screenshots(base_url: str, password: str, out_dir: Path) -> list[Path]:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        raise Failed("Playwright is not installed: run `make install` first.") from None

    expect.set_options(timeout=TIMEOUT_MS)
    steps: list[tuple[str, Callable[[Shooter], None]]] = [
        ("admin screens", Shooter.admin_screens),
        ("contributor screens", Shooter.contributor_screens),
        ("Kazakh screen", Shooter.kazakh_screen),
        ("narrow screen", Shooter.narrow_screen),
    ]
    with sync_playwright() as playwright:
        try:
            browser = chromium.launch(playwright)
        except PlaywrightError as error:
            raise Failed(f"Chromium at {chromium.CHROMIUM} did not start: {error}") from None
        try:
            shooter = Shooter(browser, base_url, password, out_dir)
            for what, step in steps:
                try:
                    step(shooter)
                except (PlaywrightError, AssertionError) as error:
                    raise Failed(f"the {what} failed: {error}") from None
            return shooter.taken
        finally:
            browser.close()


@contextmanager
def demo_server() -> Iterator[tuple[str, str]]:
    """A throwaway console with seed_demo's data: yields (base URL, the users' password)."""
    password = "pw-" + secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="connections-screenshots-") as tmp:
        env = dict(os.environ)
        # a throwaway database and keys, whatever this shell points at
        for name in ("DATABASE_URL", "ALLOWED_HOSTS", "SECRET_KEY", "CONNECTIONS_SECRET_KEYS"):
            env.pop(name, None)
        env.update(
            CONNECTIONS_VAR_DIR=tmp,
            DJANGO_SETTINGS_MODULE="connections_admin.settings.local",
            DEBUG="1",
            PYTHONUNBUFFERED="1",
        )
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo", "--password", password)

        def runserver(port: int) -> list[str]:
            return [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]

        with serving(
            runserver,
            cwd=BASE_DIR,
            env=env,
            log=Path(tmp) / "runserver.log",
            timeout=SERVER_START_SECONDS,
        ) as server:
            yield server.base_url, password


def main() -> None:
    if chromium.missing():
        fail(
            f"Chromium not found at {chromium.CHROMIUM}: install it (`make chromium`, i.e. "
            "apt-get install chromium) or set CHROMIUM_PATH."
        )
    started = time.monotonic()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="connections-shots-") as staging,
            demo_server() as (base_url, password),
        ):
            # pictures go to a staging folder first: a failed run leaves the old set alone
            taken = take_screenshots(base_url, password, Path(staging))
            OUT_DIR.mkdir(parents=True, exist_ok=True)
            for old in OUT_DIR.glob("*.png"):
                old.unlink()
            for path in taken:
                target = OUT_DIR / path.name
                shutil.move(path, target)
                print(f"wrote {target.relative_to(BASE_DIR)} ({target.stat().st_size // 1024} KB)")
    except Failed as error:
        fail(str(error))
    except ServerFailed as error:
        fail(f"runserver: {error}")
    print(
        f"{len(taken)} screenshots in {OUT_DIR.relative_to(BASE_DIR)}/ "
        f"in {time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
