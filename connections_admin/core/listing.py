"""A list page: searchable by name, sortable by column, fifty rows a page."""

from collections.abc import Callable, Sequence

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from .forms import SearchForm
from .htmx import render_page
from .pagination import paginate
from .sorting import SortColumn, parse_sort, sort_headers

PER_PAGE = 50


def render_list(
    request: HttpRequest,
    template_name: str,
    *,
    title: str,
    columns: Sequence[SortColumn],
    rows: Callable[[str], QuerySet],
) -> HttpResponse:
    """``template_name`` with the page of ``rows(search)`` asked for, sorted (by name unless
    the request says otherwise); its ``results`` partial for htmx."""
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    sort = parse_sort(request.GET, columns, default="name")
    context = {
        "title": title,
        "search_form": search,
        "query": query,
        "sort": sort,
        "sort_headers": sort_headers(sort, columns),
        "page": paginate(request, sort.apply(rows(query)), PER_PAGE),
    }
    return render_page(request, template_name, context, fragment="results")
