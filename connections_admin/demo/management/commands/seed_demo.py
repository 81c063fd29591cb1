"""Demo data: the users admin, contributor and viewer, and a realistic console.

Idempotent: running it again updates the passwords and adds only what is missing.
Connections, exports and enrichments are created through their apps' services, so
the Activity page shows an entry for each, as if the users had made them.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from connections_admin.accounts.roles import Role, assign_role
from connections_admin.connection_types.base import Usage
from connections_admin.connection_types.registry import registry
from connections_admin.connections import services as connection_services
from connections_admin.connections.models import Connection
from connections_admin.connections.sharing import Audience, Sharing
from connections_admin.customers.models import FIELDS, Customer, Membership
from connections_admin.customers.sample import sample_customers
from connections_admin.customers.services import segments_recount
from connections_admin.enrichments.models import Enrichment
from connections_admin.enrichments.services import enrichment_save
from connections_admin.exports.models import Export, Schedule
from connections_admin.exports.services import export_save
from connections_admin.segments.models import Segment

from ... import sftp_server

DEMO_SFTP_PORT = 2222

# Export connections contributors may use; the others stay for administrators only.
SHARED_WITH_CONTRIBUTORS = {"SFTP: partner drop for weekly lists", "SendGrid: newsletters"}

USERS = [("admin", Role.ADMIN), ("contributor", Role.CONTRIBUTOR), ("viewer", Role.VIEWER)]

SEGMENTS = [
    ("High-value customers", "Lifetime value in the top 10%."),
    ("Churn risk", "No purchase in the last 90 days."),
    ("New subscribers", "Signed up in the last 30 days."),
    ("Loyalty gold tier", "Members of the gold loyalty tier."),
    ("Lapsed app users", "Installed the app but inactive for 60 days."),
]

# Customer profiles (made up, the same on every run) and who is in which segment: the
# segments' member counts come from these memberships.
CUSTOMERS = 3_000
CUSTOMER_ID_PREFIX = "DEMO-"
CUSTOMERS_SEED = 20250101

# display name, type key, setup values (secrets are demo placeholders, encrypted at rest)
CONNECTIONS = [
    (
        "SFTP: partner drop for weekly lists",
        "sftp",
        {
            # The demo's own SFTP server on this machine (make run starts it): Verify works.
            "hostname": "127.0.0.1",
            "port": DEMO_SFTP_PORT,
            "username": sftp_server.USERNAME,
            "password": None,  # from var/demo-sftp/credentials.json when seeding
            "export_folder": sftp_server.FOLDER,
            "compression": "gzipped",
            "field_delimiter": "comma",
        },
    ),
    (
        "Azure Blob: analytics landing zone",
        "azure_blob_storage",
        {"account_name": "contosoanalytics", "account_key": "ZGVtby1rZXk=", "container": "cdp-out"},
    ),
    (
        "Dynamics 365 Marketing: EMEA",
        "dynamics365_marketing",
        {
            "server_address": "https://contoso-emea.crm4.dynamics.com",
            "server_admin_account": "crm-admin@contoso.com",
        },
    ),
    (
        "Marketo: nurture programs",
        "marketo",
        {
            "client_id": "8c1f6a52-demo",
            "client_secret": "demo-marketo-secret",
            "rest_hostname": "123-abc-456.mktorest.com",
        },
    ),
    ("SendGrid: newsletters", "sendgrid", {"api_key": "SG.demo-key"}),
    ("Leadspace: B2B firmographics", "leadspace", {"token": "demo-leadspace-token"}),
    ("HERE: address geocoding", "here_technologies", {"api_key": "demo-here-key"}),
    (
        "Experian: demographics",
        "experian",
        {"user_id": "cdp-demo", "party_id": "40012", "model_number": "7"},
    ),
]

EXPORTS = [
    # name, connection display name (None: inactive), segment names, fields, schedule
    (
        "Weekly churn list to partner",
        "SFTP: partner drop for weekly lists",
        ["Churn risk"],
        ["customer_id", "email", "first_name"],
        (Schedule.WEEKLY, datetime.time(6, 0), 0),
    ),
    (
        "High-value customers to data lake",
        "Azure Blob: analytics landing zone",
        ["High-value customers"],
        ["customer_id", "lifetime_value", "loyalty_tier"],
        (Schedule.DAILY, datetime.time(2, 30), None),
    ),
    (
        "EMEA marketing lists",
        "Dynamics 365 Marketing: EMEA",
        ["New subscribers", "Loyalty gold tier"],
        ["email", "first_name", "last_name", "country"],
        (Schedule.WITH_REFRESH, None, None),
    ),
    (
        "Nurture program audience",
        "Marketo: nurture programs",
        ["New subscribers"],
        ["email", "first_name"],
        (Schedule.HOURLY, None, None),
    ),
    (
        "Newsletter audience",
        "SendGrid: newsletters",
        ["Loyalty gold tier"],
        ["email", "first_name"],
        (Schedule.DAILY, datetime.time(7, 0), None),
    ),
    (
        "Win-back campaign (disconnected)",
        None,
        ["Lapsed app users"],
        ["email", "phone"],
        (Schedule.WEEKLY, datetime.time(9, 0), 2),
    ),
]

ENRICHMENTS = [
    # name, type key, connection display name (None: inactive), segment name (None: all)
    ("Company data for B2B accounts", "leadspace", "Leadspace: B2B firmographics", None),
    ("Store catchment geocoding", "here_technologies", "HERE: address geocoding", None),
    ("Demographics for gold members", "experian", "Experian: demographics", "Loyalty gold tier"),
    ("Old Azure Maps geocoding", "azure_maps", None, "Churn risk"),
]


class Command(BaseCommand):
    help = "Create the demo users (admin, contributor, viewer) and demo data. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="Password for the three users.")

    @transaction.atomic
    def handle(self, *args, password: str, **options):
        if len(password) < 8:
            raise CommandError("Give a password of at least 8 characters.")
        users = {}
        for username, role in USERS:
            user, _ = get_user_model().objects.get_or_create(username=username)
            user.set_password(password)
            user.save()
            assign_role(user, role)
            users[username] = user
        admin = users["admin"]

        segments = {}
        for name, description in SEGMENTS:
            segments[name], _ = Segment.objects.get_or_create(
                name=name, defaults={"description": description}
            )
        customers = self._customers(segments)

        connections = {}
        for display_name, type_key, values in CONNECTIONS:
            connection = Connection.objects.filter(display_name__iexact=display_name).first()
            if connection is None:
                connection_type = registry.get(type_key)
                sharing = None
                if connection_type.is_for(Usage.EXPORT):
                    shared = display_name in SHARED_WITH_CONTRIBUTORS
                    sharing = Sharing(Audience.CONTRIBUTORS if shared else Audience.ADMINS)
                if values.get("password", "") is None:  # the demo SFTP server's own password
                    values = {**values, "password": sftp_server.credentials()["password"]}
                connection = connection_services.connection_create(
                    connection_type=connection_type,
                    display_name=display_name,
                    values=values,
                    user=admin,
                    sharing=sharing,
                )
            connections[display_name] = connection

        # Through the services, like a user's save, so each object has its audit entry.
        for index, (name, connection_name, segment_names, fields, schedule) in enumerate(EXPORTS):
            if Export.objects.filter(name__iexact=name).exists():
                continue
            kind, at, weekday = schedule
            export = Export(
                name=name,
                connection=connections.get(connection_name),
                fields=fields,
                schedule=kind,
                schedule_time=at,
                schedule_weekday=weekday,
            )
            export_save(
                export=export,
                segments=[segments[s] for s in segment_names],
                user=users["contributor"] if index % 2 else admin,
            )

        for name, type_key, connection_name, segment_name in ENRICHMENTS:
            if Enrichment.objects.filter(name__iexact=name).exists():
                continue
            connection = connections.get(connection_name)
            enrichment = Enrichment(
                name=name,
                type_key=type_key,
                connection=connection,
                segment=segments.get(segment_name),
            )
            enrichment_save(enrichment=enrichment, user=users["contributor"])

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(connections)} connections, {Export.objects.count()} "
                f"exports, {Enrichment.objects.count()} enrichments, {len(segments)} segments, "
                f"{customers:,} customers. Users: admin, contributor, viewer."
            )
        )

    def _customers(self, segments: dict[str, Segment]) -> int:
        """The demo customers and their memberships; adds only what is missing."""
        rng = random.Random(CUSTOMERS_SEED)  # noqa: S311 - demo data, not secrets
        rows = [
            dict(zip(FIELDS, row, strict=True))
            for row in sample_customers(rng, CUSTOMERS, prefix=CUSTOMER_ID_PREFIX)
        ]
        ids = [row["customer_id"] for row in rows]
        existing = set(
            Customer.objects.filter(customer_id__in=ids).values_list("customer_id", flat=True)
        )
        Customer.objects.bulk_create(
            [Customer(**row) for row in rows if row["customer_id"] not in existing],
            batch_size=500,
        )
        pks = dict(Customer.objects.filter(customer_id__in=ids).values_list("customer_id", "pk"))

        values = sorted(float(row["lifetime_value"] or 0) for row in rows)
        top_tenth = values[len(values) * 9 // 10]
        share = {"Churn risk": 0.24, "New subscribers": 0.07, "Lapsed app users": 0.12}
        memberships = []
        for row in rows:
            chosen = [name for name, p in share.items() if rng.random() < p]
            if float(row["lifetime_value"] or 0) >= top_tenth:
                chosen.append("High-value customers")
            if row["loyalty_tier"] == "Gold":
                chosen.append("Loyalty gold tier")
            memberships += [
                Membership(segment=segments[name], customer_id=pks[row["customer_id"]])
                for name in chosen
            ]
        Membership.objects.bulk_create(memberships, batch_size=500, ignore_conflicts=True)
        segments_recount(segment.pk for segment in segments.values())
        return len(rows)
