from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from .roles import Role, role_of


@login_required
@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    """Admins land on Admin > Connections, everyone else on Exports."""
    if role_of(request.user) >= Role.ADMIN:
        return redirect("connections:list")
    return redirect("exports:list")
