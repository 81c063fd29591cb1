"""Loading customer profiles and their segments from a CSV file (``manage.py import_customers``).

The file is UTF-8 with a header. Its columns are the customer field keys
(``customer_id`` required, any of the others) and an optional ``segments`` column: segment
names separated by ``|``, matched exactly but case-insensitively; an unknown name is an
error, segments are never created here. Row numbers count the header as row 1, like a
spreadsheet.

Two passes over the file, each streaming it (``csv.reader``, batches of ``batch_size``):

1. check every row; if any is bad, raise ``ImportFileError`` with one line per bad row and
   write nothing;
2. in one transaction: insert new and update existing customers in bulk (only the
   columns of the file change), replace the memberships of the imported customers when
   the file has a ``segments`` column, recount the segments that gained or lost members.
   After the commit, ``system_refresh()``.

Memory stays flat whatever the size of the file but for the set of customer IDs seen (to
find a customer ID given twice), a few dozen bytes per row.
"""

import csv
import decimal
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from connections_admin.segments.models import Segment

from .models import FIELDS, Customer, Membership
from .services import segments_recount, system_refresh

SEGMENTS_COLUMN = "segments"
SEGMENT_SEPARATOR = "|"
BATCH_SIZE = 5_000
MAX_REPORTED = 50


class ImportFileError(Exception):
    """The file cannot be imported; ``lines`` say why (one per bad row, at most
    ``MAX_REPORTED`` of them, then "and N more"). Nothing was written."""

    def __init__(self, summary: str, lines: list[str] | None = None):
        self.summary = summary
        self.lines = lines or []
        super().__init__("\n".join([summary, *self.lines]))


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    segments_recounted: int = 0
    # (receiver, result or exception) of the system refresh, once it ran (after commit).
    refreshed: list[tuple[Any, Any]] | None = None
    columns: list[str] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    segment_ids: list[int] | None  # None: the file has no segments column
    errors: list[str]


def import_customers(path: str | Path, *, batch_size: int = BATCH_SIZE) -> ImportResult:
    """Check then import ``path``; raises ``ImportFileError`` (nothing written) if it is
    not importable."""
    segments = {name.lower(): pk for pk, name in Segment.objects.values_list("pk", "name")}
    with _open(path) as file:
        columns = check_file(file, segments)
        file.seek(0)
        result = ImportResult(columns=columns)
        with transaction.atomic():
            affected: set[int] = set()
            for batch in _batches(_rows(file, segments), batch_size):
                _apply(batch, columns, result, affected)
            result.segments_recounted = segments_recount(affected)

            def refresh() -> None:
                result.refreshed = system_refresh(source="import_customers")

            transaction.on_commit(refresh)
    return result


def check_file(file: TextIO, segments: dict[str, int]) -> list[str]:
    """The file's columns, once every row is good; else ``ImportFileError``."""
    columns = _header(file)
    file.seek(0)
    bad = 0
    reported: list[_Row] = []  # the first MAX_REPORTED bad rows
    seen: set[str] = set()
    duplicates: dict[int, str] = {}  # reported row number -> its customer ID
    for row in _rows(file, segments):
        customer_id = row.values.get("customer_id", "")
        if customer_id in seen:
            row.errors.append("")  # "also on row N", once the first row is known
            duplicates[row.number] = customer_id
        elif customer_id:
            seen.add(customer_id)
        if row.errors:
            bad += 1
            if len(reported) < MAX_REPORTED:
                reported.append(row)
            elif duplicates.get(row.number):
                del duplicates[row.number]
    if not bad:
        return columns
    if duplicates:
        first = _first_rows(file, set(duplicates.values()))
        for row in reported:
            if row.number in duplicates:
                customer_id = duplicates[row.number]
                row.errors[-1] = f'customer_id "{customer_id}" is also on row {first[customer_id]}'
    lines = [f"row {row.number}: " + "; ".join(row.errors) for row in reported]
    if bad > len(reported):
        lines.append(f"and {bad - len(reported):,} more")
    rows = "1 bad row" if bad == 1 else f"{bad:,} bad rows"
    raise ImportFileError(f"{rows}: nothing was imported.", lines)


# --- reading ---------------------------------------------------------------------------


