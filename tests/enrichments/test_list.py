import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections_admin.accounts.roles import Role
from connections_admin.enrichments.models import EnrichmentStatus
from tests.factories import EnrichmentFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/enrichments/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.ADMIN])
def test_every_role_sees_enrichments(as_role, role):
    EnrichmentFactory(name="Company data", segment=SegmentFactory(name="B2B accounts"))
    EnrichmentFactory(
        name="Old geocoding",
        type_key="azure_maps",
        connection=None,
        status=EnrichmentStatus.INACTIVE,
    )
    html = as_role(role).get("/enrichments/").content.decode()
    active = html.split("Company data")[1].split("</tr>")[0]
    assert "Leadspace" in active and "B2B accounts" in active and "Active" in active
    inactive = html.split("Old geocoding")[1].split("</tr>")[0]
    assert "Azure Maps" in inactive and "No connection" in inactive
    assert "Inactive" in inactive and "All customers" in inactive


def test_query_count_does_not_grow_with_rows(as_role):
    client = as_role(Role.VIEWER)
    EnrichmentFactory.create_batch(5)
    client.get("/enrichments/")
    with CaptureQueriesContext(db) as small:
        client.get("/enrichments/")
    EnrichmentFactory.create_batch(60, segment=SegmentFactory())
    with CaptureQueriesContext(db) as large:
        client.get("/enrichments/")
    assert len(small.captured_queries) == len(large.captured_queries)


def test_enriched_customers_stays_empty_until_an_enrichment_has_run(admin_client):
    from tests.factories import EnrichmentFactory

    EnrichmentFactory(name="Never ran", enriched_customers=12000)
    html = admin_client.get("/enrichments/").content.decode()
    row = html[html.index("Never ran") :].split("</tr>")[0]
    assert "12000" not in row and "Not run yet" in row
