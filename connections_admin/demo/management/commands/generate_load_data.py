"""Load-test data: many connections, exports and enrichments, with realistic sharing and skew.

    python manage.py generate_load_data --connections 10000 --exports 50000 \\
        --enrichments 5000 --users 500

Fills an empty console database (SQLite or PostgreSQL) with bulk inserts, in one
transaction, and refuses to run on a database that already holds connections.

- Users: about 5% admins, 70% contributors, the rest viewers, plus a superuser for
  the Django admin (``load-superuser``). The first admin is ``load-admin-0001`` and the
  first contributor ``load-contributor-0001``. Without ``--password`` nobody can sign in.
- Connections: about 80% of export types, the rest enrichment types. Of the export
  connections half are shared with the Contributor group, about one in ten with one to
  three single contributors (the first contributor among them), a few with a team
  group; the rest stay for administrators.
- Exports: one connection (``SKEWED_CONNECTION_NAME``) carries exactly ``--skew`` of them
  (5,000 by default, at most half of all exports), the rest are spread over the other
  export connections, and about 5% of those are inactive (no connection). Each sends
  one or two segments.
- Enrichments: on enrichment connections, about 5% inactive.
- Customers (``--customers N``, none by default): realistic profiles, all of them members
  of one segment (``CUSTOMERS_SEGMENT_NAME``), loaded with COPY on PostgreSQL (a million
  in seconds), with batched inserts elsewhere. Member counts are then recounted from the
  memberships: the other generated segments have none.

Secrets are encrypted once per connection type and the token reused, so generating
10,000 connections costs a few dozen encryptions.

Unlike ``seed_demo``, this writes to the models directly (``bulk_create``), not through
the apps' services, and so leaves no audit entries: one service call per object, with
its locks and audit row, would take far too long for 50,000 exports. It is benchmark
data, never a console anyone used.
"""

import datetime
import random
import time
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from connections_admin.accounts.roles import Role, role_group
from connections_admin.connection_types.base import Usage
from connections_admin.connection_types.registry import registry
from connections_admin.connections.crypto import encrypt_secrets
from connections_admin.connections.models import (
    Connection,
    ConnectionGroupObjectPermission,
    ConnectionUserObjectPermission,
)
from connections_admin.customers.models import Customer
from connections_admin.customers.sample import insert_sample_customers
from connections_admin.customers.services import segments_recount
from connections_admin.enrichments.models import Enrichment, EnrichmentStatus
from connections_admin.exports.models import CUSTOMER_FIELDS, Export, Schedule
from connections_admin.segments.models import Segment

SKEWED_CONNECTION_NAME = "Load test: busiest SFTP partner drop"
SUPERUSER_NAME = "load-superuser"
FIRST_ADMIN = "load-admin-0001"
FIRST_CONTRIBUTOR = "load-contributor-0001"
CUSTOMERS_SEGMENT_NAME = "All customers (load test)"
TEAM_GROUPS = ["Load test: EMEA marketing team", "Load test: data science team"]
BATCH = 2000

WORDS = tuple(
    [
        "north",
        "south",
        "east",
        "west",
        "partner",
        "newsletter",
        "weekly",
        "daily",
        "churn",
        "loyalty",
        "gold",
        "retail",
        "b2b",
        "emea",
        "apac",
        "americas",
        "campaign",
        "nurture",
        "lake",
        "archive",
        "audience",
        "crm",
        "events",
        "store",
        "mobile",
        "web",
        "analytics",
        "finance",
        "promo",
        "vip",
        "winback",
        "onboarding",
        "survey",
        "holiday",
        "summer",
        "spring",
    ]
)


@contextmanager
def _explicit_created_at(*models):
    """Let bulk_create keep the created_at we set (auto_now_add would replace it)."""
    fields = [model._meta.get_field("created_at") for model in models]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


