"""Browser tests: Playwright for Python driving Debian's Chromium against the live server.

Every test in this folder is marked ``browser``. They are skipped, with the reason,
when Chromium is missing and ``CI`` is unset; under CI they must run (``make test``
installs Chromium first).
"""

import os
from pathlib import Path

import pytest

from connections_admin.accounts.roles import Role

from . import chromium
from .helpers import sign_in

HERE = Path(__file__).parent
# Generous for a loaded 2-core CI machine; a passing test never waits for it.
TIMEOUT_MS = 10_000


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives Chromium with Playwright against the live test server"
    )


@pytest.hookimpl(tryfirst=True)  # before -m "not browser" deselects by marker
def pytest_collection_modifyitems(config, items):
    skip = None
    if chromium.missing() and not os.environ.get("CI"):
        skip = pytest.mark.skip(
            reason=f"Chromium not found at {chromium.CHROMIUM} (apt-get install chromium, "
            "or `make test`); set CI=1 to make this a failure"
        )
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


@pytest.fixture(scope="package")
def _playwright():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make meanwhile (factories, assertions) are not async code.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="package")
def browser(_playwright):
    browser = chromium.launch(_playwright)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """new_context(**options): a fresh browser context (own cookies) on the live server,
    with Playwright's ``browser.new_context`` options."""
    contexts = []

    def make(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def signed_in(new_context, make_user):
    """signed_in(Role.X, username=None, **context_options) -> a page signed in with that role."""

    def make(role: Role, username: str | None = None, **options):
        user = make_user(role, username or f"{role.name.lower()}-browser")
        page = new_context(**options).new_page()
        sign_in(page, user)
        page.user = user
        return page

    return make
