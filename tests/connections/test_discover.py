import re

import pytest

from connections_admin.connection_types.registry import registry

pytestmark = pytest.mark.django_db


def test_a_tile_for_every_type_with_a_set_up_link(admin_client):
    html = admin_client.get("/admin/connections/discover/").content.decode()
    for connection_type in registry:
        name = str(connection_type.name).replace("&", "&amp;")
        assert f"<h3>{name}</h3>" in html
        assert re.search(
            rf'href="/admin/connections/new/{connection_type.key}/"[^>]*>Set up'
            rf'<span class="visually-hidden"> {re.escape(name)}</span></a>',
            html,
        ), connection_type.key
    assert len(re.findall(r'<li class="tile">', html)) == len(registry)


def test_tile_shows_description_use_and_limits(admin_client):
    html = admin_client.get("/admin/connections/discover/").content.decode()
    tile = html[html.index("<h3>Dynamics 365 Sales</h3>") :].split("</li>\n")[0]
    assert "Send segments to Dynamics 365 Sales" in tile
    assert "Used for" in tile and "Exports" in tile
    assert "At most 100,000 members per segment." in tile


def test_discover_tab_is_selected(admin_client):
    html = admin_client.get("/admin/connections/discover/").content.decode()
    assert re.search(r'aria-selected="true"\s+tabindex="0">Discover</a>', html)


def test_discover_runs_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        admin_client.get("/admin/connections/discover/")
