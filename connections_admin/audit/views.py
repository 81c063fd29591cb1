from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from connections_admin.accounts.permissions import role_required
from connections_admin.accounts.roles import Role
from connections_admin.core.htmx import render_page
from connections_admin.core.pagination import paginate

from .forms import ActivityFilterForm
from .models import AuditEntry
from .selectors import activity_entries, history_subject


@role_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD"])
def activity(request: HttpRequest) -> HttpResponse:
    """Every change, newest first; filterable by object, type of change and user.

    With ``kind`` and ``object_id`` (a connection row's History, say) it is that object's
    history, headed with its name. Filters it cannot read, and an object the trail knows
    nothing of, show why there is nothing to list, not everything.
    """
    form = ActivityFilterForm(request.GET)
    context = {"form": form, "subject": None, "unknown_subject": False, "invalid": False}
    context["filtered"] = False
    entries = AuditEntry.objects.order_by("-at", "-pk").none()
    if not form.is_valid():
        context["invalid"] = True
    else:
        filters = form.cleaned_data
        if filters["object_id"]:
            context["subject"] = history_subject(
                kind=filters["kind"], object_id=filters["object_id"]
            )
            context["unknown_subject"] = context["subject"] is None
        if not context["unknown_subject"]:
            entries = activity_entries(**filters)
        context["filtered"] = any(filters.values())
    context["page"] = paginate(request, entries, 50)
    return render_page(request, "audit/activity.html", context, fragment="results")
