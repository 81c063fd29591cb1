from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int) -> Page:
    """The requested page; a missing, malformed or out-of-range number gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
