"""The console's scripts: small files, one concern each, all loaded by base.html (defer,
from our own origin: the CSP allows no inline script)."""

from pathlib import Path

from django.conf import settings

JS = Path(settings.BASE_DIR) / "static" / "js"
BASE = Path(settings.BASE_DIR) / "templates" / "base.html"


def test_each_script_is_small_and_loaded_by_the_base_template():
    base = BASE.read_text()
    scripts = sorted(JS.glob("*.js"))
    assert scripts
    for script in scripts:
        lines = len(script.read_text().splitlines())
        assert lines < 120, f"{script.name} has {lines} lines"
        tag = "<script src=\"{% static 'js/" + script.name + "' %}\" defer></script>"
        assert tag in base, f"base.html does not load {script.name}"
    assert "<script>" not in base  # no inline script
