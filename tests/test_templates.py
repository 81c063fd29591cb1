"""Template source rules that Django does not enforce."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_comment_tag_spans_lines():
    """``{# ... #}`` is a one-line comment: one that spans lines is printed on the page
    (it was, at the top of every page). Longer comments use {% comment %}."""
    spans = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if line.count("{#") > line.count("#}")
    ]
    assert spans == []
