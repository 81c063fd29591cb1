import pytest

pytestmark = pytest.mark.django_db


def test_htmx_request_after_session_expired_redirects_the_whole_page(client):
    response = client.get(
        "/admin/connections/?sort=type",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://testserver/admin/connections/?sort=type",
        },
    )
    assert response.status_code == 200
    assert (
        response["HX-Redirect"] == "/accounts/login/?next=%2Fadmin%2Fconnections%2F%3Fsort%3Dtype"
    )
    assert response.content == b""


def test_plain_request_after_session_expired_gets_a_normal_redirect(client):
    response = client.get("/admin/connections/")
    assert response.status_code == 302
    assert "HX-Redirect" not in response
