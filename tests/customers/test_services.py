"""segments_recount, system_refresh (service and command), the read-only admin, layering."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from connections_admin.customers.management.commands._refresh import describe_refresh
from connections_admin.customers.models import Customer, Membership
from connections_admin.customers.services import segments_recount, system_refresh
from connections_admin.customers.signals import system_refreshed
from connections_admin.segments.models import Segment
from tests.factories import CustomerFactory, MembershipFactory, SegmentFactory
from tests.test_architecture import PACKAGE, assert_imports_none

pytestmark = pytest.mark.django_db


def test_recount_sets_member_counts_from_memberships():
    a, b, empty = SegmentFactory(), SegmentFactory(), SegmentFactory()
    customers = CustomerFactory.create_batch(5)
    Membership.objects.bulk_create(
        [Membership(segment=a, customer=c) for c in customers]
        + [Membership(segment=b, customer=c) for c in customers[:2]]
    )
    Segment.objects.update(member_count=999)  # stale

    assert segments_recount([a.pk]) == 1
    counts = dict(Segment.objects.values_list("pk", "member_count"))
    assert counts == {a.pk: 5, b.pk: 999, empty.pk: 999}  # only the segment asked for

    assert segments_recount() == 3
    counts = dict(Segment.objects.values_list("pk", "member_count"))
    assert counts == {a.pk: 5, b.pk: 2, empty.pk: 0}
    assert segments_recount([]) == 0

    customers[0].delete()  # memberships go with the customer
    segments_recount()
    assert Segment.objects.get(pk=a.pk).member_count == 4


def test_recount_is_one_update(django_assert_num_queries):
    segments = SegmentFactory.create_batch(3)
    with django_assert_num_queries(1):
        segments_recount(s.pk for s in segments)


def test_the_factories_keep_member_count_derived():
    segment = SegmentFactory()
    assert segment.member_count == 0
    membership = MembershipFactory(segment=segment)
    MembershipFactory(segment=segment)
    assert membership.segment.member_count == 2
    assert Segment.objects.get(pk=segment.pk).member_count == 2


def test_member_count_is_not_a_form_field():
    assert not Segment._meta.get_field("member_count").editable


def test_system_refresh_sends_the_signal_and_survives_a_failing_receiver(caplog):
    calls = []

    def works(sender, **kwargs):
        calls.append((sender, kwargs["source"]))
        return "2 exports queued"

    def fails(sender, **kwargs):
        raise RuntimeError("boom")

    system_refreshed.connect(works)
    system_refreshed.connect(fails)
    try:
        results = system_refresh(source="test")
    finally:
        system_refreshed.disconnect(works)
        system_refreshed.disconnect(fails)

    assert calls == [(Customer, "test")]
    outcome = {receiver: result for receiver, result in results}
    assert outcome[works] == "2 exports queued"
    assert isinstance(outcome[fails], RuntimeError)
    assert "receiver" in caplog.text and "fails" in caplog.text


def test_the_system_refresh_command_says_what_it_did():
    assert describe_refresh([]) == "System refresh: sent; nothing listens to it yet."

    def queued(sender, **kwargs):
        return "3 exports queued"

    system_refreshed.connect(queued)
    try:
        out = StringIO()
        call_command("system_refresh", stdout=out)
    finally:
        system_refreshed.disconnect(queued)
    assert out.getvalue().startswith("System refresh: sent to ")
    assert "<locals>.queued: 3 exports queued" in out.getvalue()


def test_the_system_refresh_command_fails_when_a_receiver_does():
    def fails(sender, **kwargs):
        raise RuntimeError("the queue is down")

    system_refreshed.connect(fails)
    try:
        with pytest.raises(CommandError, match="FAILED.*the queue is down"):
            call_command("system_refresh", stdout=StringIO())
    finally:
        system_refreshed.disconnect(fails)


def test_the_django_admin_shows_customers_read_only(client):
    user = get_user_model().objects.create_superuser("root-admin", password="pw-for-tests-1")
    client.force_login(user)
    customer = MembershipFactory(
        customer=CustomerFactory(customer_id="C-42", email="ada@example.com"),
        segment=SegmentFactory(name="Churn risk"),
    ).customer
    changelist = "/django-admin/customers/customer/"

    html = client.get(changelist, {"q": "C-42"}).content.decode()
    assert "ada@example.com" in html
    page = client.get(f"{changelist}{customer.pk}/change/").content.decode()
    assert "Churn risk" in page
    assert client.get(f"{changelist}add/").status_code == 403
    assert client.get(f"{changelist}{customer.pk}/delete/").status_code == 403
    response = client.post(f"{changelist}{customer.pk}/change/", {"email": "x@example.com"})
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).email == "ada@example.com"


def test_customers_import_neither_connections_exports_enrichments_nor_the_demo():
    forbidden = ["connections", "connection_types", "exports", "enrichments", "demo"]
    assert_imports_none("customers", [f"{PACKAGE}.{app}" for app in forbidden])


def test_segments_import_nothing_above_them():
    assert_imports_none("segments", [f"{PACKAGE}.customers", f"{PACKAGE}.exports"])
