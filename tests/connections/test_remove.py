import json

import pytest

from connections_admin.accounts.roles import Role, role_group
from connections_admin.connections.models import Connection, ConnectionGroupObjectPermission
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def remove_url(connection):
    return f"/admin/connections/{connection.pk}/remove/"


def test_unused_connection_asks_for_confirmation(admin_client):
    connection = ConnectionFactory(display_name="Old drop")
    for headers in ({}, HTMX):
        html = admin_client.get(remove_url(connection), headers=headers).content.decode()
        assert 'id="pane-title">Remove connection<' in html
        assert "Remove “Old drop”?" in html
        assert '<button type="submit" class="danger">Remove</button>' in html


def test_confirmed_remove_deletes_it_and_its_permission_rows(admin_client):
    from guardian.shortcuts import assign_perm

    connection = ConnectionFactory(display_name="Old drop")
    assign_perm("connections.use_connection", role_group(Role.CONTRIBUTOR), connection)
    response = admin_client.post(remove_url(connection), headers=HTMX)
    assert response.status_code == 204
    assert json.loads(response["HX-Trigger"])["console:message"]["text"] == (
        "Connection “Old drop” was removed."
    )
    assert not Connection.objects.exists()
    assert not ConnectionGroupObjectPermission.objects.exists()


def test_full_page_remove_redirects_with_a_message(admin_client):
    connection = ConnectionFactory(display_name="Old drop")
    response = admin_client.post(remove_url(connection), follow=True)
    assert response.redirect_chain == [("/admin/connections/", 302)]
    assert "Connection “Old drop” was removed." in response.content.decode()


def test_connection_in_use_shows_who_uses_it_and_refuses(admin_client):
    connection = ConnectionFactory(display_name="Busy")
    ExportFactory(name="Weekly churn", connection=connection)
    ExportFactory(name="Daily VIPs", connection=connection)
    html = admin_client.get(remove_url(connection)).content.decode()
    assert "“Busy” can't be removed yet: it is used by 2 exports." in html
    assert "Weekly churn" in html and "Daily VIPs" in html
    assert 'class="danger">Remove' not in html

    response = admin_client.post(remove_url(connection), headers=HTMX)
    assert response.status_code == 200
    assert "The connection was not removed: something uses it." in response.content.decode()
    assert Connection.objects.filter(pk=connection.pk).exists()


def test_enrichments_block_removal_too(admin_client):
    enrichment = EnrichmentFactory(name="Firmographics")
    response = admin_client.post(remove_url(enrichment.connection))
    assert "Firmographics" in response.content.decode()
    assert Connection.objects.filter(pk=enrichment.connection_id).exists()


def test_long_usage_lists_are_cut_with_a_total(admin_client):
    connection = ConnectionFactory()
    ExportFactory.create_batch(12, connection=connection)
    html = admin_client.get(remove_url(connection)).content.decode()
    assert "And more: 12 exports in all." in html
    assert html.count("<li>Export ") == 10


def test_double_submitted_remove_is_harmless(admin_client):
    connection = ConnectionFactory(display_name="Once")
    assert admin_client.post(remove_url(connection), headers=HTMX).status_code == 204
    second = admin_client.post(remove_url(connection), headers=HTMX)
    assert second.status_code == 204
    assert json.loads(second["HX-Trigger"])["console:message"]["text"] == (
        "That connection was already removed."
    )
