"""Paging of list views.

:class:`KeysFirstPaginator` fetches a page of a queryset in one query shaped as
``WHERE pk IN (SELECT pk ... ORDER BY <sort keys> LIMIT 50 OFFSET n) ORDER BY <sort keys>``:
the inner query computes only the sort keys (served by an index where one exists),
and the columns a page shows (counts, permission flags, joined rows) are computed for
the rows of that page only, however many rows the list has. SQLite in particular
computes every selected column before sorting, so without this a sort on a computed
column would compute every column of every row.

The keys are compared with :func:`core.lookups.among` (``= ANY(ARRAY(...))`` on
PostgreSQL), so the outer query reads the page's rows by primary key.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from .lookups import among


def _pages_by_keys(queryset) -> bool:
    if not isinstance(queryset, QuerySet) or not queryset.ordered:
        return False
    query = queryset.query
    return (
        queryset._fields is None  # not a values() query
        and not query.combinator
        and not query.distinct
        and not query.is_sliced
        and query.can_filter()
    )


class KeysFirstPaginator(Paginator):
    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if _pages_by_keys(rows):
            rows = rows.filter(among("pk", rows.values("pk")[bottom:top]))
        else:
            rows = rows[bottom:top]
        return self._get_page(rows, number, self)


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int) -> Page:
    """The requested page; a missing, malformed or out-of-range number gives the nearest page."""
    return KeysFirstPaginator(queryset, per_page).get_page(request.GET.get("page"))


def paginate_param(
    request: HttpRequest, queryset: QuerySet, param: str, per_page: int = 25, count=None
) -> Page:
    """Like :func:`paginate`, for a page number under another name (several lists on a
    page); ``count``, when the caller already knows how many rows there are, saves the
    COUNT query."""
    paginator = KeysFirstPaginator(queryset, per_page)
    if count is not None:
        paginator.__dict__["count"] = count  # Paginator.count is a cached_property
    return paginator.get_page(request.GET.get(param))
