import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from connections_admin.accounts.roles import Role, assign_role
from tests.servers.fixtures import (  # noqa: F401 (fixtures: real sshd and Azurite, on loopback)
    azurite_server,
    loopback_tls,
    sshd_host_key_changed,
    sshd_server,
)


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts in the default language: a request in Kazakh activates Kazakh in
    this thread (LocaleMiddleware does not deactivate it), and a later test's messages
    would follow."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def make_user(db):
    def make(role: Role, username: str | None = None):
        username = username or f"{role.name.lower()}-user"
        user = get_user_model().objects.create_user(username=username, password="pw-for-tests-1")
        assign_role(user, role)
        return user

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN, "alice-admin")


@pytest.fixture
def contributor_user(make_user):
    return make_user(Role.CONTRIBUTOR, "carl-contributor")


@pytest.fixture
def viewer_user(make_user):
    return make_user(Role.VIEWER, "vera-viewer")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def as_role(client, make_user):
    """as_role(None) is the anonymous client; as_role(Role.X) is signed in with that role."""

    def login(role: Role | None):
        if role is not None:
            client.force_login(make_user(role, f"{role.name.lower()}-{id(client)}"))
        return client

    return login
