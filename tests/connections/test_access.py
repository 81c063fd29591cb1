"""Only admins reach Admin > Connections: anonymous users sign in, others get 403."""

import pytest
from django.urls import reverse

from connections_admin.accounts.roles import Role
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


def connection_urls():
    connection = ConnectionFactory()
    return [
        reverse("connections:list"),
        reverse("connections:discover"),
        reverse("connections:choose_type"),
        reverse("connections:new", args=["sftp"]),
        reverse("connections:edit", args=[connection.pk]),
        reverse("connections:remove", args=[connection.pk]),
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_user_is_sent_to_sign_in(client, method):
    for url in connection_urls():
        response = getattr(client, method)(url)
        if method == "post" and url.endswith(("/connections/", "/discover/", "/new/")):
            # GET-only pages still ask an anonymous user to sign in first
            pass
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
@pytest.mark.parametrize("method", ["get", "post"])
def test_viewer_and_contributor_get_403(as_role, role, method):
    client = as_role(role)
    for url in connection_urls():
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        assert b"permission" in response.content


def test_user_without_a_role_gets_403(client, make_user):
    client.force_login(make_user(Role.NONE, "nobody"))
    assert client.get(reverse("connections:list")).status_code == 403


def test_admin_opens_every_page(admin_client):
    for url in connection_urls():
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "name", ["connections:list", "connections:discover", "connections:choose_type"]
)
def test_read_only_pages_refuse_post_with_405(admin_client, name):
    assert admin_client.post(reverse(name)).status_code == 405


def test_unknown_type_and_connection_give_404(admin_client):
    assert admin_client.get(reverse("connections:new", args=["mailchimp"])).status_code == 404
    assert admin_client.get(reverse("connections:edit", args=[999999])).status_code == 404
    assert admin_client.get(reverse("connections:remove", args=[999999])).status_code == 404


def test_django_admin_lives_at_django_admin(admin_client):
    response = admin_client.get("/django-admin/")
    assert response.status_code in (200, 302)
    assert admin_client.get("/admin/").status_code == 404
