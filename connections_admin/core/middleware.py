from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    """Never swap a sign-in form into a fragment.

    When an htmx request is redirected to the sign-in page (the session expired),
    tell htmx to load the sign-in page as a whole page instead, coming back to the
    page the user was on.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code not in (301, 302):
            return response
        login_path = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path != login_path:
            return response
        current = urlsplit(request.htmx.current_url or "")
        next_url = current.path + (f"?{current.query}" if current.query else "")
        target = login_path + (f"?{urlencode({'next': next_url})}" if current.path else "")
        return HttpResponseClientRedirect(target)


class NoStoreMiddleware:
    """Signed-in pages show connection settings and names: never let a cache keep them.

    Responses that already say how to cache (static files, explicit decorators) are
    left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        return response
