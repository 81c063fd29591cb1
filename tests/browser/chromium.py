"""Debian's Chromium, as the browser tests and ``make screenshots`` launch it.

Playwright's own browser download does not work here, so both use the system's
Chromium (``CHROMIUM_PATH``, else ``chromium`` on the PATH, else /usr/bin/chromium).
"""

import os
import shutil

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing() -> bool:
    return not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK))


def launch(playwright):
    """A headless Chromium; without the sandbox when running as root (it refuses otherwise)."""
    args = list(ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(0, "--no-sandbox")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
