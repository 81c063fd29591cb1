"""Adding, editing, deactivating and removing enrichments, by role; sorting the list."""

import re

import pytest
from django.contrib.messages import get_messages

from connections_admin.accounts.roles import Role
from connections_admin.connections.models import Connection
from connections_admin.enrichments.models import Enrichment, EnrichmentStatus
from tests.factories import ConnectionFactory, EnrichmentFactory, SegmentFactory, UserFactory

pytestmark = pytest.mark.django_db

VALUES = {
    "leadspace": {"token": "leadspace-token-marker"},
    "here_technologies": {"api_key": "here-api-key-marker"},
    "azure_maps": {"api_key": "azure-maps-key-marker"},
}


def enrichment_connection(name, type_key="leadspace"):
    """An enrichment connection made by a user with no role and shared with nobody."""
    return ConnectionFactory(display_name=name, type_key=type_key, values=dict(VALUES[type_key]))


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def row_of(html, name):
    """The list row of the enrichment called ``name`` (from its name cell to the row's end)."""
    marker = f'<th scope="row">{name}</th>'
    assert html.count(marker) == 1, f"{name!r} is not exactly once in the list"
    return html.split(marker)[1].split("</tr>")[0]


def option_values(html, field):
    """The values of the <option>s of the <select name=field>."""
    select = re.search(rf'<select name="{field}".*?</select>', html, re.S)
    assert select, f"no select {field!r} on the page"
    return re.findall(r'<option value="([^"]*)"', select.group(0))


def option_labels(html, field):
    select = re.search(rf'<select name="{field}".*?</select>', html, re.S)
    assert select, f"no select {field!r} on the page"
    return re.findall(r"<option[^>]*>(.*?)</option>", select.group(0), re.S)


def change_urls(enrichment):
    return [
        "/enrichments/new/",
        f"/enrichments/{enrichment.pk}/edit/",
        f"/enrichments/{enrichment.pk}/deactivate/",
        f"/enrichments/{enrichment.pk}/remove/",
    ]


@pytest.fixture
def contributor(as_role):
    return as_role(Role.CONTRIBUTOR)


# --- 1. who may do what ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in_from_every_page(client, method):
    enrichment = EnrichmentFactory(name="Company data")
    other = enrichment_connection("Other leadspace")
    data = {"connection": other.pk, "segment": "", "name": "Renamed"}
    for url in ["/enrichments/", *change_urls(enrichment)]:
        response = client.post(url, data) if method == "post" else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/accounts/login/?next={url}", url
    enrichment.refresh_from_db()
    assert Enrichment.objects.count() == 1
    assert enrichment.name == "Company data"
    assert enrichment.status == EnrichmentStatus.ACTIVE
    assert enrichment.connection_id is not None and enrichment.connection_id != other.pk


@pytest.mark.parametrize("method", ["get", "post"])
def test_viewer_is_refused_every_change_and_changes_nothing(as_role, method):
    segment = SegmentFactory(name="B2B accounts")
    enrichment = EnrichmentFactory(name="Company data", segment=segment)
    connection_id = enrichment.connection_id
    other = enrichment_connection("Other leadspace")
    client = as_role(Role.VIEWER)
    data = {"connection": other.pk, "segment": "", "name": "Renamed"}
    for url in change_urls(enrichment):
        response = client.post(url, data) if method == "post" else client.get(url)
        assert response.status_code == 403, url
    enrichment.refresh_from_db()
    assert Enrichment.objects.count() == 1
    assert enrichment.name == "Company data"
    assert enrichment.connection_id == connection_id
    assert enrichment.segment_id == segment.pk
    assert enrichment.status == EnrichmentStatus.ACTIVE


def test_viewer_sees_the_list(as_role):
    EnrichmentFactory(name="Company data")
    client = as_role(Role.VIEWER)
    response = client.get("/enrichments/")
    assert response.status_code == 200
    assert '<th scope="row">Company data</th>' in response.content.decode()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.ADMIN])
