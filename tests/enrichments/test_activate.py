"""Activate: an inactive enrichment gets a connection of its type again, its last one first."""

import re

import pytest
from django.contrib.messages import get_messages

from connections_admin.accounts.roles import Role
from connections_admin.connections import services as connection_services
from connections_admin.enrichments.models import Enrichment, EnrichmentStatus
from tests.factories import ConnectionFactory, EnrichmentFactory

pytestmark = pytest.mark.django_db


def leadspace(name):
    return ConnectionFactory(display_name=name, type_key="leadspace", values={"token": "t-1"})


def inactive(name="Firmographics", **kwargs):
    return EnrichmentFactory(
        name=name, type_key="leadspace", connection=None, status=EnrichmentStatus.INACTIVE, **kwargs
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def radios(html):
    """(value, checked, label) of the connection radios, in page order."""
    return [
        (value, " checked" in attributes, label.strip())
        for value, attributes, label in re.findall(
            r'<input type="radio" name="connection" value="(\d+)"([^>]*)>\s*([^<]*)', html
        )
    ]


@pytest.fixture
def contributor(as_role):
    return as_role(Role.CONTRIBUTOR)


# --- who may open it -----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "head", "post"])
def test_anonymous_is_sent_to_sign_in(client, method):
    url = f"/enrichments/{inactive().pk}/activate/"
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("method", ["get", "head", "post"])
def test_viewer_is_refused(as_role, method):
    lead = leadspace("Lead source")
    enrichment = inactive()
    response = getattr(as_role(Role.VIEWER), method)(
        f"/enrichments/{enrichment.pk}/activate/", {"connection": lead.pk}
    )
    assert response.status_code == 403
    enrichment.refresh_from_db()
    assert enrichment.connection_id is None


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.ADMIN])
@pytest.mark.parametrize("method", ["get", "head"])
def test_contributors_and_admins_open_it(as_role, role, method):
    leadspace("Lead source")
    response = getattr(as_role(role), method)(f"/enrichments/{inactive().pk}/activate/")
    assert response.status_code == 200
    if method == "get":
        assert "<h1>Activate enrichment</h1>" in response.content.decode()


def test_missing_enrichment_is_404(contributor):
    assert contributor.get("/enrichments/999999/activate/").status_code == 404
    assert contributor.post("/enrichments/999999/activate/").status_code == 404


def test_other_methods_are_refused(contributor):
    assert contributor.put(f"/enrichments/{inactive().pk}/activate/").status_code == 405


# --- what it offers --------------------------------------------------------------------------


def test_the_list_links_activate_to_its_page(contributor):
    enrichment = inactive()
    html = contributor.get("/enrichments/").content.decode()
    assert f'href="/enrichments/{enrichment.pk}/activate/" data-hx-boost="false">Activate' in html


def test_deactivate_remembers_the_connection_and_activate_offers_it_first(contributor):
    zeta = leadspace("Zeta lead source")  # last by name
    leadspace("Alpha lead source")
    enrichment = EnrichmentFactory(name="Firmographics", connection=zeta)
    contributor.post(f"/enrichments/{enrichment.pk}/deactivate/")
    enrichment.refresh_from_db()
    assert enrichment.connection_id is None and enrichment.last_connection_id == zeta.pk

    html = contributor.get(f"/enrichments/{enrichment.pk}/activate/").content.decode()
    assert radios(html) == [
        (str(zeta.pk), True, "Zeta lead source (Leadspace)"),
        (str(enrichment.last_connection_id + 1), False, "Alpha lead source (Leadspace)"),
    ]
    assert "“Zeta lead source” was its connection before it was deactivated." in html
    assert '<button type="submit" class="primary">Activate</button>' in html


def test_without_a_remembered_connection_none_is_preselected(contributor):
    leadspace("Alpha lead source")
    html = contributor.get(f"/enrichments/{inactive().pk}/activate/").content.decode()
    assert [checked for _value, checked, _label in radios(html)] == [False]
    assert "was its connection before" not in html


def test_deactivating_by_edit_remembers_the_connection_too(contributor):
    lead = leadspace("Lead source")
    enrichment = EnrichmentFactory(name="Firmographics", connection=lead)
    contributor.post(
        f"/enrichments/{enrichment.pk}/edit/",
        {"connection": "", "segment": "", "name": "Firmographics"},
    )
    enrichment.refresh_from_db()
    assert enrichment.connection_id is None and enrichment.last_connection_id == lead.pk


