"""A form shown again with its errors never echoes a value HTML forbids for the input's
type: the field shows empty beside its error, as a browser would show it anyway."""

import re

import pytest

from connections_admin.accounts.roles import Role
from tests.connection_types.test_builtin_types import GOOD
from tests.factories import ConnectionFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def input_tag(html: str, name: str) -> str:
    return re.search(rf'<input [^>]*name="{name}"[^>]*>', html).group(0)


@pytest.mark.parametrize(("posted", "shown"), [("not-a-port", None), ("2222", "2222")])
def test_the_port_of_a_set_up_with_errors(admin_client, posted, shown):
    data = {"display_name": "", **GOOD["sftp"], "port": posted, "consent": "on"}
    html = admin_client.post("/admin/connections/new/sftp/", data).content.decode()
    tag = input_tag(html, "port")
    assert 'type="number"' in tag
    assert (f'value="{shown}"' in tag) if shown else ("value=" not in tag)
    assert "This field is required." in html  # the display name's error: shown again


@pytest.mark.parametrize(("posted", "shown"), [("25:99", None), ("06:30", "06:30")])
def test_the_time_of_an_export_with_errors(make_user, client, posted, shown):
    client.force_login(make_user(Role.ADMIN, "time-admin"))
    connection = ConnectionFactory()
    data = {
        "connection": connection.pk,
        "name": "",
        "segments": [SegmentFactory().pk],
        "fields": ["email"],
        "schedule": "daily",
        "schedule_time": posted,
    }
    html = client.post("/exports/new/", data).content.decode()
    tag = input_tag(html, "schedule_time")
    assert 'type="time"' in tag
    assert (f'value="{shown}"' in tag) if shown else ("value=" not in tag)
    if not shown:
        assert "Enter a valid time." in html
