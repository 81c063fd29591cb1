import contextlib
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import trans_real


def _stale_catalogs() -> list[Path]:
    stale = []
    for locale_path in settings.LOCALE_PATHS:
        for po in Path(locale_path).glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                stale.append(po)
    return stale


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs(tmp_path_factory):
    """Compile the catalogs (``make messages`` does the same) when a .mo is missing or old.

    compilemessages looks under the current directory as well as LOCALE_PATHS: run it
    from an empty directory, so that only this project's catalogs are compiled.
    """
    if _stale_catalogs():
        with contextlib.chdir(tmp_path_factory.mktemp("compilemessages")):
            call_command("compilemessages", verbosity=0)
        # Forget any catalog loaded before the compilation.
        gettext._translations.clear()
        trans_real._translations.clear()
        trans_real._default = None
    assert not _stale_catalogs()