def test_the_guided_remove_dialog_remembers_it_and_removing_it_forgets_it(admin_client):
    lead = leadspace("Old lead source")
    enrichment = EnrichmentFactory(name="Firmographics", connection=lead)
    admin_client.post(
        f"/admin/connections/{lead.pk}/remove/dependants/",
        {"row_action": f"deactivate_enrichments:{enrichment.pk}"},
    )
    enrichment.refresh_from_db()
    assert enrichment.connection_id is None and enrichment.last_connection_id == lead.pk
    connection_services.connection_remove(connection_id=lead.pk, user=None)
    enrichment.refresh_from_db()
    assert enrichment.last_connection_id is None
    assert Enrichment.objects.filter(pk=enrichment.pk).exists()


def test_activate_attaches_the_chosen_connection_and_says_so(contributor):
    lead = leadspace("Lead source")
    enrichment = inactive()
    response = contributor.post(f"/enrichments/{enrichment.pk}/activate/", {"connection": lead.pk})
    assert response.status_code == 302 and response["Location"] == "/enrichments/"
    assert messages_of(response) == ["Enrichment “Firmographics” was activated with “Lead source”."]
    enrichment.refresh_from_db()
    assert enrichment.status == EnrichmentStatus.ACTIVE and enrichment.connection_id == lead.pk


@pytest.mark.parametrize("bad", ["", "abc", "999999"])
def test_activate_without_a_valid_choice_is_a_form_error(contributor, bad):
    leadspace("Lead source")
    enrichment = inactive()
    response = contributor.post(f"/enrichments/{enrichment.pk}/activate/", {"connection": bad})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    enrichment.refresh_from_db()
    assert enrichment.connection_id is None


def test_a_connection_of_another_type_is_refused(contributor):
    leadspace("Lead source")
    geo = ConnectionFactory(
        display_name="Geo", type_key="here_technologies", values={"api_key": "k"}
    )
    enrichment = inactive()
    html = contributor.get(f"/enrichments/{enrichment.pk}/activate/").content.decode()
    assert "Geo" not in html
    response = contributor.post(f"/enrichments/{enrichment.pk}/activate/", {"connection": geo.pk})
    assert response.status_code == 200
    enrichment.refresh_from_db()
    assert enrichment.connection_id is None


def test_an_active_enrichment_is_already_active(contributor):
    enrichment = EnrichmentFactory(name="Firmographics")
    response = contributor.get(f"/enrichments/{enrichment.pk}/activate/")
    assert response.status_code == 302 and response["Location"] == "/enrichments/"
    assert messages_of(response) == ["Enrichment “Firmographics” is already active."]


# --- when there is no connection of its type ---------------------------------------------------


def test_admin_without_a_connection_of_the_type_is_sent_to_set_one_up(admin_client):
    enrichment = inactive()
    html = admin_client.get(f"/enrichments/{enrichment.pk}/activate/").content.decode()
    assert "There is no Leadspace connection yet." in html
    assert 'href="/admin/connections/discover/#set-up-leadspace"' in html
    assert "Set up Leadspace on the Discover tab" in html
    # nothing to save: no form, no Activate, no "No connection (inactive)"
    assert 'method="post"' not in html.split("<main")[1]
    assert ">Activate</button>" not in html and "No connection (inactive)" not in html


def test_contributor_without_a_connection_of_the_type_is_told_to_ask(contributor):
    enrichment = inactive()
    html = contributor.get(f"/enrichments/{enrichment.pk}/activate/").content.decode()
    assert "There is no Leadspace connection yet." in html
    assert "Ask an administrator to set one up" in html
    assert "/admin/connections/" not in html
    assert 'method="post"' not in html.split("<main")[1]
    response = contributor.post(f"/enrichments/{enrichment.pk}/activate/", {"connection": ""})
    assert response.status_code == 200
    enrichment.refresh_from_db()
    assert enrichment.connection_id is None


def test_the_edit_page_of_an_inactive_enrichment_says_the_same(contributor):
    html = contributor.get(f"/enrichments/{inactive().pk}/edit/").content.decode()
    assert "There is no Leadspace connection yet." in html
    assert "Ask an administrator to set one up" in html


def test_edit_that_attaches_a_connection_says_it_was_activated(contributor):
    lead = leadspace("Lead source")
    enrichment = inactive()
    response = contributor.post(
        f"/enrichments/{enrichment.pk}/edit/",
        {"connection": lead.pk, "segment": "", "name": "Firmographics"},
    )
    assert messages_of(response) == ["Enrichment “Firmographics” was activated with “Lead source”."]
