"""Requests an attacker probed with (issue 13, item 20): each is a clear 4xx or a form error,
never a 500."""

import pytest
from django.test import Client

from connections_admin.exports.models import Export, ExportRun
from tests.factories import ConnectionFactory, ExportFactory

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
SFTP = {
    "display_name": "Probe SFTP",
    "hostname": "sftp.example.com",
    "port": "22",
    "username": "exporter",
    "password": "probe-password",
    "export_folder": "out",
    "compression": "gzipped",
    "field_delimiter": "comma",
    "who_can_use": "admins",
    "consent": "on",
}


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("ids", [[HUGE], ["1", HUGE], ["-1"], ["²"]])
def test_bulk_disconnect_with_ids_of_any_size_changes_nothing(admin_client, ids):
    export = ExportFactory(connection=ConnectionFactory())
    ids = [str(export.pk) if raw == "1" else raw for raw in ids]
    response = admin_client.post("/exports/disconnect/", {"export": ids}, follow=True)
    assert response.status_code == 200
    assert "Nothing was changed" in " ".join(messages_of(response))
    export.refresh_from_db()
    assert export.connection_id is not None


@pytest.mark.parametrize("raw", [HUGE, "²", "-1"])
def test_run_selected_with_a_huge_or_odd_id_runs_nothing(admin_client, raw):
    response = admin_client.post("/exports/run/", {"export": [raw]}, follow=True)
    assert response.status_code == 200
    assert "Select at least one export to run." in messages_of(response)
    assert not ExportRun.objects.exists()


def test_cancel_with_a_huge_run_id_is_404(admin_client):
    export = ExportFactory(connection=ConnectionFactory())
    assert admin_client.post(f"/exports/{export.pk}/runs/{HUGE}/cancel/").status_code == 404
    assert admin_client.post(f"/exports/{HUGE}/runs/1/cancel/").status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"action": "disconnect_exports", "export": [HUGE]},
        {"action": "remove_exports", "export": ["1", HUGE]},
        {"action": "deactivate_enrichments", "enrichment": [HUGE]},
        {"action": "remove_enrichments", "enrichment": [HUGE]},
        {"row_action": f"disconnect_exports:{HUGE}"},
        {"row_action": f"remove_enrichments:{HUGE}"},
        {"action": "disconnect_exports", "export": ["²"]},
        {"row_action": "remove_exports:²"},
    ],
)
def test_remove_dialog_actions_with_huge_ids_change_nothing(admin_client, data):
    connection = ConnectionFactory()
    export = ExportFactory(connection=connection)
    data = {
        key: [str(export.pk) if raw == "1" else raw for raw in value]
        if isinstance(value, list)
        else value
        for key, value in data.items()
    }
    response = admin_client.post(
        f"/admin/connections/{connection.pk}/remove/dependants/",
        data,
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.context["notice_ok"] is False
    assert Export.objects.filter(pk=export.pk, connection=connection).exists()


@pytest.mark.parametrize(
    ("type_key", "data", "field"),
    [
        ("sftp", {**SFTP, "hostname": "sftp\x00.example.com"}, "hostname"),
        (
            "activecampaign",
            {
                "display_name": "Probe AC",
                "api_key": "k",
                "rest_hostname": "acct\x00.api-us1.com",
                "who_can_use": "admins",
                "consent": "on",
            },
            "rest_hostname",
        ),
    ],
)
def test_a_nul_byte_in_a_hostname_is_a_form_error(admin_client, type_key, data, field):
    response = admin_client.post(f"/admin/connections/new/{type_key}/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors


def test_a_nul_byte_in_a_hostname_on_the_edit_pane_is_a_form_error(admin_client):
    connection = ConnectionFactory()
    data = {**SFTP, "hostname": "\x00", "version": str(connection.version)}
    response = admin_client.post(f"/admin/connections/{connection.pk}/edit/", data)
    assert response.status_code == 200
    assert "hostname" in response.context["form"].errors


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("page", ["new", "edit"])
def test_a_huge_connection_search_on_the_full_export_form_is_not_a_500(admin_client, method, page):
    ConnectionFactory(display_name="Findable")
    export = ExportFactory(connection=ConnectionFactory())
    url = "/exports/new/" if page == "new" else f"/exports/{export.pk}/edit/"
    query = "%_" * 25_000
    if method == "get":
        response = admin_client.get(url, {"connection_q": query})
    else:
        response = admin_client.post(url, {"connection_q": query, "find_connection": "1"})
    assert response.status_code == 200


def test_a_host_not_allowed_is_a_400_page(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    for path in ("/", "/accounts/login/", "/exports/"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert "The request could not be understood" in response.content.decode()
