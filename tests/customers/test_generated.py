"""Customers of the demo (seed_demo) and of the load data (generate_load_data --customers)."""

import random

import pytest
from django.core.management import CommandError, call_command

from connections_admin.customers.models import FIELDS, Customer, Membership
from connections_admin.customers.sample import sample_customers
from connections_admin.demo.management.commands import generate_load_data as gen
from connections_admin.demo.management.commands import seed_demo
from connections_admin.segments.models import Segment

pytestmark = pytest.mark.django_db


def test_sample_customers_are_deterministic_and_fit_the_model():
    first = list(sample_customers(random.Random(7), 300, prefix="X-"))
    assert first == list(sample_customers(random.Random(7), 300, prefix="X-"))
    assert first[0][0] == "X-00000001" and len({row[0] for row in first}) == 300
    customers = [Customer(**dict(zip(FIELDS, row, strict=True))) for row in first]
    for customer in customers:
        customer.full_clean(exclude=["updated_at"], validate_unique=False)
    assert len({c.country for c in customers}) > 5 and len({c.loyalty_tier for c in customers}) == 5


def test_generate_load_data_makes_customers_in_one_segment():
    call_command(
        "generate_load_data",
        connections=10,
        exports=20,
        enrichments=2,
        users=5,
        segments=3,
        customers=2_500,
    )
    segment = Segment.objects.get(name=gen.CUSTOMERS_SEGMENT_NAME)
    assert Customer.objects.count() == 2_500
    assert segment.member_count == 2_500 == segment.memberships.count()
    assert set(Segment.objects.exclude(pk=segment.pk).values_list("member_count", flat=True)) == {0}
    customer = Customer.objects.order_by("pk").first()
    assert customer.customer_id == "C00000001" and "@" in customer.email
    assert customer.updated_at is not None
    streamed = Customer.objects.filter(memberships__segment_id=segment.pk).order_by("pk")
    assert sum(1 for _ in streamed.values_list("pk").iterator(chunk_size=1000)) == 2_500


def test_generate_load_data_without_customers_makes_none():
    call_command("generate_load_data", connections=10, exports=20, enrichments=2, users=5)
    assert not Customer.objects.exists()
    assert not Segment.objects.filter(name=gen.CUSTOMERS_SEGMENT_NAME).exists()
    assert set(Segment.objects.values_list("member_count", flat=True)) == {0}


def test_generate_load_data_refuses_a_database_with_customers():
    Customer.objects.create(customer_id="C1")
    with pytest.raises(CommandError, match="already holds 1 customers"):
        call_command(
            "generate_load_data", connections=10, exports=20, enrichments=2, users=5, customers=5
        )


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the demo SFTP server's credentials


def test_seed_demo_makes_customers_and_member_counts_from_memberships(var_dir):
    call_command("seed_demo", password="first-password")
    assert Customer.objects.count() == seed_demo.CUSTOMERS
    counts = dict(Segment.objects.values_list("name", "member_count"))
    assert set(counts) == {name for name, _description in seed_demo.SEGMENTS}
    for name, count in counts.items():
        assert count == Membership.objects.filter(segment__name=name).count() > 0
    gold = Segment.objects.get(name="Loyalty gold tier").memberships
    assert set(gold.values_list("customer__loyalty_tier", flat=True)) == {"Gold"}
    assert counts["High-value customers"] == seed_demo.CUSTOMERS // 10
    memberships = sorted(Membership.objects.values_list("segment__name", "customer__customer_id"))

    call_command("seed_demo", password="second-password")

    assert Customer.objects.count() == seed_demo.CUSTOMERS
    assert (
        sorted(Membership.objects.values_list("segment__name", "customer__customer_id"))
        == memberships
    )
    assert dict(Segment.objects.values_list("name", "member_count")) == counts