def _fake_settings(connection_type) -> dict:
    values = {}
    for name in connection_type.setting_names():
        field = connection_type.fields[name]
        choices = getattr(field, "choices", None)
        if choices:
            first = next((key for key, _label in choices if key not in ("", None)), "")
            values[name] = first
        elif field.__class__.__name__ == "IntegerField":
            values[name] = 22
        elif field.__class__.__name__ == "BooleanField":
            values[name] = False
        else:
            values[name] = f"load-{name.replace('_', '-')}.example.com"
    return values


class Command(BaseCommand):
    help = "Fill an empty database with load-test data, with bulk inserts."

    def add_arguments(self, parser):
        parser.add_argument("--connections", type=int, default=10_000)
        parser.add_argument("--exports", type=int, default=50_000)
        parser.add_argument("--enrichments", type=int, default=5_000)
        parser.add_argument("--users", type=int, default=500)
        parser.add_argument("--segments", type=int, default=40)
        parser.add_argument(
            "--customers",
            type=int,
            default=0,
            help=f'Customer profiles, all in the segment "{CUSTOMERS_SEGMENT_NAME}".',
        )
        parser.add_argument(
            "--skew",
            type=int,
            default=5_000,
            help="Exports on the one busiest connection (at most half of all exports).",
        )
        parser.add_argument("--seed", type=int, default=20240601)
        parser.add_argument(
            "--password", default="", help="Password for every generated user (default: none)."
        )

    def handle(self, *args, **options):
        sizes = {
            k: options[k] for k in ("connections", "exports", "enrichments", "users", "customers")
        }
        if any(value < 0 for value in sizes.values()) or options["connections"] < 2:
            raise CommandError("Give non-negative sizes and at least 2 connections.")
        existing = Connection.objects.count()
        if existing:
            raise CommandError(
                f"This database already holds {existing} connections: generate_load_data only "
                "fills an empty console. Use a fresh database (or `manage.py flush` first)."
            )
        if options["customers"] and (customers := Customer.objects.count()):
            raise CommandError(
                f"This database already holds {customers} customers: generate_load_data only "
                "fills an empty console. Use a fresh database (or `manage.py flush` first)."
            )
        started = time.perf_counter()
        self.random = random.Random(options["seed"])  # noqa: S311 - test data, not secrets
        self.now = timezone.now()
        with transaction.atomic(), _explicit_created_at(Connection, Export, Enrichment):
            users = self._users(options["users"], options["password"])
            segments = self._segments(options["segments"])
            export_connections, enrichment_connections = self._connections(
                options["connections"], users["admin"]
            )
            shares = self._sharing(export_connections, users["contributor"])
            export_count = self._exports(
                options["exports"], options["skew"], export_connections, segments, users
            )
            enrichment_count = self._enrichments(
                options["enrichments"], enrichment_connections, segments, users
            )
            customers_started = time.perf_counter()
            customer_count = self._customers(options["customers"])
            customers_seconds = time.perf_counter() - customers_started
            segments_recount()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {len(export_connections) + len(enrichment_connections)} connections "
                f"({len(export_connections)} for exports, {len(enrichment_connections)} for "
                f"enrichments; {shares['contributors']} shared with contributors, "
                f"{shares['users']} with single users, {shares['groups']} with a team), "
                f"{export_count} exports, {enrichment_count} enrichments, "
                f"{sum(len(v) for v in users.values())} users, {len(segments)} segments, "
                f"{customer_count} customers ({customers_seconds:.1f} s) in {elapsed:.1f} s."
            )
        )

    # --- users and segments -------------------------------------------------------------

    def _users(self, count: int, password: str) -> dict[str, list]:
        User = get_user_model()
        hashed = make_password(password or None)
        admins = max(1, count * 5 // 100)
        contributors = max(1, count * 70 // 100)
        viewers = max(0, count - admins - contributors)
        plan = [
            ("admin", Role.ADMIN, admins),
            ("contributor", Role.CONTRIBUTOR, contributors),
            ("viewer", Role.VIEWER, viewers),
        ]
        users: dict[str, list] = {}
        for label, _role, n in plan:
            users[label] = User.objects.bulk_create(
                [
                    User(username=f"load-{label}-{i:04d}", password=hashed, is_active=True)
                    for i in range(1, n + 1)
                ],
                batch_size=BATCH,
            )
        User.objects.create(
            username=SUPERUSER_NAME, password=hashed, is_staff=True, is_superuser=True
        )
        membership = User.groups.through
        rows = [
            membership(user_id=user.pk, group_id=role_group(role).pk)
            for label, role, _n in plan
            for user in users[label]
        ]
        membership.objects.bulk_create(rows, batch_size=BATCH)
        return users

    def _segments(self, count: int) -> list[Segment]:
        return Segment.objects.bulk_create(
            [
                Segment(
                    name=f"Load segment {i:03d}: {self.random.choice(WORDS)}",
                    description="Generated for load tests.",
                )
                for i in range(1, max(1, count) + 1)
            ],
            batch_size=BATCH,
        )

    def _customers(self, count: int) -> int:
        if not count:
            return 0
        segment = Segment.objects.create(
            name=CUSTOMERS_SEGMENT_NAME, description="Every generated customer."
        )
        return insert_sample_customers(self.random, count, segment_id=segment.pk)

    # --- connections and sharing --------------------------------------------------------

    def _connections(self, count: int, admins: list) -> tuple[list, list]:
        export_types = registry.for_usage(Usage.EXPORT)
        enrichment_types = [
            t for t in registry.for_usage(Usage.ENRICHMENT) if t not in export_types
        ]
        prepared = {}
        for connection_type in {*export_types, *enrichment_types}:
            secrets = {name: f"load-secret-{name}" for name in connection_type.secret_names()}
            prepared[connection_type.key] = (
                _fake_settings(connection_type),
                encrypt_secrets(secrets),  # one token per type, reused
                sorted(secrets),
            )
        enrichment_total = max(1, count // 5) if enrichment_types else 0
        export_total = count - enrichment_total
        two_years = 730 * 24 * 3600
        made = []
        for i in range(count):
            for_export = i < export_total
            if i == 0:
                connection_type = registry.get("sftp")
                name = SKEWED_CONNECTION_NAME
            else:
                connection_type = self.random.choice(
                    export_types if for_export else enrichment_types
                )
                words = " ".join(self.random.sample(WORDS, 2))
                name = f"{connection_type.name}: {words} {i:05d}"
            settings, token, names = prepared[connection_type.key]
            admin = self.random.choice(admins)
            created = self.now - datetime.timedelta(seconds=self.random.randint(0, two_years))
            made.append(
                Connection(
                    display_name=name[:100],
                    type_key=connection_type.key,
                    settings=settings,
                    secrets_encrypted=token,
                    secret_names=names,
                    created_at=created,
                    created_by=admin,
                    updated_by=admin,
                    consent_given_at=created,
                    consent_given_by=admin,
                )
            )
        made = Connection.objects.bulk_create(made, batch_size=BATCH)
        return made[:export_total], made[export_total:]

    def _sharing(self, export_connections: list, contributors: list) -> dict[str, int]:
        permission = Permission.objects.get(
            content_type__app_label="connections", codename="use_connection"
        )
        contributor_group = role_group(Role.CONTRIBUTOR)
        teams = [Group.objects.get_or_create(name=name)[0] for name in TEAM_GROUPS]
        membership = get_user_model().groups.through
        membership.objects.bulk_create(
            [
                membership(user_id=user.pk, group_id=teams[n % len(teams)].pk)
                for n, user in enumerate(contributors[::10])
            ],
            batch_size=BATCH,
        )
        group_rows, user_rows = [], []
        counts = {"contributors": 0, "users": 0, "groups": 0}
        for index, connection in enumerate(export_connections):
            draw = self.random.random()
            if index == 0 or draw < 0.5:  # the busiest connection is shared with contributors
                group_rows.append((connection, contributor_group))
                counts["contributors"] += 1
            elif draw < 0.6:
                chosen = {contributors[0]}
                chosen.update(self.random.sample(contributors, min(2, len(contributors))))
                user_rows.extend((connection, user) for user in chosen)
                counts["users"] += 1
            elif draw < 0.63:
                group_rows.append((connection, self.random.choice(teams)))
                counts["groups"] += 1
        ConnectionGroupObjectPermission.objects.bulk_create(
            [
                ConnectionGroupObjectPermission(
                    content_object=connection, permission=permission, group=group
                )
                for connection, group in group_rows
            ],
            batch_size=BATCH,
        )
        ConnectionUserObjectPermission.objects.bulk_create(
            [
                ConnectionUserObjectPermission(
                    content_object=connection, permission=permission, user=user
                )
                for connection, user in user_rows
            ],
            batch_size=BATCH,
        )
        return counts

    # --- exports and enrichments --------------------------------------------------------

    def _schedule(self) -> dict:
        kind = self.random.choice(list(Schedule))
        timed = kind in (Schedule.DAILY, Schedule.WEEKLY)
        return {
            "schedule": kind,
            "schedule_time": datetime.time(self.random.randint(0, 23), 0) if timed else None,
            "schedule_weekday": self.random.randint(0, 6) if kind == Schedule.WEEKLY else None,
        }

    def _exports(
        self, count: int, skew: int, connections: list, segments: list, users: dict
    ) -> int:
        if not count:
            return 0
        makers = users["admin"] + users["contributor"]
        field_keys = list(CUSTOMER_FIELDS)
        skewed = min(skew, count // 2) if connections else 0
        others = connections[1:] or connections
        through = Export.segments.through
        made = 0
        while made < count:
            batch = []
            for i in range(made, min(count, made + BATCH)):
                if i < skewed:
                    connection = connections[0]
                elif not connections or self.random.random() < 0.05:
                    connection = None
                else:
                    connection = self.random.choice(others)
                created = self.now - datetime.timedelta(minutes=self.random.randint(0, 525_600))
                batch.append(
                    Export(
                        name=f"Export {i + 1:06d}: {' '.join(self.random.sample(WORDS, 2))}",
                        connection=connection,
                        fields=self.random.sample(field_keys, self.random.randint(2, 5)),
                        last_run_at=(
                            created + datetime.timedelta(hours=self.random.randint(1, 48))
                            if self.random.random() < 0.8
                            else None
                        ),
                        created_at=created,
                        created_by=self.random.choice(makers),
                        **self._schedule(),
                    )
                )
            batch = Export.objects.bulk_create(batch)
            rows = []
            for export in batch:
                chosen = self.random.sample(segments, min(len(segments), 1 + export.pk % 2))
                rows.extend(through(export_id=export.pk, segment_id=s.pk) for s in chosen)
            through.objects.bulk_create(rows)
            made += len(batch)
        return made

    def _enrichments(self, count: int, connections: list, segments: list, users: dict) -> int:
        if not count or not connections:
            return 0
        makers = users["admin"] + users["contributor"]
        rows = []
        for i in range(count):
            connection = self.random.choice(connections)
            active = self.random.random() >= 0.05
            rows.append(
                Enrichment(
                    name=f"Enrichment {i + 1:05d}: {' '.join(self.random.sample(WORDS, 2))}",
                    type_key=connection.type_key,
                    connection=connection if active else None,
                    segment=self.random.choice(segments) if self.random.random() < 0.5 else None,
                    status=EnrichmentStatus.ACTIVE if active else EnrichmentStatus.INACTIVE,
                    enriched_customers=self.random.randint(0, 100_000),
                    created_at=self.now - datetime.timedelta(days=self.random.randint(0, 700)),
                    created_by=self.random.choice(makers),
                )
            )
        Enrichment.objects.bulk_create(rows, batch_size=BATCH)
        return count
