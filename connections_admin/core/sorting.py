"""Sorting of list views by a whitelisted column, from ``?sort=name`` or ``?sort=-name``."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import QueryDict


@dataclass(frozen=True)
class SortColumn:
    key: str  # as used in the query string
    label: str
    order_by: tuple[str, ...]  # fields or annotations, ascending


@dataclass(frozen=True)
class Sort:
    column: SortColumn
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.column.key}" if self.descending else self.column.key

    def apply(self, queryset: QuerySet) -> QuerySet:
        prefix = "-" if self.descending else ""
        return queryset.order_by(*(prefix + f for f in self.column.order_by), f"{prefix}pk")


def parse_sort(params: QueryDict, columns: list[SortColumn], default: str) -> Sort:
    """The sort asked for, or ``default`` when the parameter names no known column."""
    by_key = {column.key: column for column in columns}
    raw = params.get("sort", default)
    descending = raw.startswith("-")
    column = by_key.get(raw.removeprefix("-"))
    if column is None:
        descending = default.startswith("-")
        column = by_key[default.lstrip("-")]
    return Sort(column=column, descending=descending)


@dataclass(frozen=True)
class SortHeader:
    label: str
    param: str  # the sort a click on this header asks for
    aria_sort: str | None  # "ascending" / "descending" on the sorted column


def sort_headers(sort: Sort, columns: list[SortColumn]) -> list[SortHeader]:
    """Column headers: a click sorts by the column, or reverses it if it is the sorted one."""
    headers = []
    for column in columns:
        current = column == sort.column
        reverse = current and not sort.descending
        headers.append(
            SortHeader(
                label=column.label,
                param=f"-{column.key}" if reverse else column.key,
                aria_sort=("descending" if sort.descending else "ascending") if current else None,
            )
        )
    return headers
