"""The read-only Django admin the benchmark compares with: same columns, never a secret."""

import pytest
from django.contrib.auth import get_user_model

from connections_admin.connections.models import Connection
from tests.factories import ConnectionFactory, ExportFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/django-admin/connections/connection/"


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("root-admin", password="pw-for-tests-1")
    client.force_login(user)
    return client


def test_changelist_has_the_columns_and_counts(superuser_client):
    connection = ConnectionFactory(display_name="Weekly partner drop")
    ExportFactory.create_batch(2, connection=connection)
    html = superuser_client.get(CHANGELIST).content.decode()
    row = html[html.index("Weekly partner drop") :].split("</tr>")[0]
    assert "SFTP" in row and "Administrators" in row
    assert '<td class="field-export_count">2</td>' in row


def test_search_and_no_secret_anywhere(superuser_client):
    connection = ConnectionFactory(display_name="Secret holder")  # password: factory-sftp-...
    assert superuser_client.get(CHANGELIST, {"q": "holder"}).status_code == 200
    pages = [
        superuser_client.get(CHANGELIST).content.decode(),
        superuser_client.get(f"{CHANGELIST}{connection.pk}/change/").content.decode(),
    ]
    stored = Connection.objects.get(pk=connection.pk).secrets_encrypted
    for html in pages:
        assert "factory-sftp-password" not in html
        assert stored[:20] not in html


def test_nothing_can_be_added_changed_or_removed(superuser_client):
    connection = ConnectionFactory()
    assert superuser_client.get(f"{CHANGELIST}add/").status_code == 403
    assert superuser_client.get(f"{CHANGELIST}{connection.pk}/delete/").status_code == 403
    response = superuser_client.post(
        f"{CHANGELIST}{connection.pk}/change/", {"display_name": "Renamed"}
    )
    assert response.status_code == 403
    assert Connection.objects.get(pk=connection.pk).display_name != "Renamed"
