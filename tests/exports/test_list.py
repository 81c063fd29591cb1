import re

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections_admin.accounts.roles import Role
from tests.factories import ConnectionFactory, ExportFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/exports/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.ADMIN])
def test_every_role_sees_exports_with_connection_and_status(as_role, role):
    ExportFactory(name="Weekly churn", connection=ConnectionFactory(display_name="Partner drop"))
    ExportFactory(name="Parked", connection=None)
    html = as_role(role).get("/exports/").content.decode()
    active = html.split('<th scope="row">Weekly churn')[1].split("</tr>")[0]
    assert "Partner drop" in active and "(SFTP)" in active and "Active" in active
    parked = html.split('<th scope="row">Parked')[1].split("</tr>")[0]
    assert "No connection" in parked and "Inactive" in parked


def test_search_by_name_connection_or_type(admin_client):
    ExportFactory(name="Weekly churn", connection=ConnectionFactory(display_name="Partner drop"))
    ExportFactory(
        name="Firmographic push",
        connection=ConnectionFactory(
            display_name="Lists",
            type_key="marketo",
            values={"client_id": "c", "client_secret": "s", "rest_hostname": "a.mktorest.com"},
        ),
    )
    for query, expected in [("churn", "Weekly churn"), ("partner", "Weekly churn")]:
        assert re.findall(r'<th scope="row">([^<]*)<', _get(admin_client, query)) == [expected]
    assert re.findall(r'<th scope="row">([^<]*)<', _get(admin_client, "marke")) == [
        "Firmographic push"
    ]


def _get(client, query):
    return client.get("/exports/", {"q": query}).content.decode()


def test_query_count_does_not_grow_with_rows(as_role):
    client = as_role(Role.CONTRIBUTOR)
    connection = ConnectionFactory()
    ExportFactory.create_batch(5, connection=connection)
    client.get("/exports/")
    with CaptureQueriesContext(db) as small:
        client.get("/exports/")
    for _ in range(39):
        ExportFactory.create_batch(5, connection=ConnectionFactory())
    with CaptureQueriesContext(db) as large:
        client.get("/exports/")
    assert len(small.captured_queries) == len(large.captured_queries)
