"""The start page sends each role to where its work is."""

import pytest
from django.urls import reverse

from connections_admin.accounts.roles import Role


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.ADMIN, "connections:list"),
        (Role.CONTRIBUTOR, "exports:list"),
        (Role.VIEWER, "exports:list"),
    ],
)
def test_home_sends_each_role_to_its_landing_page(as_role, role, landing):
    client = as_role(role)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)
