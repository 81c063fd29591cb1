import pytest
from django.urls import reverse

from connections_admin.accounts.roles import Role, assign_role, role_of

pytestmark = pytest.mark.django_db


def test_sign_in_page_has_labelled_fields_and_a_sign_in_button(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">Username:</label>' in html
    assert '<label for="id_password">Password:</label>' in html
    assert '<button type="submit" class="primary">Sign in</button>' in html


def test_signing_in_takes_an_admin_to_connections(client, admin_user):
    response = client.post(
        "/accounts/login/", {"username": "alice-admin", "password": "pw-for-tests-1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/admin/connections/"


def test_signing_in_takes_a_contributor_to_exports(client, contributor_user):
    response = client.post(
        "/accounts/login/",
        {"username": "carl-contributor", "password": "pw-for-tests-1"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/exports/"


def test_wrong_password_says_so_and_stays_signed_out(client, admin_user):
    response = client.post("/accounts/login/", {"username": "alice-admin", "password": "nope"})
    assert response.status_code == 200
    assert "The username or password is not right." in response.content.decode()
    assert client.get("/admin/connections/").status_code == 302


def test_sign_in_follows_next_but_never_off_site(client, admin_user):
    data = {"username": "alice-admin", "password": "pw-for-tests-1"}
    response = client.post("/accounts/login/?next=/admin/connections/discover/", data)
    assert response["Location"] == "/admin/connections/discover/"
    client.logout()
    response = client.post("/accounts/login/?next=https://evil.example.com/", data)
    assert response["Location"] == "/"


def test_sign_out_is_a_post_and_ends_the_session(admin_client):
    assert admin_client.get("/accounts/logout/").status_code == 405
    response = admin_client.post("/accounts/logout/")
    assert response["Location"] == reverse("login")
    assert admin_client.get("/admin/connections/").status_code == 302


@pytest.mark.parametrize(
    ("role", "label", "sees_connections"),
    [
        (Role.VIEWER, "Viewer", False),
        (Role.CONTRIBUTOR, "Contributor", False),
        (Role.ADMIN, "Admin", True),
    ],
)
def test_header_shows_user_role_and_navigation(as_role, role, label, sees_connections):
    client = as_role(role)
    html = client.get("/exports/").content.decode()
    assert f'<span class="user-role">{label}</span>' in html
    assert f"{role.name.lower()}-" in html  # the username
    assert 'href="/exports/"' in html and 'href="/enrichments/"' in html
    assert ('href="/admin/connections/"' in html) is sees_connections
    assert ">Sign out</button>" in html


def test_anonymous_home_goes_to_sign_in(client):
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_roles_include_the_ones_before(make_user):
    admin = make_user(Role.ADMIN, "a")
    assert role_of(admin) >= Role.CONTRIBUTOR >= Role.VIEWER
    assign_role(admin, Role.VIEWER)
    assert role_of(admin) is Role.VIEWER


def test_superuser_is_an_admin(db):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="x")
    assert role_of(root) is Role.ADMIN


def test_inactive_user_has_no_role(make_user):
    user = make_user(Role.ADMIN, "gone")
    user.is_active = False
    assert role_of(user) is Role.NONE
