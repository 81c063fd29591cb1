from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from connections_admin.accounts.permissions import role_required
from connections_admin.accounts.roles import Role
from connections_admin.core.forms import SearchForm
from connections_admin.core.htmx import render_page
from connections_admin.core.pagination import paginate

from .selectors import export_list as select_exports


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def export_list(request: HttpRequest) -> HttpResponse:
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = paginate(request, select_exports(search=query), 50)
    context = {"search_form": search, "query": query, "page": page}
    return render_page(request, "exports/list.html", context, fragment="results")
