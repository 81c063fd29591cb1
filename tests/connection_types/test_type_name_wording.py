"""A type's name is put into sentences without an English article before it: "a Azure
Maps connection" is wrong in English, and an article chosen by the sentence cannot fit
every name (nor any Kazakh). The sentences are worded to need none."""

import re
from pathlib import Path

import pytest

from connections_admin.accounts.roles import Role
from connections_admin.enrichments.models import EnrichmentStatus
from tests.factories import EnrichmentFactory

ROOT = Path(__file__).resolve().parents[2]
# "a {{ type }}", "an {{ name }}" in templates; "a %(type)s", "a %s", "a {type}" in code.
ARTICLE_BEFORE_PLACEHOLDER = re.compile(r"\b[Aa]n? (\{\{|%\(\w+\)s|%s\b|\{\w*\})")


def sources():
    yield from (ROOT / "templates").rglob("*.html")
    yield from (
        path
        for path in (ROOT / "connections_admin").rglob("*.py")
        if "migrations" not in path.parts
    )


def test_no_article_is_put_before_a_placeholder():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ARTICLE_BEFORE_PLACEHOLDER.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_pattern_finds_what_it_is_for():
    for wrong in ["Choose a {{ type }} connection", "Set up an %(type)s one", "a %s", "a {name}"]:
        assert ARTICLE_BEFORE_PLACEHOLDER.search(wrong), wrong
    for right in ["Choose a connection of type {{ type }}", "a data set", "an export"]:
        assert not ARTICLE_BEFORE_PLACEHOLDER.search(right), right


@pytest.mark.django_db
def test_inactive_enrichment_names_its_type_without_an_article(as_role):
    enrichment = EnrichmentFactory(
        type_key="azure_maps",
        connection__type_key="azure_maps",
        connection__values={"api_key": "maps-key-1"},
    )
    enrichment.connection = None
    enrichment.status = EnrichmentStatus.INACTIVE
    enrichment.save()
    html = as_role(Role.CONTRIBUTOR).get(f"/enrichments/{enrichment.pk}/edit/").content.decode()
    assert "Choose a Azure Maps" not in html
    assert "Choose a connection of type Azure Maps to activate it again." in html
