"""manage.py import_customers: new and updated profiles, memberships replaced, every bad
row reported with nothing changed, the system refresh after the commit."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connections_admin.customers import importing
from connections_admin.customers.models import Customer, Membership
from connections_admin.segments.models import Segment
from tests.factories import CustomerFactory, MembershipFactory, SegmentFactory

pytestmark = pytest.mark.django_db

HEADER = ["customer_id", "email", "first_name", "lifetime_value", "segments"]


def run(path, **options):
    out = StringIO()
    call_command("import_customers", str(path), stdout=out, **options)
    return out.getvalue()


def state():
    """Everything an import may change, to compare before and after a refused one."""
    return (
        sorted(Customer.objects.values_list(*importing.FIELDS)),
        sorted(Membership.objects.values_list("segment__name", "customer__customer_id")),
        sorted(Segment.objects.values_list("name", "member_count")),
    )


@pytest.fixture
def segments():
    return {name: SegmentFactory(name=name) for name in ("Churn risk", "Gold tier", "Newsletter")}


def test_new_and_updated_customers_with_their_segments_replaced(
    segments, write_csv, refreshes, django_capture_on_commit_callbacks
):
    kept = CustomerFactory(customer_id="C1", first_name="Old", phone="+44 1", city="Leeds")
    MembershipFactory(customer=kept, segment=segments["Newsletter"])
    MembershipFactory(segment=segments["Newsletter"])  # someone not in the file
    path = write_csv(
        HEADER,
        [
            ["C1", "ann@example.com", "Ann", "12.50", "churn RISK | Gold tier"],
            ["C2", "bob@example.com", "Bob", "", "Gold tier"],
            ["C3", "", "Cy", "0.10", ""],
        ],
    )

    with django_capture_on_commit_callbacks(execute=True):
        out = run(path)

    assert "Imported 3 customers (2 new, 1 updated); 3 segments recounted." in out
    ann = Customer.objects.get(customer_id="C1")
    assert (ann.email, ann.first_name) == ("ann@example.com", "Ann")
    assert ann.lifetime_value == Decimal("12.50")
    assert (ann.phone, ann.city) == ("+44 1", "Leeds")  # columns not in the file stay
    assert Customer.objects.get(customer_id="C2").lifetime_value is None
    assert set(ann.memberships.values_list("segment__name", flat=True)) == {
        "Churn risk",
        "Gold tier",
    }
    assert not Membership.objects.filter(customer__customer_id="C3").exists()
    counts = dict(Segment.objects.values_list("name", "member_count"))
    assert counts == {"Churn risk": 1, "Gold tier": 2, "Newsletter": 1}
    assert len(refreshes) == 1 and refreshes[0]["source"] == "import_customers"


def test_without_a_segments_column_memberships_stay(segments, write_csv):
    MembershipFactory(customer=CustomerFactory(customer_id="C1"), segment=segments["Gold tier"])
    out = run(write_csv(["customer_id", "loyalty_tier"], [["C1", "Silver"], ["C2", ""]]))
    assert "(1 new, 1 updated); 0 segments recounted" in out
    assert Customer.objects.get(customer_id="C1").loyalty_tier == "Silver"
    assert Segment.objects.get(name="Gold tier").member_count == 1


def test_a_byte_order_mark_spaces_and_blank_lines_are_fine(segments, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeff Customer_ID , Email,segments\r\n C9 , z@example.com ,Newsletter\r\n\r\n".encode()
    )
    assert "Imported 1 customers (1 new" in run(path)
    assert Customer.objects.get(customer_id="C9").email == "z@example.com"
    assert Segment.objects.get(name="Newsletter").member_count == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["", "a@example.com", "", "", ""], "row 3: customer_id is missing"),
        (["C" * 65, "", "", "", ""], "row 3: customer_id is longer than 64 characters (65)"),
        (["C5", "not-an-address", "", "", ""], 'row 3: email "not-an-address" is not a valid'),
        (["C5", "", "", "abc", ""], 'row 3: lifetime_value "abc" is not a number'),
        (["C5", "", "", "NaN", ""], 'row 3: lifetime_value "NaN" is not a number'),
        (["C5", "", "", "1.234", ""], 'row 3: lifetime_value "1.234" has more than 2 decimal'),
        (["C5", "", "", "12345678901", ""], 'lifetime_value "12345678901" is too large'),
        (["C5", "", "x" * 101, "", ""], "row 3: first_name is longer than 100 characters"),
        (["C5", "", "", "", "Gold tier|VIP"], 'row 3: segment "VIP" does not exist'),
        (["C1", "", "", "", ""], 'row 3: customer_id "C1" is also on row 2'),
        (["C5", "", ""], "row 3: 3 values but the header has 5 columns"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_changes(
    segments, write_csv, refreshes, django_capture_on_commit_callbacks, row, message
):
    MembershipFactory(customer=CustomerFactory(customer_id="C0"), segment=segments["Gold tier"])
    before = state()
    path = write_csv(HEADER, [["C1", "", "New", "1", "Churn risk"], row])

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(CommandError) as raised,
    ):
        run(path)

    lines = str(raised.value).splitlines()
    assert lines[0] == "1 bad row: nothing was imported."
    assert len(lines) == 2 and lines[1].startswith("row 3: ") and message in lines[1]
    assert state() == before
    assert not callbacks and not refreshes


def test_every_bad_row_is_reported_up_to_fifty(segments, write_csv):
    rows = [[f"C{i}", "", "", "oops" if i % 2 else "1", ""] for i in range(200)]
    before = state()
    with pytest.raises(CommandError) as raised:
        run(write_csv(HEADER, rows))
    lines = str(raised.value).splitlines()
    assert lines[0] == "100 bad rows: nothing was imported."
    assert lines[1] == 'row 3: lifetime_value "oops" is not a number'
    assert len(lines) == 1 + 50 + 1 and lines[-1] == "and 50 more"
    assert state() == before


def test_several_problems_of_one_row_are_on_its_line(segments, write_csv):
    with pytest.raises(CommandError) as raised:
        run(write_csv(HEADER, [["", "bad", "", "x", "Nope"]]))
    assert str(raised.value).splitlines()[1] == (
        'row 2: customer_id is missing; email "bad" is not a valid e-mail address; '
        'lifetime_value "x" is not a number; segment "Nope" does not exist'
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["email", "first_name"], "header: the customer_id column is required."),
        (["customer_id", "favourite_colour"], 'header: unknown column "favourite_colour"'),
        (["customer_id", "email", "EMAIL"], "header: column email given twice."),
    ],
)
def test_a_bad_header_is_refused(write_csv, header, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        run(write_csv(header, [["C1", "x"]]))
    assert not Customer.objects.exists()


def test_an_empty_file_or_one_that_is_not_utf8_is_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="The file is empty"):
        run(empty)
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("customer_id,city\nC1,Malmö\n".encode("latin-1"))
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        run(latin)
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv")
    assert not Customer.objects.exists()


def test_a_good_import_refreshes_once_after_the_commit(
    segments, write_csv, refreshes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run(write_csv(["customer_id"], [["C1"], ["C2"]]))
    assert not refreshes  # not before the commit
    for callback in callbacks:
        callback()
    assert len(refreshes) == 1


def test_the_file_is_read_in_batches_with_a_fixed_number_of_queries_each(
    segments, write_csv, monkeypatch
):
    """20,000 rows in batches of 5,000: the queries grow with the batches, never the rows."""
    header = [*importing.FIELDS, "segments"]

    def rows(count, start=0):
        return [
            [f"C{i:06d}", f"c{i}@example.com", "Ann", "Lee", "+1 5", "Oslo", "Norway", "0150",
             "Gold", "9.99", "Gold tier|Newsletter" if i % 3 else ""]
            for i in range(start, start + count)
        ]  # fmt: skip

    batches = []
    apply = importing._apply
    monkeypatch.setattr(
        importing, "_apply", lambda batch, *args: (batches.append(len(batch)), apply(batch, *args))
    )

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            run(path, batch_size=5_000)
        return len(captured)

    small = queries(write_csv(header, rows(5_000), "small.csv"))
    batches.clear()
    large = queries(write_csv(header, rows(20_000, start=5_000), "large.csv"))

    assert batches == [5_000] * 4
    per_batch, remainder = divmod(large - small, 3)  # three batches more than the small file
    assert remainder == 0
    assert per_batch < 5_000 / 50  # a few statements a batch (SQLite: inserts of 83 rows)
    assert Customer.objects.count() == 25_000
    counts = dict(Segment.objects.values_list("name", "member_count"))
    expected = sum(1 for i in range(25_000) if i % 3)
    assert counts == {"Churn risk": 0, "Gold tier": expected, "Newsletter": expected}
