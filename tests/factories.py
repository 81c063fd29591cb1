import datetime

import factory
from django.contrib.auth import get_user_model

from connections_admin.connection_types.registry import registry
from connections_admin.connections import services
from connections_admin.connections.models import Connection
from connections_admin.customers.models import Customer, Membership
from connections_admin.customers.services import segments_recount
from connections_admin.enrichments.models import Enrichment, EnrichmentStatus
from connections_admin.exports.models import Export, Schedule
from connections_admin.segments.models import Segment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")


class ConnectionFactory(factory.django.DjangoModelFactory):
    """A connection made through the service, so its secrets are really encrypted.

    ``values`` are the type's setup values; the default is an SFTP connection.
    """

    class Meta:
        model = Connection

    display_name = factory.Sequence(lambda n: f"Connection {n:04d}")
    type_key = "sftp"
    values = factory.LazyAttribute(
        lambda o: {
            "hostname": "sftp.example.com",
            "port": 22,
            "username": "exporter",
            "password": "factory-sftp-password",
            "export_folder": "out",
            "compression": "gzipped",
            "field_delimiter": "comma",
        }
    )
    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *, display_name, type_key, values, user, **kwargs):
        connection = services.connection_create(
            connection_type=registry.get(type_key),
            display_name=display_name,
            values=values,
            user=user,
        )
        if kwargs:
            Connection.objects.filter(pk=connection.pk).update(**kwargs)
            connection.refresh_from_db()
        return connection


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    name = factory.Sequence(lambda n: f"Segment {n}")
    # member_count is derived from memberships: MembershipFactory recounts.


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    customer_id = factory.Sequence(lambda n: f"C{n:06d}")
    email = factory.LazyAttribute(lambda o: f"{o.customer_id.lower()}@example.com")
    first_name = "Ada"
    last_name = factory.Sequence(lambda n: f"Customer{n}")
    phone = "+44 20 7946 0000"
    city = "London"
    country = "United Kingdom"
    postal_code = "EC1A 1BB"
    loyalty_tier = "Gold"
    lifetime_value = factory.Faker("pydecimal", left_digits=4, right_digits=2, positive=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A customer in a segment; the segment's member_count is recounted."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    segment = factory.SubFactory(SegmentFactory)
    customer = factory.SubFactory(CustomerFactory)

    @factory.post_generation
    def recount(obj, create, extracted, **kwargs):
        if create:
            segments_recount([obj.segment_id])
            obj.segment.refresh_from_db(fields=["member_count"])


class ExportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Export

    name = factory.Sequence(lambda n: f"Export {n:04d}")
    connection = factory.SubFactory(ConnectionFactory)
    fields = ["email"]
    schedule = Schedule.DAILY
    schedule_time = datetime.time(6, 0)


class EnrichmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrichment

    name = factory.Sequence(lambda n: f"Enrichment {n:04d}")
    type_key = "leadspace"
    connection = factory.SubFactory(
        ConnectionFactory, type_key="leadspace", values={"token": "factory-leadspace-token"}
    )
    status = EnrichmentStatus.ACTIVE
