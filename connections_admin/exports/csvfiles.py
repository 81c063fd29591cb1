"""The files an export run writes: CSV with a header, streamed, gzipped or not.

Two sources give the same bytes (a comma-separated header of the field keys, then one
line per row, ``\\n`` line ends, fields quoted only when they must be, empty for NULL):

- ``csv_chunks``: rows from any database cursor through ``csv.writer``; SQLite's path.
- ``copy_chunks``: on PostgreSQL the server writes the CSV itself (``COPY ... TO STDOUT``)
  in its own process, one slice of ``SLICE_IDS`` customer ids after another. Each slice
  is read whole before anything else uses the database connection (the run's heartbeat
  and the destination's bookkeeping share it), so memory holds one slice's text.

``gzipped`` compresses a file's chunks in a thread of its own while the caller reads the
next rows: zlib lets go of the GIL, so on two cores reading and compressing overlap, as
``psql | gzip`` does. Memory stays bounded whatever the number of rows.
"""

import csv
import io
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connection
from django.db.models import CharField, F, Max, Min, QuerySet, TextField, Value
from django.db.models.functions import NullIf
from django.utils.text import slugify

DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
CHUNK = 256 * 1024
_FLUSH_TEXT = 64 * 1024
GZIP_LEVEL = 6  # the level `gzip -6` (gzip's default) uses
GZIP_AHEAD = 2  # chunks handed to the compressing thread and not yet compressed
SLICE_IDS = 20_000  # customer ids per COPY: at most this many rows held at once
# csv.writer quotes a field that holds a character of its line terminator, and only those
# (and the delimiter and quote): with "\n" alone, a field holding a carriage return would
# go out bare, and readers would split its row there. Rows are written ending in "\r\n" and
# a NUL, which no field holds (PostgreSQL text cannot), then that ending becomes "\n".
_ROW_END = "\r\n\x00"


def file_name(export_name: str, segment_name: str, stamp: str, *, gzipped: bool) -> str:
    """``<export-slug>_<segment-slug>_<YYYYMMDDTHHMMSSZ>.csv[.gz]``."""
    export_slug = slugify(export_name) or "export"
    segment_slug = slugify(segment_name) or "segment"
    return f"{export_slug}_{segment_slug}_{stamp}.csv{'.gz' if gzipped else ''}"


def _writer(text: io.StringIO, delimiter: str):
    return csv.writer(text, delimiter=delimiter, lineterminator=_ROW_END)


def _encoded(text: io.StringIO) -> bytes:
    return text.getvalue().replace(_ROW_END, "\n").encode("utf-8")


def _header(header: list[str], delimiter: str) -> bytes:
    text = io.StringIO()
    _writer(text, delimiter).writerow(header)
    return _encoded(text)


def csv_chunks(
    rows: Iterable[tuple],
    header: list[str],
    *,
    delimiter: str = ",",
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The file's bytes in chunks of about ``CHUNK``; ``on_rows(n)`` is told every few
    hundred rows (the caller's heartbeat, and its count)."""
    text = io.StringIO()
    writer = _writer(text, delimiter)
    pending = bytearray(_header(header, delimiter))
    counted = 0
    # csv.writer writes None as "" and a Decimal in its plain form (the column has two
    # decimal places, never an exponent): the rows go in as the database gave them.
    for row in rows:
        writer.writerow(row)
        counted += 1
        if text.tell() >= _FLUSH_TEXT:
            if on_rows is not None:
                on_rows(counted)
                counted = 0
            pending += _encoded(text)
            text.seek(0)
            text.truncate()
            while len(pending) >= CHUNK:
                yield bytes(pending[:CHUNK])
                del pending[:CHUNK]
    if on_rows is not None and counted:
        on_rows(counted)
    pending += _encoded(text)
    if pending:
        yield bytes(pending)


def copy_chunks(
    rows_between: Callable[[int | None, int | None], QuerySet],
    fields: list[str],
    *,
    delimiter: str = ",",
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """PostgreSQL: the same file as ``csv_chunks`` of the same rows, written by the server,
    one chunk per slice of ``SLICE_IDS`` ids (in id order); ``on_rows(n)`` after each
    slice, when the connection is free again.

    ``rows_between(low, high)`` is the queryset of the rows whose ids are in [low, high)
    (``None, None``: all of them). The caller builds it, so that a slice is an index range
    in every table it joins: with the range on one side of a join only, the database read
    the whole other table for every slice (50 slices: 4.5 s where one pass takes 1.5).
    """
    yield _header(fields, delimiter)
    every_row = rows_between(None, None)
    bounds = every_row.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    model_fields = {field.name: field for field in every_row.model._meta.fields}
    # Text columns: an empty string as NULL, so both come out as an empty field, as
    # csv.writer writes them (COPY would quote the empty string).
    columns = {
        f"column_{index}": (
            NullIf(F(name), Value(""))
            if isinstance(model_fields[name], CharField | TextField)
            else F(name)
        )
        for index, name in enumerate(fields)
    }
    for start in range(bounds["low"], bounds["high"] + 1, SLICE_IDS):
        part = rows_between(start, start + SLICE_IDS).annotate(**columns).order_by("pk")
        query, params = part.values_list(*columns).query.sql_with_params()
        statement = connection.ops.compose_sql(
            f"COPY ({query}) TO STDOUT (FORMAT csv, DELIMITER %s)", [*params, delimiter]
        )
        data, counted = bytearray(), 0
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for line in copy:  # one row per message
                data += line
                counted += 1
        if counted:
            if on_rows is not None:
                on_rows(counted)
            yield bytes(data)


def gzipped(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks`` as one gzip member (level 6, as ``gzip -6``), compressed in a thread of
    its own: at most ``GZIP_AHEAD`` chunks wait for it while this thread reads on."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    pending: deque[Future] = deque()
    with ThreadPoolExecutor(1, thread_name_prefix="gzip") as pool:
        try:
            for chunk in chunks:
                pending.append(pool.submit(compressor.compress, chunk))
                while pending and (len(pending) > GZIP_AHEAD or pending[0].done()):
                    if piece := pending.popleft().result():
                        yield piece
            pending.append(pool.submit(compressor.flush))
            while pending:
                if piece := pending.popleft().result():
                    yield piece
        finally:  # stopped early (cancelled, the destination failed): drop what waits
            for future in pending:
                future.cancel()
