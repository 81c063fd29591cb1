"""The files an export run writes: CSV with a header, streamed, gzipped or not.

Rows go from the database cursor through ``csv.writer`` and the compressor to the
destination in chunks of ``CHUNK`` bytes: memory holds a chunk and a few thousand rows,
however many rows there are.
"""

import csv
import io
import zlib
from collections.abc import Callable, Iterable, Iterator

from django.utils.text import slugify

DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
CHUNK = 256 * 1024
_FLUSH_TEXT = 64 * 1024
GZIP_LEVEL = 6  # the level `gzip -6` (gzip's default) uses


def file_name(export_name: str, segment_name: str, stamp: str, *, gzipped: bool) -> str:
    """``<export-slug>_<segment-slug>_<YYYYMMDDTHHMMSSZ>.csv[.gz]``."""
    export_slug = slugify(export_name) or "export"
    segment_slug = slugify(segment_name) or "segment"
    return f"{export_slug}_{segment_slug}_{stamp}.csv{'.gz' if gzipped else ''}"


def csv_chunks(
    rows: Iterable[tuple],
    header: list[str],
    *,
    delimiter: str = ",",
    gzipped: bool = False,
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The file's bytes in chunks of about ``CHUNK``; ``on_rows(n)`` is told every few
    thousand rows (the caller's heartbeat, and its count)."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n")
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31) if gzipped else None
    pending = bytearray()
    counted = 0

    def drain(final: bool = False) -> Iterator[bytes]:
        data = text.getvalue().encode("utf-8")
        text.seek(0)
        text.truncate()
        pending.extend(compressor.compress(data) if compressor else data)
        if final and compressor:
            pending.extend(compressor.flush())
        while len(pending) >= CHUNK or (final and pending):
            piece = bytes(pending[:CHUNK])
            del pending[:CHUNK]
            yield piece

    writer.writerow(header)
    # csv.writer writes None as "" and a Decimal in its plain form (the column has two
    # decimal places, never an exponent): the rows go in as the database gave them.
    for row in rows:
        writer.writerow(row)
        counted += 1
        if text.tell() >= _FLUSH_TEXT:
            if on_rows is not None:
                on_rows(counted)
                counted = 0
            yield from drain()
    if on_rows is not None and counted:
        on_rows(counted)
    yield from drain(final=True)
