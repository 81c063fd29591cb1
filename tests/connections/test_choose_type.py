"""Add connection: the list of types to choose from, with a filter box that works as a
plain GET form (and as you type with htmx), and the pane dialog's Close button."""

import re

import pytest

from connections_admin.accounts.roles import Role

pytestmark = pytest.mark.django_db
CHOOSE = "/admin/connections/new/"
HTMX = {"HX-Request": "true"}


def type_links(html: str) -> list[str]:
    return re.findall(r'href="/admin/connections/new/(\w+)/"', html)


def test_the_filter_is_a_labelled_search_form_that_works_without_javascript(admin_client):
    html = admin_client.get(CHOOSE).content.decode()
    form = re.search(
        r'<form method="get" action="/admin/connections/new/"[^>]*>.*?</form>', html, re.S
    )
    assert form, "no GET form to filter the types"
    form = form.group(0)
    assert 'role="search"' in form
    assert '<label for="type-q">' in form
    assert re.search(r'<input type="search" id="type-q" name="q"', form)
    assert "<button" in form


def test_without_a_filter_every_type_is_listed(admin_client):
    links = type_links(admin_client.get(CHOOSE).content.decode())
    assert "sftp" in links and "leadspace" in links and "azure_maps" in links


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "pane"])
def test_the_filter_keeps_the_types_whose_name_or_description_matches(admin_client, headers):
    html = admin_client.get(CHOOSE, {"q": "azure"}, headers=headers).content.decode()
    links = type_links(html)
    assert set(links) == {
        "azure_blob_storage",
        "azure_data_lake_gen2",
        "azure_synapse",
        "azure_maps",
    }
    assert 'value="azure"' in html
    # by what it does, too, whatever the case
    links = type_links(admin_client.get(CHOOSE, {"q": "GEOCODING"}).content.decode())
    assert set(links) == {"here_technologies"}


def test_a_group_with_no_match_is_left_out(admin_client):
    html = admin_client.get(CHOOSE, {"q": "leadspace"}).content.decode()
    assert "For Enrichments" in html
    assert "For Exports" not in html


def test_no_match_says_so(admin_client):
    html = admin_client.get(CHOOSE, {"q": "zzz-nothing"}).content.decode()
    assert type_links(html) == []
    assert "No connection type matches “zzz-nothing”." in html


def test_typing_asks_for_the_list_alone(admin_client):
    """As you type, htmx asks for the list only; it replaces the list, not the box."""
    html = admin_client.get(CHOOSE).content.decode()
    box = re.search(r'<form method="get" action="/admin/connections/new/"[^>]*>', html).group(0)
    assert 'data-hx-get="/admin/connections/new/"' in box
    assert 'data-hx-target="#type-results"' in box
    assert 'data-hx-push-url="false"' in box
    assert "delay:" in box
    answer = admin_client.get(
        CHOOSE, {"q": "sftp"}, headers={**HTMX, "HX-Target": "type-results"}
    ).content.decode()
    assert 'id="type-q"' not in answer and "<h2" not in answer
    assert "sftp" in type_links(answer)
    assert re.search(r'id="type-count"[^>]*data-hx-swap-oob', answer)
    # SFTP and SFTP custom import by name; Marketing Cloud and LiveRamp go over SFTP
    assert "4 types found" in answer


def test_a_filter_too_long_lists_every_type(admin_client):
    response = admin_client.get(CHOOSE, {"q": "x" * 500})
    assert response.status_code == 200
    assert "sftp" in type_links(response.content.decode())


def test_only_admins_may_filter(as_role):
    assert as_role(Role.CONTRIBUTOR).get(CHOOSE, {"q": "sftp"}).status_code == 403


def test_the_dialog_has_a_close_button_at_its_top(admin_client):
    html = admin_client.get("/admin/connections/").content.decode()
    dialog = re.search(r'<dialog id="pane-dialog"[^>]*>(.*?)</dialog>', html, re.S).group(1)
    close = re.search(
        r'<form method="dialog"[^>]*>\s*<button[^>]*>.*?</button>\s*</form>', dialog, re.S
    )
    assert close, "no close button in the dialog"
    assert dialog.index(close.group(0)) < dialog.index('id="pane-body"')
    assert 'aria-label="Close"' in close.group(0)
    assert 'type="submit"' in close.group(0)
