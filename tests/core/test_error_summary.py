"""The error summary of the full-page forms (Add/Edit export, Add/Edit enrichment): after
a failed save, a region at the top headed "There is a problem", that takes the focus
(static/js/error-summary.js) and links to each field with an error; non-field errors too."""

import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.template.loader import render_to_string

from connections_admin.accounts.roles import Role
from connections_admin.core.forms import error_summary_items
from connections_admin.enrichments.models import EnrichmentStatus
from tests.exports.test_changes import export_data, shared_connection
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory, SegmentFactory

HEADING = "There is a problem"


class Ids(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if dict(attrs).get("id"):
            self.ids.add(dict(attrs)["id"])


def summary_of(html: str) -> str | None:
    match = re.search(r'<section class="error-summary".*?</section>', html, re.S)
    return match.group(0) if match else None


def links(summary: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary, re.S)


def assert_summary_at_the_top(html: str) -> str:
    summary = summary_of(html)
    assert summary, "no error summary"
    main = html[html.index('<main id="main"') :]
    # before the page's heading and form: the first thing in the main region
    assert main.index('class="error-summary"') < main.index("<h1")
    assert 'tabindex="-1"' in summary and "data-error-summary" in summary
    assert 'aria-labelledby="error-summary-title"' in summary
    assert f'<h2 id="error-summary-title">{HEADING}</h2>' in summary
    ids = Ids(html).ids
    for target, _text in links(summary):
        assert target in ids, f"the summary links to #{target}, which is not on the page"
    return summary


# --- the helper -------------------------------------------------------------------------


class Sample(forms.Form):
    name = forms.CharField(label="Name")
    colour = forms.ChoiceField(
        label="Colour", choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect
    )
    tags = forms.MultipleChoiceField(
        label="Tags", choices=[("a", "A")], widget=forms.CheckboxSelectMultiple
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Someone else saved it meanwhile.")


def test_items_link_each_field_to_its_control_and_list_non_field_errors_first():
    form = Sample(data={})
    items = error_summary_items(form)
    assert items[0] == {"target": "", "text": "Someone else saved it meanwhile."}
    by_text = {item["text"]: item["target"] for item in items}
    assert by_text["Name: This field is required."] == "id_name"
    # a group: its first choice (the group itself has no control of its own)
    assert by_text["Colour: This field is required."] == "id_colour_0"
    assert by_text["Tags: This field is required."] == "id_tags_0"
    # a hidden field has no place to go to: its error is said, not linked
    assert {"target": "", "text": "Token: This field is required."} in items


def test_items_take_a_control_named_by_the_page():
    items = error_summary_items(Sample(data={}), anchors={"name": "name-box"})
    assert {"target": "name-box", "text": "Name: This field is required."} in items


def test_an_unbound_or_valid_form_has_no_summary():
    assert error_summary_items(Sample()) == []
    html = render_to_string("_error_summary.html", {"errors": []})
    assert "error-summary" not in html


def test_the_partial_links_and_escapes():
    html = render_to_string(
        "_error_summary.html",
        {"errors": [{"target": "id_name", "text": "<b>Bad</b>"}, {"target": "", "text": "Whole"}]},
    )
    assert '<a href="#id_name">&lt;b&gt;Bad&lt;/b&gt;</a>' in html
    assert "<li>Whole</li>" in html


# --- the pages --------------------------------------------------------------------------


@pytest.fixture
def contributor(as_role):
    return as_role(Role.CONTRIBUTOR)


@pytest.mark.django_db
def test_add_export_after_a_failed_save(contributor):
    shared_connection()
    SegmentFactory()
    html = contributor.post("/exports/new/", {"name": ""}).content.decode()
    summary = assert_summary_at_the_top(html)
    found = dict(links(summary))
    assert (
        found["connection-search"] == "Connection for export: Choose a connection for the export."
    )
    assert found["id_name"] == "Export name: This field is required."
    assert found["id_segments_0"] == "Segments: Choose at least one segment to send."
    assert found["id_schedule_0"].startswith("Schedule: ")


@pytest.mark.django_db
def test_edit_export_after_a_failed_save(contributor):
    segment = SegmentFactory()
    connection = shared_connection()
    export = ExportFactory(connection=connection)
    html = contributor.post(
        f"/exports/{export.pk}/edit/", export_data(connection, segment, schedule_time="")
    ).content.decode()
    summary = assert_summary_at_the_top(html)
    assert dict(links(summary)) == {
        "id_schedule_time": "At (time, UTC): Give the time to run it at."
    }


@pytest.mark.django_db
def test_add_and_edit_enrichment_after_a_failed_save(contributor):
    ConnectionFactory(type_key="leadspace", values={"token": "t-1"})
    html = contributor.post("/enrichments/new/", {"name": ""}).content.decode()
    summary = assert_summary_at_the_top(html)
    assert dict(links(summary)) == {
        "id_connection": "Connection: Choose a connection for the enrichment.",
        "id_name": "Enrichment name: This field is required.",
    }


@pytest.mark.django_db
def test_activate_enrichment_after_a_failed_save(as_role):
    connection = ConnectionFactory(type_key="leadspace", values={"token": "t-1"})
    inactive = EnrichmentFactory(connection=None, status=EnrichmentStatus.INACTIVE)
    admin = as_role(Role.ADMIN)
    html = admin.post(f"/enrichments/{inactive.pk}/activate/", {"connection": "x"}).content
    summary = assert_summary_at_the_top(html.decode())
    assert list(dict(links(summary))) == ["id_connection_0"]  # the first of the radios
    assert connection.display_name in html.decode()  # the choices are still offered


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/exports/new/", "/enrichments/new/"])
def test_no_summary_before_a_save(contributor, url):
    html = contributor.get(url).content.decode()
    assert summary_of(html) is None and HEADING not in html


@pytest.mark.django_db
def test_the_summary_is_focused_by_a_script_of_our_own(contributor):
    html = contributor.get("/exports/new/").content.decode()
    assert "js/error-summary.js" in html
