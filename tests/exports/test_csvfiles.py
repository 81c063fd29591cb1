"""The files of a run: PostgreSQL's COPY and csv.writer give the same bytes; gzip in a thread."""

import csv
import gzip
import io
import threading
import zlib
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection as db
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connections_admin.customers.models import FIELDS as CUSTOMER_FIELDS
from connections_admin.customers.models import Customer, Membership
from connections_admin.exports import csvfiles, runs
from connections_admin.exports.csvfiles import copy_chunks, csv_chunks, gzipped
from tests.factories import CustomerFactory, SegmentFactory

FIELDS = list(CUSTOMER_FIELDS)  # all ten, in the export form's order
TRICKY = [
    "",
    " leading and trailing ",
    'a "quoted" word',
    "comma, semicolon; pipe| tab\there",
    "two\nlines",
    "carriage\rreturn",
    "Қазақша — ünïcödé ✓",
    '"',
    "\\N",
    "NULL",
]

postgres_only = pytest.mark.skipif(
    db.vendor != "postgresql", reason="COPY is PostgreSQL's: the SQLite run uses csv.writer"
)


def members(segment, customers) -> None:
    Membership.objects.bulk_create(Membership(segment=segment, customer=c) for c in customers)


def both(segment, fields, delimiter=","):
    """The file from csv.writer and from COPY, and the rows each told on_rows about."""
    customers = Customer.objects.filter(memberships__segment=segment)
    told = {"csv": 0, "copy": 0}

    def counter(key):
        def on_rows(n):
            told[key] += n

        return on_rows

    rows = customers.order_by("pk").values_list(*fields)
    written = b"".join(csv_chunks(rows, fields, delimiter=delimiter, on_rows=counter("csv")))
    copied = b"".join(
        copy_chunks(
            partial(runs._customers, segment.pk),
            fields,
            delimiter=delimiter,
            on_rows=counter("copy"),
        )
    )
    return written, copied, told


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("delimiter", list(csvfiles.DELIMITERS.values()))
def test_copy_writes_the_bytes_csv_writer_writes(delimiter, monkeypatch):
    monkeypatch.setattr(csvfiles, "SLICE_IDS", 3)  # several slices, some of them empty
    segment = SegmentFactory()
    customers = [
        CustomerFactory(
            first_name=value,
            city=TRICKY[(index + 3) % len(TRICKY)],
            lifetime_value=Decimal("1234.50") if index % 2 else None,
        )
        for index, value in enumerate(TRICKY)
    ]
    CustomerFactory.create_batch(5)  # not members: gaps between the members' ids
    members(segment, customers[::2] + customers[1::2])
    written, copied, told = both(segment, FIELDS, delimiter)
    assert copied == written
    assert told == {"csv": len(TRICKY), "copy": len(TRICKY)}
    rows = list(csv.reader(io.StringIO(copied.decode()), delimiter=delimiter))
    assert rows[0] == FIELDS
    assert [row[0] for row in rows[1:]] == [c.customer_id for c in customers]  # in id order


@postgres_only
@pytest.mark.django_db
def test_copy_of_an_empty_segment_is_the_header_alone():
    written, copied, told = both(SegmentFactory(), ["customer_id", "email"])
    assert copied == written == b"customer_id,email\n"
    assert told == {"csv": 0, "copy": 0}


text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12)


@postgres_only
@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.tuples(text, text), min_size=1, max_size=6))
def test_copy_and_csv_writer_read_back_alike_for_any_text(values):
    segment = SegmentFactory()
    members(segment, [CustomerFactory(first_name=a, city=b) for a, b in values])
    fields = ["first_name", "city"]
    written, copied, _told = both(segment, fields)
    read = [list(csv.reader(io.StringIO(data.decode(), newline=""))) for data in (written, copied)]
    assert read[0] == read[1] == [fields, *([a, b] for a, b in values)]


def test_gzipped_is_one_gzip_member_of_every_chunk_in_order():
    chunks = [bytes([index % 251]) * (index * 997) for index in range(40)]
    out = list(gzipped(iter(chunks)))
    inflate = zlib.decompressobj(31)
    assert inflate.decompress(b"".join(out)) == b"".join(chunks)
    assert inflate.eof and not inflate.unused_data
    assert gzip.decompress(b"".join(out)) == b"".join(chunks)


def test_gzipped_compresses_in_another_thread_while_the_caller_reads_on():
    threads = set()
    original = zlib.compressobj

    class Watched:
        def __init__(self, *args):
            self._inner = original(*args)

        def compress(self, data):
            threads.add(threading.current_thread().name)
            return self._inner.compress(data)

        def flush(self):
            return self._inner.flush()

    zlib_compressobj = zlib.compressobj
    try:
        zlib.compressobj = Watched
        out = b"".join(gzipped(iter([b"row\n" * 1000] * 5)))
    finally:
        zlib.compressobj = zlib_compressobj
    assert gzip.decompress(out) == b"row\n" * 5000
    assert threads and threading.current_thread().name not in threads


def test_a_file_stopped_early_leaves_no_thread_behind():
    def endless():
        while True:
            yield b"x" * 65536

    before = threading.active_count()
    stream = gzipped(endless())
    for _piece, _ in zip(stream, range(3), strict=False):
        pass
    stream.close()  # what a cancelled run or a failed destination does
    assert threading.active_count() == before


def test_csv_writer_path_quotes_line_breaks_of_either_kind():
    rows = [("one\rtwo", "a\r\nb", "plain"), ("x\ny", "", None)]
    data = b"".join(csv_chunks(iter(rows), ["first", "second", "third"]))
    assert data == b'first,second,third\n"one\rtwo","a\r\nb",plain\n"x\ny",,\n'
    read = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert read[1:] == [["one\rtwo", "a\r\nb", "plain"], ["x\ny", "", ""]]
