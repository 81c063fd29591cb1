"""Error reports hide secrets whatever DEBUG says (issue 13, item 21): the technical 500
page of make run (DEBUG on) shows no typed password, client secret or key."""

import sys

import pytest
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter

from connections_admin.connection_types.registry import registry
from connections_admin.connections.forms import ConnectionForm

pytestmark = pytest.mark.django_db
SECRET_NAMES = sorted({name for t in registry for name in t.secret_names()})


def typed(name: str) -> str:
    return f"typed-{name}-value-91"


def crash_with_secrets_in_locals(posted):
    values = {"hostname": "sftp.example.com", "nested": [{"client_secret": typed("nested")}]}
    password = typed("local")
    cleaned_data = dict(posted.items())
    raise RuntimeError(f"crash with {len(values)} {len(password)} {len(cleaned_data)}")


@pytest.mark.parametrize("debug", [True, False])
def test_the_technical_500_page_hides_posted_and_local_secrets(settings, debug):
    settings.DEBUG = debug
    data = {name: typed(name) for name in SECRET_NAMES}
    data["display_name"] = "Shown display name"
    request = RequestFactory().post("/exports/new/", data)  # a view with no marks at all
    try:
        crash_with_secrets_in_locals(request.POST)
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
    secrets = [typed(name) for name in [*SECRET_NAMES, "nested", "local"]]
    for report in (reporter.get_traceback_html(), reporter.get_traceback_text()):
        assert [secret for secret in secrets if secret in report] == []
        assert "Shown display name" in report  # what is not a secret stays visible


@pytest.mark.parametrize("type_key", [t.key for t in registry])
def test_a_crash_in_the_set_up_pane_under_debug_shows_no_typed_secret(
    settings, admin_user, monkeypatch, type_key
):
    settings.DEBUG = True

    def crash(self):
        raise RuntimeError("crash while saving")

    monkeypatch.setattr(ConnectionForm, "is_valid", crash)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    connection_type = registry.get(type_key)
    data = {name: typed(name) for name in connection_type.fields}
    data["display_name"] = "Crashing"
    response = client.post(f"/admin/connections/new/{type_key}/", data)
    assert response.status_code == 500
    page = response.content.decode()
    assert "crash while saving" in page  # the technical page, not the plain 500 page
    for name in connection_type.secret_names():
        assert typed(name) not in page, name
