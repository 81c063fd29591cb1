"""Helpers shared by the browser tests."""

import re

from playwright.sync_api import Page, expect

PASSWORD = "pw-for-tests-1"  # the password tests/conftest.py's make_user sets


def sign_in(page: Page, user, *, next_url: str = "") -> None:
    """Sign in through the real sign-in form."""
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))


def dialog(page: Page):
    return page.locator("#pane-dialog")


def expect_message(page: Page, text: str) -> None:
    """The message is in the page's live region (announced by screen readers)."""
    messages = page.locator("#messages")
    expect(messages).to_have_attribute("aria-live", "polite")
    expect(messages).to_contain_text(text)


def row(page: Page, name: str):
    """The table row whose row header is ``name``."""
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def open_row_menu(page: Page, name: str):
    """Open the ellipsis menu of a connection row; returns the menu."""
    page.get_by_role("button", name=f"More actions for {name}", exact=True).click()
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    return menu


def settled(page: Page) -> None:
    """Wait until htmx and the page have nothing under way.

    No request (``is-busy``, ``htmx-request``), no swap or settle (htmx gives swapped-in
    content its behaviour in the settle step, about 20 ms after the swap), and no CSS
    transition running (a region dimmed while busy fades back).
    """
    page.wait_for_function(
        "() => !document.querySelector('.is-busy, .htmx-request, .htmx-swapping, .htmx-settling')"
        " && document.getAnimations().every(a => a.playState !== 'running')"
    )


def focused(page: Page) -> dict:
    """What has the keyboard focus: tag, id, text, role, and whether it is inside the dialog."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          return {
            tag: el ? el.tagName.toLowerCase() : null,
            id: el ? el.id : null,
            text: el ? (el.innerText || el.value || el.ariaLabel || '').trim() : '',
            role: el ? el.getAttribute('role') : null,
            inDialog: !!(el && el.closest('#pane-dialog')),
          };
        }"""
    )


class AxeChecker:
    """Runs axe-core on pages, panes and dialogs and collects every violation.

    axe is injected with ``page.evaluate``, which the page's Content-Security-Policy does
    not apply to, so the strict CSP stays on. Call :meth:`assert_clean` at the end: it
    fails with one readable report of everything found.
    """

    def __init__(self, role: str):
        from axe_playwright_python.base import AXE_SCRIPT

        self.script = AXE_SCRIPT
        self.role = role
        self.checked: list[str] = []
        self.found: list[str] = []

    def __call__(self, page: Page, what: str, *, within: str | None = None) -> None:
        """Check the whole page, or only the part ``within`` (a CSS selector) when the rest
        of the page was checked already (an open dialog, a menu)."""
        # never judge a page half-way through an htmx request or a fade (colours are off then)
        settled(page)
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(self.script)
        results = page.evaluate(
            "within => axe.run(within ? {include: [within]} : document,"
            " {resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,"
            " summary: n.failureSummary}))})))",
            within,
        )
        self.checked.append(what)
        for violation in results:
            lines = [
                f"[{self.role}] {what} ({page.url}): {violation['id']} ({violation['impact']}): "
                f"{violation['help']}"
            ]
            for node in violation["nodes"][:5]:
                lines.append(f"    at {node['target']}: {node['html'][:160]}")
                for line in (node["summary"] or "").splitlines():
                    lines.append(f"        {line}")
            if len(violation["nodes"]) > 5:
                lines.append(f"    ... and {len(violation['nodes']) - 5} more")
            self.found.append("\n".join(lines))

    def assert_clean(self) -> None:
        report = "\n\n".join(self.found)
        assert not self.found, (
            f"axe found {len(self.found)} violation(s) on {len(self.checked)} views:\n\n{report}"
        )
