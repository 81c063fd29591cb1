from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int) -> Page:
    """The requested page; a missing, malformed or out-of-range number gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def paginate_param(
    request: HttpRequest, queryset: QuerySet, param: str, per_page: int = 25
) -> Page:
    """Like :func:`paginate`, for a page number under another name (several lists on a page)."""
    return Paginator(queryset, per_page).get_page(request.GET.get(param))
