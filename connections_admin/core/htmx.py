"""Rendering helpers shared by every screen: one template, its fragment a named partial."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.http import trigger_client_event


def wants_fragment(request: HttpRequest) -> bool:
    """True for an htmx request that swaps part of a page.

    A history-restore request (back/forward with an empty history cache) needs the
    whole page, never a bare fragment.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template_name: str,
    context: dict,
    *,
    fragment: str,
    status: int = 200,
) -> HttpResponse:
    """Render ``template_name#fragment`` for htmx, the whole ``template_name`` otherwise."""
    name = f"{template_name}#{fragment}" if wants_fragment(request) else template_name
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def pane_closed(event: str, message: str) -> HttpResponse:
    """Answer a successful pane or dialog submission: no content, and events for the page.

    The page's script closes the dialog, announces ``message`` in the live region,
    and the region listening for ``event`` refreshes itself.
    """
    response = HttpResponse(status=204)
    trigger_client_event(response, event)
    trigger_client_event(response, "console:message", {"text": message})
    trigger_client_event(response, "pane:close")
    return response
