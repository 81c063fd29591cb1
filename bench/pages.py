"""The pages the benchmark measures, the data they need, and measuring them all."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from bench.measure import measure

DISCONNECT_COUNT = 1000

HTMX = {"HX-Request": "true"}


@dataclass
class Page:
    key: str
    label: str
    user: str  # "admin", "contributor" or "superuser"
    path: str
    method: str = "GET"
    htmx: bool = False
    data: object = None
    expect: int = 200
    django_admin: bool = False
    before_each: object = None
    # A stress case: reported, but not one of the pages the p95 target is about.
    stress: bool = False


def build_pages(context: dict) -> list[Page]:
    """The pages of the issue, for data made by generate_load_data.

    The searches match at every size: "partner" is in the busiest connection's name
    (so in its exports' connection), "SFTP" is its type.
    """
    tab = "/admin/connections/"
    busiest = context["busiest_pk"]
    remove = f"/admin/connections/{busiest}/remove/"
    dependants = f"{remove}dependants/"
    changelist = "/django-admin/connections/connection/"

    def disconnect(key: str, how: str, before_each, *, stress: bool = False) -> Page:
        return Page(
            key,
            f"Disconnect {context['disconnect_count']:,} selected exports{how}",
            "admin",
            dependants,
            method="POST",
            htmx=True,
            data={"action": "disconnect_exports", "export": context["disconnect_ids"]},
            before_each=before_each,
            stress=stress,
        )

    pages = [
        Page("tab", "Connections tab, first page", "admin", tab),
        Page("tab_htmx", "Connections tab, first page (htmx partial)", "admin", tab, htmx=True),
    ]
    for key, label in [
        ("name", "display name"),
        ("-name", "display name, descending"),
        ("type", "type"),
        ("used_for", "used for"),
        ("who", "who can use it"),
        ("exports", "exports"),
        ("-exports", "exports, descending"),
        ("enrichments", "enrichments"),
        ("-enrichments", "enrichments, descending"),
        ("created", "created"),
        ("-created", "created, descending"),
    ]:
        pages.append(
            Page(
                f"tab_sort_{key}",
                f"Connections tab sorted by {label}",
                "admin",
                f"{tab}?sort={key}",
            )
        )
    pages += [
        Page(
            "tab_search", "Connections tab, search by name (“partner”)", "admin", f"{tab}?q=partner"
        ),
        Page(
            "tab_search_type",
            "Connections tab, search by type (“SFTP”)",
            "admin",
            f"{tab}?q=SFTP",
        ),
        Page("tab_page_last", "Connections tab, page 100", "admin", f"{tab}?page=100"),
        Page("discover", "Discover tab", "admin", f"{tab}discover/"),
        Page("discover_htmx", "Discover tab (htmx partial)", "admin", f"{tab}discover/", htmx=True),
        Page("exports_admin", "Exports page as admin", "admin", "/exports/"),
        Page(
            "exports_admin_htmx",
            "Exports page as admin (htmx partial)",
            "admin",
            "/exports/",
            htmx=True,
        ),
        Page(
            "exports_admin_search",
            "Exports page as admin, search (“partner”)",
            "admin",
            "/exports/?q=partner",
        ),
        Page("exports_contributor", "Exports page as contributor", "contributor", "/exports/"),
        Page(
            "exports_contributor_htmx",
            "Exports page as contributor (htmx partial)",
            "contributor",
            "/exports/",
            htmx=True,
        ),
        Page(
            "exports_contributor_search",
            "Exports page as contributor, search (“partner”)",
            "contributor",
            "/exports/?q=partner",
        ),
        Page("export_new", "Add export form (contributor)", "contributor", "/exports/new/"),
        Page(
            "export_new_search",
            "Add export form, Find a connection (no JavaScript)",
            "contributor",
            "/exports/new/?connection_q=partner",
        ),
        Page(
            "connection_options",
            "Add export form, connection search (htmx partial)",
            "contributor",
            "/exports/connection-options/?connection_q=partner",
            htmx=True,
        ),
        Page("remove", "Remove dialog, connection with the most exports", "admin", remove),
        Page("remove_htmx", "Remove dialog (htmx partial)", "admin", remove, htmx=True),
        Page("dependants", "Remove dialog: what uses it", "admin", dependants),
        Page(
            "dependants_htmx",
            "Remove dialog: what uses it (htmx partial)",
            "admin",
            dependants,
            htmx=True,
        ),
        Page(
            "dependants_page_2",
            "Remove dialog: what uses it, page 2 (htmx partial)",
            "admin",
            f"{dependants}?exports_page=2",
            htmx=True,
        ),
        disconnect("disconnect", " (dialog, htmx)", context["reattach_settled"]),
        *(
            [
                disconnect(
                    "disconnect_back_to_back",
                    ", back to back (no vacuum between)",
                    context["reattach"],
                    stress=True,
                )
            ]
            if context["vendor"] == "postgresql"
            else []
        ),
        Page(
            "admin_changelist",
            "Django admin changelist",
            "superuser",
            changelist,
            django_admin=True,
        ),
        Page(
            "admin_changelist_search",
            "Django admin changelist, search (“partner”)",
            "superuser",
            f"{changelist}?q=partner",
            django_admin=True,
        ),
        Page(
            "admin_changelist_exports",
            "Django admin changelist sorted by exports, descending",
            "superuser",
            f"{changelist}?o=-5",
            django_admin=True,
        ),
    ]
    return pages


# Full page and its htmx partial.
PARTIAL_PAIRS = [
    ("tab", "tab_htmx"),
    ("discover", "discover_htmx"),
    ("exports_admin", "exports_admin_htmx"),
    ("exports_contributor", "exports_contributor_htmx"),
    ("export_new_search", "connection_options"),
    ("remove", "remove_htmx"),
    ("dependants", "dependants_htmx"),
]
# Our page and the Django admin's, on the same data.
ADMIN_PAIRS = [
    ("tab", "admin_changelist"),
    ("tab_search", "admin_changelist_search"),
    ("tab_sort_-exports", "admin_changelist_exports"),
]


def load_data_names():
    """The generate_load_data command's module (its user and connection names), found
    through the command's name so that it does not matter which app holds it."""
    from importlib import import_module

    from django.core.management import get_commands

    app = get_commands()["generate_load_data"]
    return import_module(f"{app}.management.commands.generate_load_data")


def bench_context(disconnect_count: int = DISCONNECT_COUNT) -> dict:
    """Users, the busiest connection and the exports to disconnect, from generated data."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from connections_admin.connections.models import Connection
    from connections_admin.exports.models import Export

    gen = load_data_names()
    users = get_user_model().objects
    busiest = Connection.objects.get(display_name=gen.SKEWED_CONNECTION_NAME)
    busiest_exports = busiest.exports.count()
    # At most half of them, so that the dialog shows the rest afterwards at every size.
    count = min(disconnect_count, busiest_exports // 2)
    ids = list(busiest.exports.order_by("pk").values_list("pk", flat=True)[:count])

    def reattach():
        Export.objects.filter(pk__in=ids).update(connection=busiest)

    def reattach_settled():
        """Re-attach, then let PostgreSQL clean up as autovacuum would between two bulk actions.

        Each disconnect and re-attach writes 1,000 new row versions, and their entries in
        every index, the trigram index's pending list included. Timed back to back, the
        30th disconnect would run over 60,000 dead row versions of the same rows and,
        every few requests, flush that pending list: a state a real console, where
        autovacuum runs between bulk actions, does not reach. The back-to-back figure is
        measured and reported too (``disconnect_back_to_back``).
        """
        reattach()
        # VACUUM cannot run in a transaction (the benchmark's own tests run in one).
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {connection.ops.quote_name(Export._meta.db_table)}")

    return {
        "users": {
            "admin": users.get(username=gen.FIRST_ADMIN),
            "contributor": users.get(username=gen.FIRST_CONTRIBUTOR),
            "superuser": users.get(username=gen.SUPERUSER_NAME),
        },
        "busiest": busiest,
        "busiest_pk": busiest.pk,
        "busiest_exports": busiest_exports,
        "disconnect_ids": [str(pk) for pk in ids],
        "disconnect_count": len(ids),
        "reattach": reattach,
        "reattach_settled": reattach_settled,
        "vendor": connection.vendor,
    }


def run_pages(
    context: dict, *, repeat: int, warmup: int, only=None, budget_seconds: float | None = None
) -> dict[str, dict]:
    """Measure every page; fails loudly if one answers with an unexpected status."""
    from django.test import Client

    clients = {}
    for name, user in context["users"].items():
        clients[name] = Client()
        clients[name].force_login(user)
    pages = [page for page in build_pages(context) if only is None or page.key in only]
    for page in pages:  # one untimed pass first: every code path loaded, caches warm
        if page.before_each is not None:
            page.before_each()
        send = getattr(clients[page.user], page.method.lower())
        send(page.path, data=page.data, headers=HTMX if page.htmx else None)
    results = {}
    for page in pages:
        result = measure(
            clients[page.user],
            page.method,
            page.path,
            data=page.data,
            headers=HTMX if page.htmx else None,
            repeat=repeat,
            warmup=warmup,
            before_each=page.before_each,
            budget_seconds=budget_seconds,
        )
        if result.status != page.expect:
            raise RuntimeError(f"{page.method} {page.path} answered {result.status}")
        results[page.key] = {
            "label": page.label,
            "path": page.path,
            "django_admin": page.django_admin,
            "stress": page.stress,
            **asdict(result),
        }
        print(
            f"  {page.label:<62} median {result.median_ms:7.1f} ms  p95 {result.p95_ms:7.1f} ms"
            f"  {result.queries:3d} queries  {result.bytes:7d} bytes",
            flush=True,
        )
    return results


def disconnect_operation_queries(context: dict) -> dict:
    """The queries of the disconnect itself (lock and check, audit, update), as SQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from connections_admin.connections import dependants

    context["reattach"]()
    ids = sorted(int(pk) for pk in context["disconnect_ids"])
    kind, verb = dependants.kinds.for_action("disconnect_exports")
    with CaptureQueriesContext(connection) as captured:
        message = dependants.apply(
            kind=kind,
            verb=verb,
            connection=context["busiest"],
            ids=ids,
            user=context["users"]["admin"],
        )
    context["reattach"]()
    statements = [q["sql"] for q in captured.captured_queries]
    return {
        "queries": len(statements),
        "statements": [s.split(" WHERE ")[0][:90] for s in statements],
        "message": str(message),
    }
