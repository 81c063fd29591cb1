from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from connections_admin.accounts.roles import Role, role_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Admins land on Admin > Connections, everyone else on Exports."""
    if role_of(request.user) >= Role.ADMIN:
        return redirect("connections:list")
    return redirect("exports:list")
