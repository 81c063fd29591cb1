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
    """Render ``template_name#fragment`` for htmx, the whole ``template_name`` otherwise.

    ``status`` is the whole page's. A fragment is always answered 200: it is content to
    show (a pane explaining why an action cannot go ahead, say), and htmx 2 swaps only
    2xx answers; it treats any other as a failed request and shows nothing of it.
    """
    if wants_fragment(request):
        name, status = f"{template_name}#{fragment}", 200
    else:
        name = template_name
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
