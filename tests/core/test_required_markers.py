"""The browser's required markers match the server's rules on the full-page forms: a
field the server requires (``form.fields[name].required``) is rendered with the
``required`` attribute, one it does not require without it. Compared for every field of
Add export, Edit export, Add enrichment and Edit enrichment (Activate, for an enrichment
without a connection), blank and after a failed save."""

from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django import forms

from connections_admin.accounts.roles import Role
from connections_admin.enrichments.forms import EnrichmentForm
from connections_admin.enrichments.models import EnrichmentStatus
from connections_admin.exports.forms import ExportForm
from tests.exports.test_changes import shared_connection
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory, SegmentFactory

pytestmark = pytest.mark.django_db

EXPORT_FIELDS = list(ExportForm.Meta.fields)  # every field the form has: a new one is checked too
ENRICHMENT_FIELDS = list(EnrichmentForm.Meta.fields)


class Controls(HTMLParser):
    """The form controls of the page's ``page-form``, by name, with their attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.by_name: dict[str, list[dict]] = defaultdict(list)
        self.depth = 0  # inside <form class="page-form">
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if "page-form" in (attrs.get("class") or "").split():
                self.depth = 1
            return
        if self.depth and tag in ("input", "select", "textarea") and attrs.get("name"):
            self.by_name[attrs["name"]].append(attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self.depth = 0


@pytest.fixture
def pages(as_role):
    """page name -> a function returning (response) for that page, blank or after a failed save."""
    client = as_role(Role.CONTRIBUTOR)
    SegmentFactory()
    connection = shared_connection()
    leadspace = ConnectionFactory(type_key="leadspace", values={"token": "t-1"})
    export = ExportFactory(connection=connection)
    enrichment = EnrichmentFactory(connection=leadspace)
    inactive = EnrichmentFactory(connection=leadspace)
    inactive.connection, inactive.status = None, EnrichmentStatus.INACTIVE
    inactive.save()
    urls = {
        "add export": "/exports/new/",
        "edit export": f"/exports/{export.pk}/edit/",
        "add enrichment": "/enrichments/new/",
        "edit enrichment": f"/enrichments/{enrichment.pk}/edit/",
        "activate enrichment": f"/enrichments/{inactive.pk}/edit/",
    }

    def get(page: str, state: str):
        url = urls[page]
        if state == "blank":
            return client.get(url)
        return client.post(url, {"name": "", "schedule": "daily"})

    return get


CASES = [
    *((page, name) for page in ("add export", "edit export") for name in EXPORT_FIELDS),
    *(
        (page, name)
        for page in ("add enrichment", "edit enrichment", "activate enrichment")
        for name in ENRICHMENT_FIELDS
    ),
]


def case(page, name):
    return pytest.param(page, name, id=f"{page}: {name}")


@pytest.mark.parametrize("state", ["blank", "failed save"])
@pytest.mark.parametrize(("page", "name"), [case(*c) for c in CASES])
def test_required_marker_matches_the_server(pages, page, name, state):
    response = pages(page, state)
    assert response.status_code == 200
    form = response.context["form"]
    expected = EXPORT_FIELDS if "export" in page else ENRICHMENT_FIELDS
    assert list(form.fields) == expected, "a field was added: add it to this test's list"
    field = form.fields[name]
    controls = Controls(response.content.decode()).by_name[name]
    assert controls, f"{name} is not rendered in the form"
    marked = [c for c in controls if "required" in c]
    if isinstance(field.widget, forms.CheckboxSelectMultiple):
        # "At least one" has no HTML marker: `required` on a box means that box must be
        # ticked. The server's rule is said by its error message; no box may claim it.
        assert not marked, f"{page}: a box of {name} is marked required"
        return
    if field.required:
        assert len(marked) == len(controls), f"{page}: {name} is required but not marked"
    else:
        assert not marked, f"{page}: {name} is optional but marked required"