class _open:
    """The file as UTF-8 text (a byte order mark is skipped), as a context manager; a file
    that is not UTF-8 is an ``ImportFileError``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __enter__(self) -> TextIO:
        try:
            self.file = self.path.open(encoding="utf-8-sig", newline="")
        except OSError as error:
            raise ImportFileError(f"Cannot read {self.path}: {error.strerror}.") from error
        return self.file

    def __exit__(self, kind, error, traceback) -> None:
        self.file.close()
        if isinstance(error, UnicodeDecodeError):
            raise ImportFileError(f"{self.path} is not UTF-8 text ({error.reason}).") from error


def _header(file: TextIO) -> list[str]:
    header = next(csv.reader(file), None)
    if not header:
        raise ImportFileError("The file is empty: it needs a header row.")
    columns = [name.strip().lower() for name in header]
    known = [*FIELDS, SEGMENTS_COLUMN]
    unknown = [name for name in columns if name not in known]
    if unknown:
        raise ImportFileError(
            "header: unknown column " + ", ".join(f'"{name}"' for name in unknown) + " (the "
            "columns are " + ", ".join(known) + ")."
        )
    twice = sorted({name for name in columns if columns.count(name) > 1})
    if twice:
        raise ImportFileError("header: column " + ", ".join(twice) + " given twice.")
    if "customer_id" not in columns:
        raise ImportFileError("header: the customer_id column is required.")
    return columns


def _rows(file: TextIO, segments: dict[str, int]) -> Iterator[_Row]:
    """Every data row, parsed and checked (but for customer IDs given twice)."""
    reader = csv.reader(file)
    columns = [name.strip().lower() for name in next(reader)]
    with_segments = SEGMENTS_COLUMN in columns
    for number, cells in enumerate(reader, start=2):
        if not cells:  # a blank line
            continue
        if len(cells) != len(columns):
            yield _Row(
                number,
                {},
                None,
                [f"{len(cells)} values but the header has {len(columns)} columns"],
            )
            continue
        values: dict[str, Any] = {}
        errors: list[str] = []
        segment_ids: list[int] | None = [] if with_segments else None
        for name, cell in zip(columns, cells, strict=True):
            cell = cell.strip()
            if name == SEGMENTS_COLUMN:
                for segment in filter(None, (s.strip() for s in cell.split(SEGMENT_SEPARATOR))):
                    pk = segments.get(segment.lower())
                    if pk is None:
                        errors.append(f'segment "{segment}" does not exist')
                    elif pk not in segment_ids:
                        segment_ids.append(pk)
            else:
                values[name], error = _clean(name, cell)
                if error:
                    errors.append(error)
        yield _Row(number, values, segment_ids, errors)


_MAX_LENGTHS = {
    name: Customer._meta.get_field(name).max_length for name in FIELDS if name != "lifetime_value"
}
_VALUE_FIELD = Customer._meta.get_field("lifetime_value")


def _clean(name: str, cell: str) -> tuple[Any, str | None]:
    """The value of one cell for the model, and what is wrong with it (None: nothing)."""
    if name == "customer_id" and not cell:
        return cell, "customer_id is missing"
    if name == "lifetime_value":
        if not cell:
            return None, None
        try:
            value = decimal.Decimal(cell)
        except decimal.InvalidOperation:
            return None, f'lifetime_value "{_short(cell)}" is not a number'
        if not value.is_finite():
            return None, f'lifetime_value "{_short(cell)}" is not a number'
        places = -value.as_tuple().exponent
        if places > _VALUE_FIELD.decimal_places:
            return None, (
                f'lifetime_value "{_short(cell)}" has more than '
                f"{_VALUE_FIELD.decimal_places} decimal places"
            )
        whole = _VALUE_FIELD.max_digits - _VALUE_FIELD.decimal_places
        if abs(value) >= 10**whole:
            return None, f'lifetime_value "{_short(cell)}" is too large (at most {whole} digits)'
        return value, None
    if len(cell) > _MAX_LENGTHS[name]:
        return cell, f"{name} is longer than {_MAX_LENGTHS[name]} characters ({len(cell)})"
    if name == "email" and cell:
        try:
            validate_email(cell)
        except ValidationError:
            return cell, f'email "{_short(cell)}" is not a valid e-mail address'
    return cell, None


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_rows(file: TextIO, customer_ids: set[str]) -> dict[str, int]:
    file.seek(0)
    reader = csv.reader(file)
    columns = [name.strip().lower() for name in next(reader)]
    at = columns.index("customer_id")
    first: dict[str, int] = {}
    for number, cells in enumerate(reader, start=2):
        if len(cells) == len(columns):
            customer_id = cells[at].strip()
            if customer_id in customer_ids and customer_id not in first:
                first[customer_id] = number
    return first


def _batches(rows: Iterator[_Row], size: int) -> Iterator[list[_Row]]:
    while batch := list(itertools.islice(rows, size)):
        yield batch


# --- writing ---------------------------------------------------------------------------


def _apply(batch: list[_Row], columns: list[str], result: ImportResult, affected: set) -> None:
    ids = [row.values["customer_id"] for row in batch]
    existing = set(
        Customer.objects.filter(customer_id__in=ids).values_list("customer_id", flat=True)
    )
    update_fields = [name for name in columns if name in FIELDS and name != "customer_id"]
    customers = Customer.objects.bulk_create(
        [Customer(**row.values) for row in batch],
        update_conflicts=True,
        unique_fields=["customer_id"],
        update_fields=[*update_fields, "updated_at"],
    )
    result.rows += len(batch)
    result.updated += len(existing)
    result.created += len(batch) - len(existing)
    if SEGMENTS_COLUMN not in columns:
        return
    if any(customer.pk is None for customer in customers):  # a backend without RETURNING
        pks = dict(Customer.objects.filter(customer_id__in=ids).values_list("customer_id", "pk"))
    else:
        pks = {customer.customer_id: customer.pk for customer in customers}
    old = Membership.objects.filter(customer_id__in=pks.values())
    affected.update(old.values_list("segment_id", flat=True).distinct().order_by())
    old.delete()
    memberships = [
        Membership(customer_id=pks[row.values["customer_id"]], segment_id=segment_id)
        for row in batch
        for segment_id in row.segment_ids
    ]
    Membership.objects.bulk_create(memberships)
    affected.update(membership.segment_id for membership in memberships)