def test_the_list_only_answers_get(as_role, role):
    EnrichmentFactory(name="Company data")
    response = as_role(role).post("/enrichments/", {"name": "x"})
    assert response.status_code == 405
    assert Enrichment.objects.count() == 1


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.ADMIN])
def test_contributors_and_admins_open_every_page(as_role, role):
    enrichment = EnrichmentFactory(name="Company data")
    client = as_role(role)
    for url in ["/enrichments/", *change_urls(enrichment)]:
        response = client.get(url)
        assert response.status_code == 200, url
    # Opening a confirmation page changes nothing.
    enrichment.refresh_from_db()
    assert enrichment.status == EnrichmentStatus.ACTIVE
    assert enrichment.connection_id is not None


@pytest.mark.parametrize("action", ["deactivate", "remove"])
def test_confirm_pages_name_the_enrichment(contributor, action):
    enrichment = EnrichmentFactory(name="Company data")
    html = contributor.get(f"/enrichments/{enrichment.pk}/{action}/").content.decode()
    assert "“Company data”" in html
    assert f'action="/enrichments/{enrichment.pk}/{action}/"' in html


@pytest.mark.parametrize("action", ["edit", "deactivate", "remove"])
def test_pages_of_a_missing_enrichment_are_404(contributor, action):
    assert contributor.get(f"/enrichments/999999/{action}/").status_code == 404


# --- 2. create -----------------------------------------------------------------------------


