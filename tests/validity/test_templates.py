"""Template syntax that would reach the page as text."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_comment_tag_spans_lines():
    """Django's {# ... #} is one line only: over two lines it is printed into the page (in
    base.html's head it ended the head early on every page). Longer notes use
    {% comment %}."""
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if re.search(r"\{#(?!.*#\})", line)
    ]
    assert not found, "{# #} comments over several lines:\n" + "\n".join(found)
