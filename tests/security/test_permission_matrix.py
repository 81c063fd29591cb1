"""Every URL of the console against every role, GET, HEAD and POST, from the URL resolver.

A URL pattern added without a row in EXPECTED fails ``test_every_url_has_a_row``. HEAD
answers as GET does wherever GET is allowed (RFC 9110), for every role: its expected
outcome is the GET one.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from connections_admin.accounts.roles import Role
from connections_admin.connections.sharing import Audience, Sharing, set_sharing
from connections_admin.exports.models import ExportRun
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory

# Outcomes: "login" redirect to sign in, "ok" any status below 400 that is not the
# sign-in redirect, or an HTTP status code.
LOGIN, OK = "login", "ok"
ROLES = ["anonymous", "viewer", "contributor", "contributor_shared", "admin"]


def row(anonymous, viewer, contributor, contributor_shared, admin):
    return dict(
        zip(ROLES, (anonymous, viewer, contributor, contributor_shared, admin), strict=True)
    )


ADMIN_ONLY = row(LOGIN, 403, 403, 403, OK)
ADMIN_ONLY_GET = {
    "GET": ADMIN_ONLY,
    "POST": row(LOGIN, 403, 403, 403, 405),
}
EVERYONE_GET = {"GET": row(LOGIN, OK, OK, OK, OK), "POST": row(LOGIN, 405, 405, 405, 405)}
CONTRIBUTOR_CHANGE = {m: row(LOGIN, 403, OK, OK, OK) for m in ("GET", "POST")}
SHARED_EXPORT_CHANGE = {m: row(LOGIN, 403, 403, OK, OK) for m in ("GET", "POST")}

EXPECTED = {
    "home": {"GET": row(LOGIN, OK, OK, OK, OK), "POST": row(LOGIN, 405, 405, 405, 405)},
    "login": {"GET": row(OK, OK, OK, OK, OK), "POST": row(OK, OK, OK, OK, OK)},
    "logout": {
        "GET": row(405, 405, 405, 405, 405),
        "POST": row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),  # signed out, back to sign in
    },
    "set_language": {"GET": row(OK, OK, OK, OK, OK), "POST": row(OK, OK, OK, OK, OK)},
    "activity": ADMIN_ONLY_GET,
    "connections:list": ADMIN_ONLY_GET,
    "connections:discover": ADMIN_ONLY_GET,
    "connections:choose_type": ADMIN_ONLY_GET,
    "connections:new": {m: ADMIN_ONLY for m in ("GET", "POST")},
    "connections:edit": {m: ADMIN_ONLY for m in ("GET", "POST")},
    "connections:remove": {m: ADMIN_ONLY for m in ("GET", "POST")},
    "connections:dependants": {m: ADMIN_ONLY for m in ("GET", "POST")},
    "connections:verify": {m: ADMIN_ONLY for m in ("GET", "POST")},
    "connections:accept_host_key": {
        "GET": row(LOGIN, 403, 403, 403, 405),
        "POST": ADMIN_ONLY,
    },
    "exports:list": EVERYONE_GET,
    "exports:new": CONTRIBUTOR_CHANGE,
    "exports:connection_options": {
        "GET": row(LOGIN, 403, OK, OK, OK),
        "POST": row(LOGIN, 403, 405, 405, 405),
    },
    "exports:edit": SHARED_EXPORT_CHANGE,
    "exports:disconnect": SHARED_EXPORT_CHANGE,
    "exports:remove": SHARED_EXPORT_CHANGE,
    "exports:view": EVERYONE_GET,
    "exports:disconnect_selected": {  # contributors: only the exports they may manage
        "GET": row(LOGIN, 403, 405, 405, 405),
        "POST": row(LOGIN, 403, OK, OK, OK),
    },
    "exports:run": {
        "GET": row(LOGIN, 403, 405, 405, 405),
        "POST": SHARED_EXPORT_CHANGE["POST"],
    },
    "exports:run_selected": {
        "GET": row(LOGIN, 403, 403, 403, 405),
        "POST": ADMIN_ONLY,
    },
    "exports:runs": EVERYONE_GET,
    "exports:run_cancel": {
        "GET": row(LOGIN, 403, 405, 405, 405),
        "POST": SHARED_EXPORT_CHANGE["POST"],
    },
    "enrichments:list": EVERYONE_GET,
    "enrichments:new": CONTRIBUTOR_CHANGE,
    "enrichments:edit": CONTRIBUTOR_CHANGE,
    "enrichments:deactivate": CONTRIBUTOR_CHANGE,
    "enrichments:activate": CONTRIBUTOR_CHANGE,
    "enrichments:remove": CONTRIBUTOR_CHANGE,
}

# Django's own admin site is not the console; it has its own permission system.
EXCLUDED_NAMESPACES = {"admin"}


def console_patterns(resolver=None, prefix="", namespace=""):
    """(qualified name, route) for every named URL pattern of the console."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in EXCLUDED_NAMESPACES:
                continue
            yield from console_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern)


ROUTES = dict(console_patterns())


def test_every_url_has_a_row():
    missing = sorted(set(ROUTES) - set(EXPECTED))
    assert not missing, f"URL patterns without a row in EXPECTED: {missing}"
    stale = sorted(set(EXPECTED) - set(ROUTES))
    assert not stale, f"Rows for URL patterns that no longer exist: {stale}"


def concrete(name: str, route: str, objects: dict) -> str:
    """The route with real ids: connections, exports and enrichments by namespace."""
    ids = {
        "connections": objects["connection"].pk,
        "exports": objects["export"].pk,
        "enrichments": objects["enrichment"].pk,
    }
    namespace = name.split(":")[0]
    path = re.sub(r"<id:run_pk>", str(objects["run"].pk), route)
    path = re.sub(r"<(?:int|id):\w+>", str(ids.get(namespace, 1)), path)
    path = re.sub(r"<str:type_key>", "sftp", path)
    return "/" + path.lstrip("^").rstrip("$")


@pytest.fixture
def world(db, make_user):
    connection = ConnectionFactory(display_name="Matrix connection")
    export = ExportFactory(connection=connection)
    enrichment = EnrichmentFactory()
    users = {
        "viewer": make_user(Role.VIEWER, "m-viewer"),
        "contributor": make_user(Role.CONTRIBUTOR, "m-contributor"),
        "contributor_shared": make_user(Role.CONTRIBUTOR, "m-shared"),
        "admin": make_user(Role.ADMIN, "m-admin"),
    }
    set_sharing(connection, Sharing(Audience.CHOSEN, users=[users["contributor_shared"]]))
    run = ExportRun.objects.create(export=export, connection=connection, trigger="manual")
    return {
        "connection": connection,
        "export": export,
        "run": run,
        "enrichment": enrichment,
        "users": users,
    }


CASES = [
    (name, role, method)
    for name in sorted(EXPECTED)
    for role in ROLES
    for method in ("GET", "HEAD", "POST")
]


@pytest.mark.parametrize(("name", "role", "method"), CASES)
def test_permission_matrix(world, name, role, method):
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    path = concrete(name, ROUTES[name], world)
    response = client.generic(method, path)
    expected = EXPECTED[name]["GET" if method == "HEAD" else method][role]
    location = response.get("Location", "")
    went_to_login = response.status_code == 302 and location.startswith("/accounts/login/")
    if expected == LOGIN:
        assert went_to_login, (path, response.status_code, location)
    elif expected == OK:
        assert response.status_code < 400 and not went_to_login, (path, response.status_code)
    else:
        assert response.status_code == expected, (path, response.status_code)
