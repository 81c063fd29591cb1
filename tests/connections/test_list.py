import re

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections_admin.accounts.roles import Role, role_group
from connections_admin.connections.models import Connection
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory

HTMX = {"HX-Request": "true"}

pytestmark = pytest.mark.django_db
LIST = "/admin/connections/"


def row_names(response) -> list[str]:
    return re.findall(r'<th scope="row">([^<]*)</th>', response.content.decode())


def test_row_shows_every_column(admin_client, admin_user):
    connection = ConnectionFactory(display_name="Weekly partner drop", user=admin_user)
    ExportFactory.create_batch(2, connection=connection)
    leadspace = ConnectionFactory(
        display_name="Firmographics", type_key="leadspace", values={"token": "t-123"}
    )
    EnrichmentFactory(connection=leadspace)

    html = admin_client.get(LIST).content.decode()

    row = html[html.index("Weekly partner drop") :].split("</tr>")[0]
    assert "SFTP" in row
    assert "Exports" in row  # used for
    assert "Administrators" in row and "contributors" not in row
    assert re.search(r'class="number">2<', row)  # two exports
    assert re.search(r'class="number">0<', row)  # no enrichments
    assert "by alice-admin" in row
    enrichment_row = html[html.index("Firmographics") :].split("</tr>")[0]
    assert "Leadspace" in enrichment_row and "Enrichments" in enrichment_row
    assert "Administrators and contributors" in enrichment_row


def test_shared_export_connection_says_contributors_may_use_it(admin_client):
    from guardian.shortcuts import assign_perm

    connection = ConnectionFactory(display_name="Shared drop")
    assign_perm("connections.use_connection", role_group(Role.CONTRIBUTOR), connection)
    row = admin_client.get(LIST).content.decode().split("Shared drop")[1].split("</tr>")[0]
    assert "Administrators and contributors" in row


def test_each_row_has_a_named_ellipsis_menu_with_edit_and_remove(admin_client):
    connection = ConnectionFactory(display_name="Azure <b>lake</b>")
    html = admin_client.get(LIST).content.decode()
    assert "More actions for Azure &lt;b&gt;lake&lt;/b&gt;" in html
    assert "<b>lake</b>" not in html
    assert f'href="/admin/connections/{connection.pk}/edit/"' in html
    assert f'href="/admin/connections/{connection.pk}/remove/"' in html
    assert 'aria-haspopup="true"' in html
    # Without JavaScript these are plain links: the menu roles come with the script that
    # gives them the menu's keyboard behaviour (tests/browser/test_keyboard.py).
    assert 'role="menu' not in html
    menu = html[html.index(f'id="menu-{connection.pk}"') :].split("</ul>")[0]
    assert re.findall(r"<a [^>]*>([^<]+)</a>", menu) == ["Edit", "Verify", "Remove", "History"]


def test_row_links_open_edit_and_remove_in_the_pane_with_htmx(admin_client):
    connection = ConnectionFactory()
    html = admin_client.get(LIST, headers=HTMX).content.decode()
    tbody = html[html.index("<tbody") :].split(">")[0]
    # the rows aim them at the pane, without a history entry
    assert 'data-hx-target="#pane-body"' in tbody and 'data-hx-push-url="false"' in tbody
    assert f'data-hx-get="/admin/connections/{connection.pk}/edit/"' in html
    assert f'data-hx-get="/admin/connections/{connection.pk}/remove/"' in html
    pane = admin_client.get(f"/admin/connections/{connection.pk}/edit/", headers=HTMX)
    assert b"<html" not in pane.content and b'id="pane-title"' in pane.content


def test_tabs_are_an_aria_tablist_of_two_links(admin_client):
    html = admin_client.get(LIST).content.decode()
    tablist = html[html.index('role="tablist"') :].split("</div>")[0]
    assert re.search(r'<a role="tab" id="tab-connections" href="/admin/connections/"', tablist)
    assert re.search(
        r'<a role="tab" id="tab-discover" href="/admin/connections/discover/"', tablist
    )
    assert re.search(r'aria-selected="true"\s+tabindex="0">Connections</a>', tablist)
    assert 'role="tabpanel"' in html and 'aria-labelledby="tab-connections"' in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["alpha", "Bravo", "charlie"]),
        ("-name", ["charlie", "Bravo", "alpha"]),
        ("type", ["Bravo", "charlie", "alpha"]),  # Leadspace < Marketo < SFTP
        ("used_for", ["Bravo", "alpha", "charlie"]),  # Enrichments < Exports, then by pk
        ("exports", ["Bravo", "charlie", "alpha"]),
        ("-exports", ["alpha", "charlie", "Bravo"]),
        ("enrichments", ["alpha", "charlie", "Bravo"]),
        ("created", ["alpha", "Bravo", "charlie"]),
        ("-created", ["charlie", "Bravo", "alpha"]),
        ("who", ["alpha", "charlie", "Bravo"]),
        ("nonsense", ["alpha", "Bravo", "charlie"]),  # unknown sort: the default
    ],
)
def test_sortable_by_every_column(admin_client, sort, expected):
    alpha = ConnectionFactory(display_name="alpha")
    bravo = ConnectionFactory(display_name="Bravo", type_key="leadspace", values={"token": "x"})
    charlie = ConnectionFactory(
        display_name="charlie",
        type_key="marketo",
        values={"client_id": "c", "client_secret": "s", "rest_hostname": "a.mktorest.com"},
    )
    ExportFactory.create_batch(3, connection=alpha)
    ExportFactory(connection=charlie)
    EnrichmentFactory(connection=bravo)
    response = admin_client.get(LIST, {"sort": sort})
    assert response.status_code == 200
    assert row_names(response) == expected


