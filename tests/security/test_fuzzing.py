"""Arbitrary input never causes a 500 or a partial write; names render escaped everywhere."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connections_admin.audit.models import AuditEntry
from connections_admin.connection_types.registry import registry
from connections_admin.connections.models import Connection
from connections_admin.enrichments.models import Enrichment
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory, SegmentFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text as a browser (or an attacker) could send it: any characters but NUL and lone
# surrogates, which cannot be encoded as UTF-8 to be sent at all; plus huge,
# numeric-looking and id-like values.
text = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        max_size=300,
    ),
    st.just("x" * 70_000),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", " ", "0", "-1", "1e9", "null", "[]", "{}", "../../etc/passwd"]),
)
values = st.one_of(text, st.lists(text, max_size=3))


def counts() -> tuple[int, ...]:
    return (
        Connection.objects.count(),
        Export.objects.count(),
        Enrichment.objects.count(),
        AuditEntry.objects.count(),
    )


def assert_handled(response, before, *, may_write: bool) -> None:
    assert response.status_code < 500, response.status_code
    if response.status_code == 200 or response.status_code >= 400 or not may_write:
        # a form error or a refusal: nothing written at all
        assert counts() == before


@pytest.mark.parametrize("type_key", [t.key for t in registry])
def test_connection_set_up_pane(admin_client, type_key):
    field_names = [*registry.get(type_key).fields, "display_name", "consent", "who_can_use"]

    @FUZZ
    @given(data=st.fixed_dictionaries({}, optional={name: values for name in field_names}))
    def run(data):
        before = counts()
        response = admin_client.post(f"/admin/connections/new/{type_key}/", data)
        assert_handled(response, before, may_write=True)

    run()


def test_connection_edit_pane(admin_client):
    connection = ConnectionFactory()
    names = [*connection.settings, "display_name", "password", "version", "who_can_use"]

    @FUZZ
    @given(data=st.fixed_dictionaries({}, optional={n: values for n in [*names, "shared_users"]}))
    def run(data):
        before_row = Connection.objects.filter(pk=connection.pk).values().first()
        before = counts()
        response = admin_client.post(f"/admin/connections/{connection.pk}/edit/", data)
        assert response.status_code < 500
        if response.status_code == 200:
            assert counts() == before
            assert Connection.objects.filter(pk=connection.pk).values().first() == before_row

    run()


def test_export_form(admin_client):
    ConnectionFactory()
    SegmentFactory()
    names = ["connection", "name", "segments", "fields", "schedule", "schedule_time"]

    @FUZZ
    @given(
        data=st.fixed_dictionaries(
            {}, optional={n: values for n in [*names, "schedule_weekday", "find_connection"]}
        )
    )
    def run(data):
        before = counts()
        assert_handled(admin_client.post("/exports/new/", data), before, may_write=True)

    run()


def test_enrichment_form(admin_client):
    ConnectionFactory(type_key="leadspace", values={"token": "t"})
    SegmentFactory()

    @FUZZ
    @given(
        data=st.fixed_dictionaries(
            {}, optional={n: values for n in ["connection", "segment", "name"]}
        )
    )
    def run(data):
        before = counts()
        assert_handled(admin_client.post("/enrichments/new/", data), before, may_write=True)

    run()


def test_remove_dialog_actions(admin_client):
    connection = ConnectionFactory()
    ExportFactory.create_batch(2, connection=connection)
    other = ExportFactory()  # on another connection: must never be touched

    @FUZZ
    @given(
        data=st.fixed_dictionaries(
            {},
            optional={
                "action": st.one_of(
                    text, st.sampled_from(["disconnect_exports", "remove_exports"])
                ),
                "row_action": text,
                "export": st.lists(st.one_of(text, st.just(str(other.pk))), max_size=4),
                "enrichment": st.lists(text, max_size=3),
            },
        )
    )
    def run(data):
        response = admin_client.post(
            f"/admin/connections/{connection.pk}/remove/dependants/",
            data,
            headers={"HX-Request": "true"},
        )
        assert response.status_code < 500
        other.refresh_from_db()
        assert other.connection_id is not None

    run()


@pytest.mark.parametrize(
    "url", ["/admin/connections/", "/exports/", "/enrichments/", "/admin/activity/"]
)
def test_search_sort_and_page_parameters(admin_client, url):
    ConnectionFactory()

    @FUZZ
    @given(
        params=st.fixed_dictionaries(
            {},
            optional={
                n: text for n in ["q", "sort", "page", "action", "user", "kind", "object_id"]
            },
        )
    )
    def run(params):
        assert admin_client.get(url, params).status_code == 200

    run()


@pytest.mark.parametrize("path", ["/admin/connections/{}/edit/", "/exports/{}/edit/"])
@FUZZ
@given(raw=text)
def test_unknown_ids_in_urls_are_404(admin_client, path, raw):
    cleaned = "".join(c for c in raw if c not in "/?#%")[:50] or "x"
    assert admin_client.get(path.format(cleaned)).status_code < 500


@pytest.mark.parametrize(
    "path",
    [
        "/admin/connections/{}/edit/",
        "/admin/connections/{}/remove/dependants/",
        "/exports/{}/edit/",
        "/enrichments/{}/remove/",
    ],
)
@pytest.mark.parametrize("raw", ["99999999999999999999999999", "0", "007", "-1", "1e3"])
def test_huge_or_odd_ids_are_404(admin_client, path, raw):
    assert admin_client.get(path.format(raw)).status_code == 404


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/exports/new/", {"connection": "9" * 30, "segments": ["9" * 30], "name": "x"}),
        ("/enrichments/new/", {"connection": "9" * 30, "segment": "9" * 30, "name": "x"}),
        ("/admin/activity/?object_id=" + "9" * 30, None),
        ("/exports/connection-options/?connection=" + "9" * 30, None),
    ],
)
def test_huge_numbers_in_forms_are_form_errors(admin_client, url, data):
    response = (
        admin_client.post(url, data)
        if data is not None
        else admin_client.get(url, headers={"HX-Request": "true"})
    )
    assert response.status_code == 200
    assert counts() == (0, 0, 0, 0)


PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"


def test_names_with_markup_render_escaped_everywhere(admin_client):
    connection = ConnectionFactory(display_name=PAYLOAD)
    export = ExportFactory(name=PAYLOAD + " export", connection=connection)
    enrichment_connection = ConnectionFactory(
        display_name=PAYLOAD + " L", type_key="leadspace", values={"token": "t"}
    )
    EnrichmentFactory(
        name=PAYLOAD + " enrichment",
        connection=enrichment_connection,
        segment=SegmentFactory(name=PAYLOAD + " segment"),
    )
    contributor = Client()
    pages = [
        "/admin/connections/",
        "/admin/connections/?q=%3Cscript%3E",
        f"/admin/connections/{connection.pk}/edit/",
        f"/admin/connections/{connection.pk}/remove/",
        f"/admin/connections/{connection.pk}/remove/dependants/",
        "/exports/",
        "/exports/?q=%3Cscript%3E",
        f"/exports/{export.pk}/edit/",
        f"/exports/{export.pk}/remove/",
        f"/exports/{export.pk}/disconnect/",
        "/exports/new/",
        "/enrichments/",
        "/enrichments/new/",
        "/admin/activity/",
    ]
    del contributor
    for url in pages:
        for headers in ({}, {"HX-Request": "true"}):
            html = admin_client.get(url, headers=headers).content.decode()
            assert "<script>alert" not in html, url
            assert "<img src=x" not in html, url
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