@pytest.mark.parametrize("with_segment", [False, True], ids=["all-customers", "segment"])
def test_contributor_creates_an_enrichment(client, contributor_user, with_segment):
    client.force_login(contributor_user)
    SegmentFactory(name="Another segment")
    segment = SegmentFactory(name="B2B accounts")
    connection = enrichment_connection("Geo lookups", "here_technologies")

    form_html = client.get("/enrichments/new/").content.decode()
    assert str(connection.pk) in option_values(form_html, "connection")
    assert "All customers" in option_labels(form_html, "segment")

    response = client.post(
        "/enrichments/new/",
        {
            "connection": connection.pk,
            "segment": segment.pk if with_segment else "",
            "name": "Address geocoding",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/enrichments/"
    assert messages_of(response) == ["Enrichment “Address geocoding” was created."]

    enrichment = Enrichment.objects.get()
    assert enrichment.name == "Address geocoding"
    assert enrichment.status == EnrichmentStatus.ACTIVE
    assert enrichment.connection_id == connection.pk
    assert enrichment.type_key == "here_technologies" == connection.type_key
    assert enrichment.created_by == contributor_user
    assert enrichment.segment_id == (segment.pk if with_segment else None)

    row = row_of(client.get("/enrichments/").content.decode(), "Address geocoding")
    assert "<td>HERE Technologies</td>" in row
    assert "<td>Geo lookups</td>" in row
    assert ">Active</span>" in row
    expected_segment = "B2B accounts" if with_segment else "All customers"
    assert f"<td>{expected_segment}</td>" in row
    assert f"<td>{contributor_user.username}</td>" in row


def test_admin_creates_an_enrichment_too(admin_client, admin_user):
    connection = enrichment_connection("Company data source")
    response = admin_client.post(
        "/enrichments/new/", {"connection": connection.pk, "segment": "", "name": "Firmographics"}
    )
    assert response.status_code == 302
    enrichment = Enrichment.objects.get()
    assert enrichment.created_by == admin_user
    assert enrichment.type_key == "leadspace"
    assert enrichment.status == EnrichmentStatus.ACTIVE


def test_several_enrichments_may_share_one_connection(contributor):
    connection = enrichment_connection("Company data source")
    for name in ["Firmographics EU", "Firmographics US"]:
        response = contributor.post(
            "/enrichments/new/", {"connection": connection.pk, "segment": "", "name": name}
        )
        assert response.status_code == 302
    assert Enrichment.objects.filter(connection=connection).count() == 2


# --- 3. bad input --------------------------------------------------------------------------


CHOOSE_CONNECTION = "Choose one of the enrichment connections in the list."


def _export_connection():
    return {"connection": ConnectionFactory(display_name="Export drop").pk}


def _missing_connection():
    return {"connection": 999999}


def _no_connection():
    return {"connection": ""}


def _missing_segment():
    return {"segment": 999999}


def _empty_name():
    return {"name": ""}


def _blank_name():
    return {"name": "   "}


def _duplicate_name():
    EnrichmentFactory(name="Company Data")
    return {"name": "cOMPANY dATA"}


def _duplicate_name_with_spaces():
    EnrichmentFactory(name="Company Data")
    return {"name": "  company data  "}


def _long_name():
    return {"name": "n" * 101}


@pytest.mark.parametrize(
    ("make_overrides", "field", "message"),
    [
        (_export_connection, "connection", CHOOSE_CONNECTION),
        (_missing_connection, "connection", CHOOSE_CONNECTION),
        (_no_connection, "connection", "Choose a connection for the enrichment."),
        (_missing_segment, "segment", "Choose a segment from the list."),
        (_empty_name, "name", "This field is required."),
        (_blank_name, "name", "This field is required."),
        (_duplicate_name, "name", "An enrichment with this name already exists."),
        (_duplicate_name_with_spaces, "name", "An enrichment with this name already exists."),
        (_long_name, "name", "Ensure this value has at most 100 characters (it has 101)."),
    ],
    ids=[
        "export-connection",
        "missing-connection",
        "no-connection",
        "missing-segment",
        "empty-name",
        "blank-name",
        "duplicate-name",
        "duplicate-name-with-spaces",
        "long-name",
    ],
)
def test_bad_input_gives_a_field_error_and_saves_nothing(
    contributor, make_overrides, field, message
):
    connection = enrichment_connection("Company data source")
    segment = SegmentFactory(name="B2B accounts")
    data = {"connection": connection.pk, "segment": segment.pk, "name": "Firmographics"}
    data.update(make_overrides())
    before = set(Enrichment.objects.values_list("pk", flat=True))

    response = contributor.post("/enrichments/new/", data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field] == [message]
    assert message in response.content.decode()
    assert set(Enrichment.objects.values_list("pk", flat=True)) == before


def test_renaming_to_another_enrichments_name_is_a_field_error(contributor):
    EnrichmentFactory(name="Company Data")
    enrichment = EnrichmentFactory(name="Geo data")
    response = contributor.post(
        f"/enrichments/{enrichment.pk}/edit/",
        {"connection": enrichment.connection_id, "segment": "", "name": "company data"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["An enrichment with this name already exists."]
    }
    enrichment.refresh_from_db()
    assert enrichment.name == "Geo data"


def test_an_enrichment_keeps_its_own_name_in_another_case(contributor):
    enrichment = EnrichmentFactory(name="Geo data")
    response = contributor.post(
        f"/enrichments/{enrichment.pk}/edit/",
        {"connection": enrichment.connection_id, "segment": "", "name": "GEO DATA"},
    )
    assert response.status_code == 302
    enrichment.refresh_from_db()
    assert enrichment.name == "GEO DATA"


# --- 4. edit: only connections of the enrichment's type -------------------------------------


def test_edit_offers_only_connections_of_the_enrichments_type(contributor):
    lead_a = enrichment_connection("Lead source A", "leadspace")
    lead_b = enrichment_connection("Lead source B", "leadspace")
    here = enrichment_connection("Geo source", "here_technologies")
    ConnectionFactory(display_name="Export drop")
    enrichment = EnrichmentFactory(name="Company data", connection=lead_a)
    url = f"/enrichments/{enrichment.pk}/edit/"

    html = contributor.get(url).content.decode()
    assert option_values(html, "connection") == ["", str(lead_a.pk), str(lead_b.pk)]
    assert option_labels(html, "connection") == [
        "No connection (inactive)",
        "Lead source A (Leadspace)",
        "Lead source B (Leadspace)",
    ]
    assert "Geo source" not in html and "Export drop" not in html

    response = contributor.post(url, {"connection": here.pk, "segment": "", "name": "Company data"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"connection": [CHOOSE_CONNECTION]}
    enrichment.refresh_from_db()
    assert enrichment.connection_id == lead_a.pk
    assert enrichment.type_key == "leadspace"
    assert enrichment.status == EnrichmentStatus.ACTIVE


def test_edit_switches_to_another_connection_of_the_type(contributor):
    lead_a = enrichment_connection("Lead source A")
    lead_b = enrichment_connection("Lead source B")
    segment = SegmentFactory(name="B2B accounts")
    enrichment = EnrichmentFactory(name="Company data", connection=lead_a)
    response = contributor.post(
        f"/enrichments/{enrichment.pk}/edit/",
        {"connection": lead_b.pk, "segment": segment.pk, "name": "Company data v2"},
    )
    assert response.status_code == 302 and response["Location"] == "/enrichments/"
    assert messages_of(response) == ["Enrichment “Company data v2” was saved."]
    enrichment.refresh_from_db()
    assert enrichment.connection_id == lead_b.pk
    assert enrichment.segment_id == segment.pk
    assert enrichment.name == "Company data v2"
    assert enrichment.status == EnrichmentStatus.ACTIVE
    assert Enrichment.objects.count() == 1


def test_edit_without_a_connection_makes_it_inactive(contributor):
    segment = SegmentFactory(name="B2B accounts")
    enrichment = EnrichmentFactory(name="Company data", segment=segment)
    response = contributor.post(
        f"/enrichments/{enrichment.pk}/edit/",
        {"connection": "", "segment": segment.pk, "name": "Company data"},
    )
    assert response.status_code == 302
    enrichment.refresh_from_db()
    assert enrichment.connection_id is None
    assert enrichment.status == EnrichmentStatus.INACTIVE
    assert enrichment.type_key == "leadspace"
    assert enrichment.segment_id == segment.pk


# --- 5. deactivate -------------------------------------------------------------------------


def test_deactivate_detaches_the_connection_and_keeps_the_rest(contributor):
    segment = SegmentFactory(name="B2B accounts")
    connection = enrichment_connection("Lead source")
    enrichment = EnrichmentFactory(name="Company data", segment=segment, connection=connection)
    sibling = EnrichmentFactory(name="Company data EU", connection=connection)
    url = f"/enrichments/{enrichment.pk}/deactivate/"

    response = contributor.post(url)
    assert response.status_code == 302 and response["Location"] == "/enrichments/"
    assert messages_of(response) == [
        "Enrichment “Company data” was deactivated. Attach a connection to activate it again."
    ]
    enrichment.refresh_from_db()
    assert enrichment.connection_id is None
    assert enrichment.status == EnrichmentStatus.INACTIVE
    assert enrichment.name == "Company data"
    assert enrichment.segment_id == segment.pk
    assert enrichment.type_key == "leadspace"
    # The connection and the other enrichment using it are untouched.
    assert Connection.objects.filter(pk=connection.pk).exists()
    sibling.refresh_from_db()
    assert sibling.connection_id == connection.pk
    assert sibling.status == EnrichmentStatus.ACTIVE

    html = contributor.get("/enrichments/").content.decode()
    row = row_of(html, "Company data")
    assert "No connection" in row
    assert ">Inactive</span>" in row
    assert "Lead source" not in row
    assert "<td>Leadspace</td>" in row
    assert "<td>B2B accounts</td>" in row
    assert f'<a href="/enrichments/{enrichment.pk}/activate/" data-hx-boost="false">Activate' in row
    assert f"/enrichments/{enrichment.pk}/deactivate/" not in row
    sibling_row = row_of(html, "Company data EU")
    assert ">Active</span>" in sibling_row and "Lead source" in sibling_row
    assert f"/enrichments/{sibling.pk}/deactivate/" in sibling_row

    updated_at = enrichment.updated_at
    again = contributor.post(url)
    assert again.status_code == 302 and again["Location"] == "/enrichments/"
    assert messages_of(again) == ["Enrichment “Company data” was already inactive."]
    enrichment.refresh_from_db()
    assert enrichment.connection_id is None
    assert enrichment.status == EnrichmentStatus.INACTIVE
    assert enrichment.name == "Company data"
    assert enrichment.segment_id == segment.pk
    assert enrichment.updated_at == updated_at


def test_deactivate_of_a_missing_enrichment_is_404(contributor):
    assert contributor.post("/enrichments/999999/deactivate/").status_code == 404


# --- 6. reactivation -----------------------------------------------------------------------


def test_choosing_a_connection_of_its_type_activates_an_inactive_enrichment(contributor):
    segment = SegmentFactory(name="B2B accounts")
    enrichment = EnrichmentFactory(
        name="Old company data",
        type_key="leadspace",
        connection=None,
        status=EnrichmentStatus.INACTIVE,
        segment=segment,
    )
    lead = enrichment_connection("Lead source")
    enrichment_connection("Geo source", "here_technologies")
    url = f"/enrichments/{enrichment.pk}/edit/"

    html = contributor.get(url).content.decode()
    assert (
        "This enrichment has no connection, so it is inactive. "
        "Choose a connection of type Leadspace to activate it again."
    ) in html
    assert option_values(html, "connection") == ["", str(lead.pk)]

    response = contributor.post(
        url, {"connection": lead.pk, "segment": segment.pk, "name": "Old company data"}
    )
    assert response.status_code == 302 and response["Location"] == "/enrichments/"
    enrichment.refresh_from_db()
    assert enrichment.status == EnrichmentStatus.ACTIVE
    assert enrichment.connection_id == lead.pk
    assert enrichment.type_key == "leadspace"
    assert enrichment.segment_id == segment.pk

    row = row_of(contributor.get("/enrichments/").content.decode(), "Old company data")
    assert ">Active</span>" in row
    assert "<td>Lead source</td>" in row
    assert "No connection" not in row
    assert f"/enrichments/{enrichment.pk}/deactivate/" in row


def test_saving_an_inactive_enrichment_without_a_connection_keeps_it_inactive(contributor):
    enrichment = EnrichmentFactory(
        name="Old company data",
        type_key="leadspace",
        connection=None,
        status=EnrichmentStatus.INACTIVE,
    )
    response = contributor.post(
        f"/enrichments/{enrichment.pk}/edit/",
        {"connection": "", "segment": "", "name": "Older company data"},
    )
    assert response.status_code == 302
    enrichment.refresh_from_db()
    assert enrichment.name == "Older company data"
    assert enrichment.status == EnrichmentStatus.INACTIVE
    assert enrichment.connection_id is None


# --- 7. remove -----------------------------------------------------------------------------


def test_remove_deletes_and_a_second_remove_says_already_removed(contributor):
    enrichment = EnrichmentFactory(name="Company data")
    keep = EnrichmentFactory(name="Geo data")
    connection_id = enrichment.connection_id
    url = f"/enrichments/{enrichment.pk}/remove/"

    response = contributor.post(url)
    assert response.status_code == 302 and response["Location"] == "/enrichments/"
    assert messages_of(response) == ["Enrichment “Company data” was removed."]
    assert not Enrichment.objects.filter(pk=enrichment.pk).exists()
    assert Enrichment.objects.filter(pk=keep.pk).exists()
    assert Connection.objects.filter(pk=connection_id).exists()
    contributor.get("/enrichments/")  # shows (and so clears) the message

    again = contributor.post(url)
    assert again.status_code == 302 and again["Location"] == "/enrichments/"
    assert messages_of(again) == ["That enrichment was already removed."]
    assert list(Enrichment.objects.values_list("pk", flat=True)) == [keep.pk]
    contributor.get("/enrichments/")

    followed = contributor.post(url, follow=True)
    assert followed.status_code == 200
    assert "That enrichment was already removed." in followed.content.decode()

    assert contributor.get(url).status_code == 404


def test_remove_page_of_a_missing_enrichment_is_404(contributor):
    assert contributor.get("/enrichments/999999/remove/").status_code == 404


# --- 8. action links by role ---------------------------------------------------------------


ACTION_WORDS = ["Edit", "Deactivate", "Activate", "Remove", "Add enrichment"]


def test_viewers_see_no_action_links(as_role):
    active = EnrichmentFactory(name="Company data")
    inactive = EnrichmentFactory(
        name="Old geocoding", type_key="azure_maps", connection=None, status="inactive"
    )
    html = as_role(Role.VIEWER).get("/enrichments/").content.decode()
    assert '<th scope="row">Company data</th>' in html
    for word in ACTION_WORDS:
        assert word not in html, word
    for path in ["/enrichments/new/", *change_urls(active)[1:], *change_urls(inactive)[1:]]:
        assert path not in html, path


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.ADMIN])
def test_contributors_and_admins_see_action_links(as_role, role):
    active = EnrichmentFactory(name="Company data")
    inactive = EnrichmentFactory(
        name="Old geocoding", type_key="azure_maps", connection=None, status="inactive"
    )
    html = as_role(role).get("/enrichments/").content.decode()
    assert '<a class="button primary" href="/enrichments/new/"' in html
    assert ">Add enrichment</a>" in html
    active_row = row_of(html, "Company data")
    assert f'href="/enrichments/{active.pk}/edit/" data-hx-boost="false">Edit<' in active_row
    assert f'href="/enrichments/{active.pk}/deactivate/" data-hx-boost="false">Deactivate<' in (
        active_row
    )
    assert f'href="/enrichments/{active.pk}/remove/" data-hx-boost="false">Remove<' in active_row
    assert ">Activate<" not in active_row
    inactive_row = row_of(html, "Old geocoding")
    assert f'href="/enrichments/{inactive.pk}/edit/" data-hx-boost="false">Edit<' in inactive_row
    assert (
        f'href="/enrichments/{inactive.pk}/activate/" data-hx-boost="false">Activate<'
        in inactive_row
    )
    assert (
        f'href="/enrichments/{inactive.pk}/remove/" data-hx-boost="false">Remove<' in inactive_row
    )
    assert "Deactivate" not in inactive_row


# --- 9. sorting ----------------------------------------------------------------------------


def listed_names(client, sort):
    response = client.get("/enrichments/", {"sort": sort})
    assert response.status_code == 200, sort
    return re.findall(r'<th scope="row">(.*?)</th>', response.content.decode())


@pytest.fixture
def sortable_rows():
    """Three enrichments whose order differs by every column.

    name (case-insensitive): alpha, Bravo, charlie
    type:       Bravo (Azure Maps), charlie (HERE Technologies), alpha (Leadspace)
    connection: charlie (Ace geo), alpha (Zed lead), Bravo (none)
    status:     alpha, charlie active; Bravo inactive
    segment:    charlie (Apples), Bravo (Mangos), alpha (Zucchini)
    enriched:   Bravo 10, charlie 20, alpha 30
    created_by: charlie (adam), alpha (mia), Bravo (zoe)
    """
    EnrichmentFactory(
        name="alpha",
        connection=enrichment_connection("Zed lead", "leadspace"),
        segment=SegmentFactory(name="Zucchini"),
        enriched_customers=30,
        created_by=UserFactory(username="mia"),
    )
    EnrichmentFactory(
        name="Bravo",
        type_key="azure_maps",
        connection=None,
        status=EnrichmentStatus.INACTIVE,
        segment=SegmentFactory(name="Mangos"),
        enriched_customers=10,
        created_by=UserFactory(username="zoe"),
    )
    EnrichmentFactory(
        name="charlie",
        type_key="here_technologies",
        connection=enrichment_connection("Ace geo", "here_technologies"),
        segment=SegmentFactory(name="Apples"),
        enriched_customers=20,
        created_by=UserFactory(username="adam"),
    )


@pytest.mark.parametrize(
    ("key", "ascending"),
    [
        ("name", ["alpha", "Bravo", "charlie"]),
        ("type", ["Bravo", "charlie", "alpha"]),
        ("status", ["alpha", "charlie", "Bravo"]),
        ("segment", ["charlie", "Bravo", "alpha"]),
        ("enriched", ["Bravo", "charlie", "alpha"]),
        ("created_by", ["charlie", "alpha", "Bravo"]),
    ],
    ids=["name", "type", "status", "segment", "enriched", "created_by"],
)
def test_list_sorts_by_each_column(as_role, sortable_rows, key, ascending):
    client = as_role(Role.VIEWER)
    assert listed_names(client, key) == ascending
    descending = listed_names(client, f"-{key}")
    if key == "status":
        # Ties (the two active rows) are broken by id, reversed when descending.
        assert descending == ["Bravo", "charlie", "alpha"]
    else:
        assert descending == list(reversed(ascending))


def test_list_sorts_by_connection(as_role, sortable_rows):
    client = as_role(Role.VIEWER)
    cases = [("connection", ["charlie", "alpha"]), ("-connection", ["alpha", "charlie"])]
    for sort, expected in cases:
        names = listed_names(client, sort)
        assert sorted(names) == sorted(["alpha", "Bravo", "charlie"])
        # Where the row without a connection goes depends on the database; the others are ordered.
        assert [name for name in names if name != "Bravo"] == expected


def test_sorted_column_is_marked(as_role, sortable_rows):
    html = as_role(Role.VIEWER).get("/enrichments/", {"sort": "-type"}).content.decode()
    header = r'<th scope="col" aria-sort="descending"><a href="[^"]*sort=type[^"]*">Type<'
    assert re.search(header, html)
    assert html.count("aria-sort=") == 1


@pytest.mark.parametrize(
    "sort",
    [
        "bogus",
        "-bogus",
        "",
        "password",
        "--name",
    ],
)
def test_unknown_sort_key_falls_back_to_name(as_role, sortable_rows, sort):
    client = as_role(Role.VIEWER)
    response = client.get("/enrichments/", {"sort": sort})
    assert response.status_code == 200
    assert listed_names(client, sort) == ["alpha", "Bravo", "charlie"]
    html = response.content.decode()
    assert re.search(r'<th scope="col" aria-sort="ascending"><a href="[^"]*">Name<', html)


# --- 10. no connection settings on the form ------------------------------------------------


SFTP_IMPORT_VALUES = {
    "hostname": "files.internal-marker.example.com",
    "port": 22,
    "username": "u-marker",
    "password": "p-marker",
}


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.ADMIN])
def test_form_shows_connections_by_display_name_and_type_only(as_role, role):
    custom = ConnectionFactory(
        display_name="Custom drop", type_key="sftp_custom_import", values=SFTP_IMPORT_VALUES
    )
    lead = enrichment_connection("Lead source")
    ConnectionFactory(display_name="Export drop")  # an export connection: never offered
    enrichment = EnrichmentFactory(name="Custom data", type_key=custom.type_key, connection=custom)
    client = as_role(role)

    new_html = client.get("/enrichments/new/").content.decode()
    assert option_values(new_html, "connection") == ["", str(custom.pk), str(lead.pk)]
    assert option_labels(new_html, "connection")[1:] == [
        "Custom drop (SFTP custom import)",
        "Lead source (Leadspace)",
    ]
    assert "Export drop" not in new_html

    edit_html = client.get(f"/enrichments/{enrichment.pk}/edit/").content.decode()
    assert option_labels(edit_html, "connection")[1:] == ["Custom drop (SFTP custom import)"]

    list_html = client.get("/enrichments/").content.decode()
    for html in (new_html, edit_html, list_html):
        for secret in [
            "internal-marker",
            "u-marker",
            "p-marker",
            VALUES["leadspace"]["token"],
            "factory-leadspace-token",
        ]:
            assert secret not in html, secret


def test_a_name_of_100_characters_is_accepted_and_names_are_trimmed(contributor):
    connection = enrichment_connection("Company data source")
    long_name = "n" * 100
    for name in [long_name, "  Firmographics  "]:
        response = contributor.post(
            "/enrichments/new/", {"connection": connection.pk, "segment": "", "name": name}
        )
        assert response.status_code == 302, name
    assert sorted(Enrichment.objects.values_list("name", flat=True)) == [
        "Firmographics",
        long_name,
    ]