def test_sorted_column_header_has_aria_sort_and_reverses(admin_client):
    ConnectionFactory()
    html = admin_client.get(LIST, {"sort": "exports"}).content.decode()
    assert re.search(
        r'<th scope="col" aria-sort="ascending">\s*<a href="\?sort=-exports" id="sort-exports">',
        html,
    )


@pytest.mark.parametrize(("query", "expected"), [("weekly", ["Weekly SFTP"]), ("leadsp", ["B2B"])])
def test_search_by_name_and_by_type(admin_client, query, expected):
    ConnectionFactory(display_name="Weekly SFTP")
    ConnectionFactory(display_name="B2B", type_key="leadspace", values={"token": "x"})
    response = admin_client.get(LIST, {"q": query})
    assert row_names(response) == expected


def test_search_without_match_says_so(admin_client):
    ConnectionFactory()
    html = admin_client.get(LIST, {"q": "zzz"}).content.decode()
    assert "No connection matches “zzz”" in html


def test_empty_list_offers_a_next_step(admin_client):
    html = admin_client.get(LIST).content.decode()
    assert "There are no connections yet" in html
    assert "Add connection" in html


def test_fifty_rows_a_page(admin_client, admin_user):
    Connection.objects.bulk_create(
        Connection(display_name=f"Conn {i:03d}", type_key="sendgrid") for i in range(51)
    )
    first = admin_client.get(LIST)
    assert len(row_names(first)) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = admin_client.get(LIST, {"page": 2})
    assert row_names(second) == ["Conn 050"]
    assert admin_client.get(LIST, {"page": "999"}).status_code == 200
    assert admin_client.get(LIST, {"page": "x"}).status_code == 200


def test_htmx_request_gets_the_tabs_fragment_and_history_restore_the_page(admin_client):
    ConnectionFactory(display_name="Fragmented")
    fragment = admin_client.get(LIST, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content
    assert b"Fragmented" in fragment.content and b'role="tablist"' in fragment.content
    assert "HX-Request" in fragment["Vary"]
    restore = admin_client.get(
        LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert b"<html" in restore.content


def test_the_tabs_refresh_themselves_when_a_connection_changed(admin_client):
    """Declared in the markup: "connections:changed" (sent by a pane after a change) makes
    the tabs' container GET the address shown (hx-get=""), without a history entry."""
    html = admin_client.get(LIST, {"q": "x", "sort": "-type"}).content.decode()
    container = re.search(r'<div id="admin-connections"[^>]*>', html).group(0)
    assert 'data-hx-get=""' in container
    assert 'data-hx-trigger="connections:changed from:body"' in container
    assert 'data-hx-target="#admin-connections"' in container
    assert "hx-push-url" not in container  # boosted links push by themselves; the refresh must not
    tablist = html[html.index('role="tablist"') :].split("</div>")[0]
    assert tablist.count('data-hx-push-url="true"') == 2  # the tabs (not boosted: they have hx-get)


def add_connections(count: int, creator) -> None:
    """``count`` more connections, each with a creator, some with exports."""
    start = Connection.objects.count()
    Connection.objects.bulk_create(
        Connection(display_name=f"Bulk {start + i}", type_key="sftp", created_by=creator)
        for i in range(count)
    )
    for connection in Connection.objects.order_by("-pk")[:3]:
        ExportFactory(connection=connection)


@pytest.mark.parametrize("sort", ["status", "-status", "name", "-exports", "who", "type"])
def test_query_count_does_not_grow_with_rows(admin_client, admin_user, sort):
    add_connections(5, admin_user)
    admin_client.get(LIST)  # warm the session

    with CaptureQueriesContext(db) as small:
        admin_client.get(LIST, {"sort": sort})
    add_connections(195, admin_user)
    with CaptureQueriesContext(db) as large:
        response = admin_client.get(LIST, {"sort": sort})
    assert len(row_names(response)) == 50
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(large.captured_queries) <= 8


def test_the_connection_just_set_up_is_marked_and_named(admin_client):
    older = ConnectionFactory(display_name="Older drop")
    new = ConnectionFactory(display_name="New drop")
    html = admin_client.get(LIST, {"sort": "-created", "created": new.pk}).content.decode()
    assert row_names(admin_client.get(LIST, {"sort": "-created"}))[0] == "New drop"
    marked = re.search(rf'<tr id="connection-{new.pk}"[^>]*>', html).group(0)
    assert 'class="row-created"' in marked and 'aria-current="true"' in marked
    new_row = html[html.index(marked) :].split("</tr>")[0]
    assert "Just set up" in new_row
    other = re.search(rf'<tr id="connection-{older.pk}"[^>]*>', html).group(0)
    assert "row-created" not in other and "aria-current" not in other
    # only one "Just set up"; none without the parameter, and nonsense is ignored
    assert html.count("Just set up") == 1
    assert "Just set up" not in admin_client.get(LIST).content.decode()
    for bad in ["x", "-1", "9" * 30, str(new.pk + 100)]:
        response = admin_client.get(LIST, {"created": bad})
        assert response.status_code == 200 and "row-created" not in response.content.decode()


def test_no_template_comment_leaks_into_the_page(admin_client):
    # {# #} comments are single-line in Django: a multi-line one is printed as text
    for url in (LIST, "/admin/connections/discover/"):
        html = admin_client.get(url).content.decode()
        assert "{#" not in html and "#}" not in html, url
