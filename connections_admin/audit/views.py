from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from connections_admin.accounts.permissions import role_required
from connections_admin.accounts.roles import Role
from connections_admin.core.htmx import render_page
from connections_admin.core.pagination import paginate

from .forms import ActivityFilterForm
from .models import AuditEntry


@role_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD"])
def activity(request: HttpRequest) -> HttpResponse:
    """Every change, newest first; filterable by object, type of change and user."""
    form = ActivityFilterForm(request.GET)
    entries = AuditEntry.objects.order_by("-at", "-pk")
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("q"):
        entries = entries.filter(object_name__icontains=filters["q"])
    if filters.get("action"):
        entries = entries.filter(action=filters["action"])
    if filters.get("user"):
        entries = entries.filter(actor_name__iexact=filters["user"])
    if filters.get("kind"):
        entries = entries.filter(object_kind=filters["kind"])
    if filters.get("object_id"):
        entries = entries.filter(object_id=filters["object_id"])
    context = {"form": form, "page": paginate(request, entries, 50), "filtered": bool(filters)}
    return render_page(request, "audit/activity.html", context, fragment="results")
