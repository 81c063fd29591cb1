"""Choose who can use this connection: stored as guardian object permissions."""

import re

import pytest
from django.contrib.auth.models import Group

from connections_admin.accounts.roles import Role
from connections_admin.connection_types.base import Usage
from connections_admin.connections.models import (
    ConnectionGroupObjectPermission,
    ConnectionUserObjectPermission,
)
from connections_admin.connections.sharing import (
    Audience,
    Sharing,
    set_sharing,
    sharing_of,
    usable_connections,
)
from tests.factories import ConnectionFactory, ExportFactory

pytestmark = pytest.mark.django_db


def edit(client, connection, **overrides):
    data = {
        "display_name": connection.display_name,
        **connection.settings,
        "version": connection.version,
        "who_can_use": "admins",
    }
    data.update(overrides)
    return client.post(f"/admin/connections/{connection.pk}/edit/", data)


def test_set_up_pane_of_an_export_type_asks_who_can_use_it(admin_client):
    html = admin_client.get("/admin/connections/new/sftp/").content.decode()
    assert "Choose who can use this connection" in html
    assert re.search(r'name="who_can_use" value="admins"[^>]*checked', html)
    assert "Administrators and contributors" in html


def test_enrichment_types_do_not_ask(admin_client):
    html = admin_client.get("/admin/connections/new/leadspace/").content.decode()
    assert "Choose who can use this connection" not in html


def test_default_is_administrators_only(admin_client, contributor_user):
    admin_client.post(
        "/admin/connections/new/sendgrid/",
        {"display_name": "Mail", "api_key": "k", "consent": "on", "who_can_use": "admins"},
    )
    assert not usable_connections(contributor_user, Usage.EXPORT).exists()
    assert not ConnectionGroupObjectPermission.objects.exists()


def test_share_with_contributors_then_unshare_keeps_exports(admin_client, contributor_user):
    connection = ConnectionFactory()
    export = ExportFactory(connection=connection)

    edit(admin_client, connection, who_can_use="contributors")
    assert list(usable_connections(contributor_user, Usage.EXPORT)) == [connection]
    row = admin_client.get("/admin/connections/").content.decode()
    assert "Administrators and contributors" in row

    connection.refresh_from_db()
    edit(admin_client, connection, who_can_use="admins")
    assert not usable_connections(contributor_user, Usage.EXPORT).exists()
    export.refresh_from_db()
    assert export.connection == connection  # unsharing keeps every export


def test_share_with_one_user_only(admin_client, make_user):
    chosen = make_user(Role.CONTRIBUTOR, "chosen-one")
    other = make_user(Role.CONTRIBUTOR, "not-chosen")
    connection = ConnectionFactory()
    response = edit(admin_client, connection, who_can_use="chosen", shared_users=[chosen.pk])
    assert response.status_code == 302
    assert list(usable_connections(chosen, Usage.EXPORT)) == [connection]
    assert not usable_connections(other, Usage.EXPORT).exists()
    assert ConnectionUserObjectPermission.objects.get().user == chosen
    row = (
        admin_client.get("/admin/connections/")
        .content.decode()
        .split(f'<th scope="row">{connection.display_name}</th>')[1]
    )
    assert "<td>chosen-one</td>" in row.split("</tr>")[0]  # who, by name
    sharing = sharing_of(connection)
    assert sharing.audience is Audience.CHOSEN and sharing.users == [chosen]


def test_share_with_a_group(admin_client, make_user):
    team = Group.objects.create(name="EMEA marketing")
    member = make_user(Role.CONTRIBUTOR, "emea-member")
    member.groups.add(team)
    connection = ConnectionFactory()
    edit(admin_client, connection, who_can_use="chosen", shared_groups=[team.pk])
    assert list(usable_connections(member, Usage.EXPORT)) == [connection]


def test_chosen_without_anyone_is_a_form_error(admin_client):
    connection = ConnectionFactory()
    response = edit(admin_client, connection, who_can_use="chosen")
    assert "Choose at least one contributor or group" in response.content.decode()
    assert sharing_of(connection).audience is Audience.ADMINS


def test_only_contributors_can_be_chosen(admin_client, make_user):
    viewer = make_user(Role.VIEWER, "just-looking")
    connection = ConnectionFactory()
    response = edit(admin_client, connection, who_can_use="chosen", shared_users=[viewer.pk])
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ConnectionUserObjectPermission.objects.exists()


def test_a_viewer_never_may_use_a_connection_even_if_shared(make_user):
    viewer = make_user(Role.VIEWER, "v")
    connection = ConnectionFactory()
    set_sharing(connection, Sharing(Audience.CHOSEN, users=[viewer]))
    assert not usable_connections(viewer, Usage.EXPORT).exists()


def test_admins_may_use_every_connection_and_contributors_every_enrichment_one(
    admin_user, contributor_user
):
    export_connection = ConnectionFactory()
    enrichment_connection = ConnectionFactory(type_key="leadspace", values={"token": "t"})
    assert list(usable_connections(admin_user, Usage.EXPORT)) == [export_connection]
    assert list(usable_connections(contributor_user, Usage.ENRICHMENT)) == [enrichment_connection]
    assert not usable_connections(contributor_user, Usage.EXPORT).exists()


def test_set_sharing_reports_whether_anything_changed():
    connection = ConnectionFactory()
    assert not set_sharing(connection, Sharing(Audience.ADMINS))
    assert set_sharing(connection, Sharing(Audience.CONTRIBUTORS))
    assert not set_sharing(connection, Sharing(Audience.CONTRIBUTORS))
