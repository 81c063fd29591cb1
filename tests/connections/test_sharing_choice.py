"""The sharing part of Set up / Edit: checkbox lists with a filter, shown for "chosen" only;
and the Connections tab naming who may use each connection."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections_admin.accounts.roles import Role
from connections_admin.connections.models import Connection
from connections_admin.connections.sharing import Audience, Sharing, set_sharing
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db
LIST = "/admin/connections/"
HTMX = {"HX-Request": "true"}


def sharing_part(html):
    return html[html.index('<div class="sharing"') :].split('<fieldset class="consent"')[0]


# --- the form --------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_chosen_people_are_checkboxes_not_a_ctrl_click_list(admin_client, make_user, headers):
    make_user(Role.CONTRIBUTOR, "aigerim")
    Group.objects.create(name="EMEA marketing")
    html = sharing_part(
        admin_client.get("/admin/connections/new/sftp/", headers=headers).content.decode()
    )
    assert "<select" not in html and "multiple" not in html
    assert re.search(r'<input type="checkbox" name="shared_users" value="\d+"', html)
    assert re.search(r'<input type="checkbox" name="shared_groups" value="\d+"', html)
    assert "aigerim" in html and "EMEA marketing" in html
    # each list has a filter box, shown by the script (useless without it)
    for list_id in ("shared-users-list", "shared-groups-list"):
        box = re.search(rf'<input type="search"[^>]*aria-controls="{list_id}"[^>]*>', html)
        assert box, list_id
    assert html.count("data-checklist-filter hidden") == 2


def test_chosen_lists_are_marked_to_show_only_for_that_choice(admin_client):
    html = sharing_part(admin_client.get("/admin/connections/new/sftp/").content.decode())
    # in the page (without JavaScript everything is shown); sharing.js hides them unless
    # "Administrators and chosen users or groups" is picked
    chosen = re.search(
        r'<div class="sharing-chosen" id="sharing-chosen" data-shown-for="chosen"[^>]*>', html
    )
    assert chosen and "hidden" not in chosen.group(0)


def test_the_script_is_on_the_pages_that_show_the_pane(admin_client):
    for url in (LIST, "/admin/connections/discover/", "/admin/connections/new/sftp/"):
        html = admin_client.get(url).content.decode()
        assert len(re.findall(r'<script src="/static/js/sharing\.js[^"]*" defer>', html)) == 1, url


def test_empty_groups_say_why(admin_client, make_user):
    make_user(Role.CONTRIBUTOR, "aigerim")
    html = sharing_part(admin_client.get("/admin/connections/new/sftp/").content.decode())
    assert "There are no groups yet." in html
    assert 'name="shared_groups"' not in html


def test_empty_contributors_say_why(admin_client):
    html = sharing_part(admin_client.get("/admin/connections/new/sftp/").content.decode())
    assert "No one has the Contributor role yet." in html


def test_chosen_people_are_named_by_full_name_and_username(admin_client, make_user):
    user = make_user(Role.CONTRIBUTOR, "aigerim")
    user.first_name, user.last_name = "Aigerim", "Bekova"
    user.save()
    html = sharing_part(admin_client.get("/admin/connections/new/sftp/").content.decode())
    assert "Aigerim Bekova (aigerim)" in html


def test_edit_checks_the_chosen_ones(admin_client, make_user):
    chosen = make_user(Role.CONTRIBUTOR, "aigerim")
    make_user(Role.CONTRIBUTOR, "dana")
    connection = ConnectionFactory()
    set_sharing(connection, Sharing(Audience.CHOSEN, users=[chosen]))
    html = sharing_part(
        admin_client.get(f"/admin/connections/{connection.pk}/edit/").content.decode()
    )
    assert re.search(rf'name="shared_users" value="{chosen.pk}"[^>]*checked', html)
    assert len(re.findall(r'name="shared_users" value="\d+"[^>]*checked', html)) == 1


# --- the Connections tab's "Who can use it" --------------------------------------------------


def who_cell(html, name):
    row = html[html.index(f'<th scope="row">{name}</th>') :].split("</tr>")[0]
    return re.findall(r"<td>(.*?)</td>", row, re.S)[2].strip()


def people(make_user, *names):
    users = []
    for name in names:
        user = make_user(Role.CONTRIBUTOR, name.lower())
        user.first_name = name
        user.save()
        users.append(user)
    return users


def test_who_can_use_it_names_the_chosen(admin_client, make_user):
    one, two, three = people(make_user, "Aigerim", "Dana", "Yerlan")
    group = Group.objects.create(name="EMEA marketing")
    nameless = make_user(Role.CONTRIBUTOR, "no-first-name")
    single = ConnectionFactory(display_name="Single")
    set_sharing(single, Sharing(Audience.CHOSEN, users=[one]))
    pair = ConnectionFactory(display_name="Pair")
    set_sharing(pair, Sharing(Audience.CHOSEN, users=[three, one]))
    many = ConnectionFactory(display_name="Many")
    set_sharing(many, Sharing(Audience.CHOSEN, users=[one, two, three, nameless], groups=[group]))
    groups_only = ConnectionFactory(display_name="Groups only")
    set_sharing(groups_only, Sharing(Audience.CHOSEN, groups=[group]))
    username_only = ConnectionFactory(display_name="Username only")
    set_sharing(username_only, Sharing(Audience.CHOSEN, users=[nameless]))
    html = admin_client.get(LIST).content.decode()
    assert who_cell(html, "Single") == "Aigerim"
    assert who_cell(html, "Pair") == "Aigerim and Yerlan"
    assert who_cell(html, "Many") == "Aigerim, Dana and 3 more"
    assert who_cell(html, "Groups only") == "EMEA marketing"
    assert who_cell(html, "Username only") == "no-first-name"


def shared_connections(count, start, users, groups):
    Connection.objects.bulk_create(
        Connection(display_name=f"Shared {start + i:04d}", type_key="sftp") for i in range(count)
    )
    for connection in Connection.objects.filter(display_name__startswith="Shared").order_by("-pk")[
        :count
    ]:
        set_sharing(connection, Sharing(Audience.CHOSEN, users=users, groups=groups))


def test_naming_who_can_use_it_costs_the_same_queries_with_rows_and_sharing(
    admin_client, make_user
):
    few = people(make_user, "Aigerim")
    shared_connections(5, 0, few, [])
    admin_client.get(LIST)
    with CaptureQueriesContext(db) as small:
        admin_client.get(LIST)
    crowd = people(make_user, *[f"Person{i}" for i in range(12)])
    groups = [Group.objects.create(name=f"Team {i}") for i in range(4)]
    shared_connections(195, 5, crowd, groups)
    with CaptureQueriesContext(db) as large:
        response = admin_client.get(LIST)
    assert len(small.captured_queries) == len(large.captured_queries)
    assert "Person0, Person1 and 14 more" in response.content.decode()


def test_a_page_without_chosen_sharing_costs_the_same_queries_as_one_with_it(
    admin_client, make_user
):
    """The benchmark compares each page at 10 and at 10,000 connections: whether the page
    shown happens to hold a connection shared with chosen people must not change the count."""
    ConnectionFactory.create_batch(3)  # admins only: nobody to name
    admin_client.get(LIST)
    with CaptureQueriesContext(db) as nobody:
        admin_client.get(LIST)
    shared_connections(3, 0, people(make_user, "Aigerim"), [])
    with CaptureQueriesContext(db) as named:
        response = admin_client.get(LIST)
    assert "Aigerim" in response.content.decode()
    assert len(nobody.captured_queries) == len(named.captured_queries)
