"""core/htmx.py: the fragment for htmx, the whole page otherwise, and their status."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from connections_admin.core.htmx import pane_closed, render_page, wants_fragment

pytestmark = pytest.mark.django_db


def _request(headers=None):
    request = RequestFactory().get("/admin/connections/", headers=headers or {})
    request.htmx = HtmxDetails(request)
    request.user = AnonymousUser()
    return request


def _render(request, status):
    return render_page(
        request,
        "connections/unknown_type.html",
        {"connection": {"display_name": "Old CRM", "type_key": "acme_crm", "pk": 1}},
        fragment="pane",
        status=status,
    )


def test_a_fragment_is_answered_200_whatever_the_pages_status():
    """htmx 2 swaps only 2xx answers (its default responseHandling)."""
    response = _render(_request({"HX-Request": "true"}), 409)
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert "HX-Request" in response["Vary"]


def test_the_whole_page_keeps_its_status():
    response = _render(_request(), 409)
    assert response.status_code == 409
    assert b"<html" in response.content
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_request_gets_the_whole_page_and_its_status():
    request = _request({"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert not wants_fragment(request)
    assert _render(request, 409).status_code == 409


def test_pane_closed_answers_204_with_the_events_in_order():
    """The list's refresh is asked for first, the dialog closed last (announce.js writes
    the message a moment later, into the page's live region once the dialog is closed)."""
    response = pane_closed("connections:changed", "Saved.")
    assert response.status_code == 204
    assert json.loads(response["HX-Trigger"]) == {
        "connections:changed": {},
        "console:message": {"text": "Saved."},
        "pane:close": {},
    }
    assert list(json.loads(response["HX-Trigger"])) == [
        "connections:changed",
        "console:message",
        "pane:close",
    ]
