"""Valid HTML (issue 13, item 16): the Nu HTML checker over every page and htmx fragment.

One test builds realistic data, then fetches with the Django test client, as each role
that can see it, every page and every htmx fragment of the console, error states
included: forms posted with errors, the guided Remove dialog of a connection in use and
its confirm step, the Verify pane, the Runs page, 400/403/404/500 pages, the sign-in page
with an error, the locked-out page, and Kazakh. POST-only actions are posted and their
redirect followed, so the page with their message is checked too.

Every named URL pattern of the console (from ``get_resolver()``) must be crawled, or be
listed in ``EXCLUDED`` with a reason, and every file in templates/ must have been rendered
into a document checked: a new view or template cannot escape the check.

Each whole page is written as it is, each fragment inside a minimal valid document, into
a temporary folder, and the checker (``vnu.jar``, the npm package ``vnu-jar``, run by
Java) runs once over all of them: it takes seconds to start. Any error fails the test,
listing file, line and message. ``make vnu`` (part of ``make test``) installs the checker
and Java; without them the test fails and says so.

Marked ``browser`` like the tests that drive Chromium: it runs in the SQLite run of
``make test``, and the PostgreSQL run (``-m "not browser"``) leaves it out: the HTML does
not depend on the database.
"""

import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone, translation
from django.views.defaults import server_error

from connections_admin.accounts.roles import Role
from connections_admin.connections.models import CheckStatus, Connection, ConnectionCheck, Health
from connections_admin.connections.sharing import Audience
from connections_admin.enrichments.models import Enrichment, EnrichmentStatus
from connections_admin.exports.dependant import EXPORTS
from connections_admin.exports.models import Export, ExportRun, RunStatus, RunTrigger, Schedule
from connections_admin.outbound.failures import Failure
from tests.connection_types.test_builtin_types import GOOD
from tests.factories import CustomerFactory, MembershipFactory, SegmentFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(
    os.environ.get("VNU_JAR", ROOT / "var/test-tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar")
)
PASSWORD = "pw-for-tests-1"  # tests/conftest.py's make_user
SKELETON = (
    "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>x</title></head>"
    "<body>\n{}\n</body></html>"
)

# Named URL patterns the crawl does not fetch, each with its reason.
EXCLUDED_NAMESPACES = {"admin": "Django's own admin site, not the console's HTML"}
EXCLUDED: dict[str, str] = {}

ADMIN, CONTRIBUTOR, VIEWER, ANONYMOUS = "admin", "contributor", "viewer", "anonymous"


def console_patterns(resolver=None, namespace=""):
    """The qualified name of every named URL pattern but the excluded namespaces'."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns not in EXCLUDED_NAMESPACES:
                yield from console_patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


@dataclass
class Crawl:
    """Fetches pages and fragments and writes each HTML document into ``folder``."""

    folder: Path
    clients: dict[str, Client]
    documents: dict[str, str] = field(default_factory=dict)  # file name -> what it is
    covered: set[str] = field(default_factory=set)
    leaks: list[str] = field(default_factory=list)
    templates: set[str] = field(default_factory=set)  # those of the documents written

    def fetch(
        self,
        role: str,
        url: str,
        *,
        post: dict | None = None,
        target: str | None = None,
        status: int = 200,
        follow: bool = False,
        language: str = "en",
        client: Client | None = None,
        remote_addr: str = "127.0.0.1",
        **headers: str,
    ):
        """GET (or POST ``post``) ``url`` as ``role``; ``target`` makes it an htmx request
        aimed at that element id. Checks the status and records the HTML answered."""
        client = client or self.clients[role]
        if target is not None:
            headers |= {"HX-Request": "true", "HX-Target": target}
        headers.setdefault("Accept-Language", language)
        send = client.get if post is None else client.post
        kwargs = {"data": post} if post is not None else {}
        response = send(url, follow=follow, headers=headers, REMOTE_ADDR=remote_addr, **kwargs)
        label = f"{'POST' if post is not None else 'GET'} {url} as {role}"
        label += f" (htmx, target #{target})" if target else ""
        label += f" [{language}]" if language != "en" else ""
        label += (
            f" with {headers}"
            if set(headers) - {"HX-Request", "HX-Target", "Accept-Language"}
            else ""
        )
        assert response.status_code == status, f"{label}: {response.status_code}, not {status}"
        if follow:
            assert response.redirect_chain, f"{label}: no redirect to follow"
            label += f", followed to {response.redirect_chain[-1][0]}"
        if status < 400 or status in (409, 429):  # the view's own answer, not an error page
            with contextlib.suppress(Resolver404):
                self.covered.add(resolve(urlsplit(url).path).view_name)
        if status != 204:
            self.record(label, response)
        return response

    def record(self, label: str, response) -> None:
        assert response["Content-Type"].startswith("text/html"), (
            f"{label}: {response['Content-Type']}"
        )
        self.write(label, response.content.decode())
        self.templates |= {template.name for template in response.templates if template.name}

    def write(self, label: str, html: str) -> None:
        # Template syntax that reached the page (a {# comment #} over two lines does).
        leak = re.search(r"\{#|#\}|\{%|%\}|\{\{|\}\}", html)
        if leak:
            self.leaks.append(f"{label}: {html[max(leak.start() - 60, 0) : leak.end() + 60]!r}")
        whole = html.lstrip().lower().startswith("<!doctype html")
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:80]
        name = f"{len(self.documents):03d}-{slug}.html"
        (self.folder / name).write_text(html if whole else SKELETON.format(html), "utf-8")
        self.documents[name] = label + ("" if whole else " (fragment, wrapped)")


def checker() -> tuple[str, Path]:
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        missing = " and ".join(
            what
            for what, gone in (("java", java is None), (str(VNU_JAR), not VNU_JAR.is_file()))
            if gone
        )
        pytest.fail(f"The Nu HTML checker needs {missing}: run `make vnu` (make test does).")
    return java, VNU_JAR


def run_checker(java: str, jar: Path, files: list[Path]) -> list[dict]:
    """The checker's messages over ``files``; it prints its JSON report on stderr."""
    done = subprocess.run(  # noqa: S603 (our own argument list, no shell)
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        return json.loads(done.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"The checker did not answer JSON (exit {done.returncode}):\n{done.stderr}")


# ---------------------------------------------------------------------------------------
# The data: several connections of each kind of state, exports and enrichments using them,
# runs and checks, segments with customers, audit entries (the services write them).


def build_world(make_user) -> dict:
    users = {
        ADMIN: make_user(Role.ADMIN, "alice-admin"),
        CONTRIBUTOR: make_user(Role.CONTRIBUTOR, "carl-contributor"),
        VIEWER: make_user(Role.VIEWER, "vera-viewer"),
    }
    olga = make_user(Role.CONTRIBUTOR, "olga-contributor")
    team = Group.objects.create(name="Marketing team")
    team.user_set.add(users[CONTRIBUTOR])
    users[ADMIN].email = "alice@example.com"
    users[ADMIN].save()
    segments = [SegmentFactory(name=name) for name in ("High-value customers", "Churn risk")]
    for segment in segments:
        for _n in range(3):
            MembershipFactory(segment=segment, customer=CustomerFactory())
    SegmentFactory(name="Empty segment")
    return {"users": users, "segments": segments, "team": team, "chosen": olga}


def crawl_empty(crawl: Crawl) -> None:
    """The first day: no connection, export, enrichment or change yet."""
    for url in ("/admin/connections/", "/admin/activity/", "/exports/", "/enrichments/"):
        crawl.fetch(ADMIN, url)
    crawl.fetch(CONTRIBUTOR, "/exports/new/")
    crawl.fetch(CONTRIBUTOR, "/enrichments/new/", language="kk")


def set_up_every_type(crawl: Crawl, world: dict) -> dict[str, Connection]:
    """Every built-in type set up through its pane, as an admin does (the first and last
    through htmx, the others as a whole page, followed to the list with its message)."""
    made = {}
    keys = sorted(GOOD)
    for n, key in enumerate(keys):
        data = {"display_name": f"{key.replace('_', ' ').title()} main", "consent": "on"}
        data |= GOOD[key]
        if key == "sftp":
            data |= {"who_can_use": Audience.CONTRIBUTORS.value}
        elif key == "sendgrid":
            data |= {
                "who_can_use": Audience.CHOSEN.value,
                "shared_groups": [world["team"].pk],
                "shared_users": [world["chosen"].pk],
            }
        url = f"/admin/connections/new/{key}/"
        if n in (0, len(keys) - 1):
            crawl.fetch(ADMIN, url, post=data, target="pane-body", status=204)
        else:
            response = crawl.clients[ADMIN].post(url, data, follow=True)
            assert response.redirect_chain, (key, response.content.decode()[:2000])
            if n == 1:
                crawl.record(f"POST {url} as admin, followed", response)
        made[key] = Connection.objects.get(display_name=data["display_name"])
    return made


def add_uses(world: dict, made: dict[str, Connection]) -> None:
    """Exports and enrichments on the connections, runs of an export, checks of a few."""
    users, segments = world["users"], world["segments"]
    sftp = made["sftp"]
    now = timezone.now().replace(microsecond=123456)
    exports = [
        Export(
            name=f"Weekly list {n:02d}",
            connection=sftp,
            fields=["customer_id", "email"],
            schedule=[Schedule.DAILY, Schedule.WEEKLY, Schedule.HOURLY][n % 3],
            schedule_time=now.time().replace(second=0, microsecond=0),
            schedule_weekday=n % 7 if n % 3 == 1 else None,
            created_by=users[CONTRIBUTOR],
        )
        for n in range(30)  # more than a page of the guided Remove dialog (25)
    ]
    exports += [
        Export(
            name=f"Campaign feed {n:02d}",
            connection=made[key],
            fields=["email"],
            schedule=[Schedule.WITH_REFRESH, Schedule.DAILY][n % 2],
            schedule_time=now.time().replace(second=0, microsecond=0),
            created_by=users[ADMIN],
        )
        for n, key in enumerate(["azure_blob_storage", "sendgrid", "klaviyo"] * 8)
    ]
    exports.append(
        Export(name="Disconnected feed", connection=None, fields=["email"], created_by=users[ADMIN])
    )
    for export in exports:
        export.save()  # one by one: the use counts are kept by triggers, and signals run
        export.segments.set(segments)
    leadspace = made["leadspace"]
    for n in range(3):
        Enrichment.objects.create(
            name=f"Firmographics {n}",
            type_key="leadspace",
            connection=leadspace,
            segment=segments[n % 2],
            status=EnrichmentStatus.ACTIVE,
            enriched_customers=1200 * n,
            last_refreshed_at=now,
            created_by=users[CONTRIBUTOR],
        )
    Enrichment.objects.create(
        name="Paused enrichment",
        type_key="leadspace",
        connection=None,
        segment=segments[0],
        status=EnrichmentStatus.INACTIVE,
        created_by=users[ADMIN],
    )

    first = exports[0]
    minute = timedelta(minutes=1)
    for n, (status, trigger, failure) in enumerate(
        [
            (RunStatus.SUCCEEDED, RunTrigger.SCHEDULE, ""),
            (RunStatus.FAILED, RunTrigger.MANUAL, Failure.AUTHENTICATION_FAILED),
            (RunStatus.FAILED, RunTrigger.SCHEDULE, Failure.SERVICE_ERROR),
            (RunStatus.CANCELLED, RunTrigger.REFRESH, ""),
            (RunStatus.RUNNING, RunTrigger.MANUAL, ""),
            (RunStatus.QUEUED, RunTrigger.MANUAL, ""),
        ]
    ):
        started = now - (10 - n) * minute if status != RunStatus.QUEUED else None
        ExportRun.objects.create(
            export=first,
            connection=sftp,
            trigger=trigger,
            requested_by=users[CONTRIBUTOR] if trigger == RunTrigger.MANUAL else None,
            status=status,
            queued_at=now - (11 - n) * minute,
            started_at=started,
            finished_at=started + minute
            if started and status not in (RunStatus.RUNNING, RunStatus.QUEUED)
            else None,
            attempt=1 if started else 0,
            rows=4321 if status == RunStatus.SUCCEEDED else 0,
            bytes=98765 if status == RunStatus.SUCCEEDED else 0,
            files=2 if status == RunStatus.SUCCEEDED else 0,
            failure=failure,
            http_status=503 if failure == Failure.SERVICE_ERROR else None,
        )
    Export.objects.filter(pk=first.pk).update(last_run_at=now, failing_since=now - minute)

    # Checks: SFTP passed, then failed on a changed host key; Azure failed; Klaviyo checking.
    checks = [
        (sftp, CheckStatus.PASSED, "", "SHA256:old-key", 3),
        (sftp, CheckStatus.FAILED, Failure.HOST_KEY_CHANGED, "SHA256:new-key", 2),
        (made["azure_blob_storage"], CheckStatus.FAILED, Failure.NOT_FOUND, "", 2),
        (made["klaviyo"], CheckStatus.PASSED, "", "", 5),
        (made["klaviyo"], CheckStatus.QUEUED, "", "", 0),
    ]
    for connection, status, failure, host_key, minutes_ago in checks:
        finished = status in (CheckStatus.PASSED, CheckStatus.FAILED)
        ConnectionCheck.objects.create(
            connection=connection,
            requested_at=now - (minutes_ago + 1) * minute,
            requested_by=users[ADMIN],
            scheduled=minutes_ago == 3,
            status=status,
            started_at=now - (minutes_ago + 1) * minute if finished else None,
            finished_at=now - minutes_ago * minute if finished else None,
            failure=failure,
            host_key=host_key,
        )
    other_admin = UserFactory(username="bob-admin", is_superuser=True)
    for n in range(6):
        ConnectionCheck.objects.create(
            connection=made["iterable"],
            requested_at=now - timedelta(seconds=10 + n),
            requested_by=other_admin,
            status=CheckStatus.PASSED,
            started_at=now - timedelta(seconds=10 + n),
            finished_at=now - timedelta(seconds=9 + n),
        )
    Connection.objects.filter(pk=sftp.pk).update(
        host_key="SHA256:old-key", health=Health.FAILING, health_since=now - 2 * minute
    )
    Connection.objects.filter(pk=made["klaviyo"].pk).update(
        health=Health.VERIFIED, health_since=now - 5 * minute
    )
    # Connections for the states of the Edit pane: an unknown type, unreadable secrets.
    Connection.objects.create(display_name="From an uninstalled plugin", type_key="gone_plugin")
    Connection.objects.filter(pk=made["braze"].pk).update(secrets_encrypted="not-a-fernet-token")
    # More connections than a page of the Connections tab (50).
    Connection.objects.bulk_create(
        Connection(display_name=f"Bulk connection {n:02d}", type_key="sftp") for n in range(30)
    )


# ---------------------------------------------------------------------------------------
# The crawl.


def crawl_accounts(crawl: Crawl, world: dict) -> None:
    crawl.fetch(ANONYMOUS, "/", status=302)
    crawl.fetch(ANONYMOUS, "/", follow=True)
    crawl.fetch(ANONYMOUS, "/accounts/login/?next=/exports/")
    wrong = {"username": "alice-admin", "password": "not-the-password"}
    for language in ("en", "kk"):
        crawl.fetch(ANONYMOUS, "/accounts/login/", post=wrong, language=language)
    crawl.fetch(ANONYMOUS, "/accounts/login/", post={"username": "", "password": ""})
    locker, address = Client(), "203.0.113.7"  # its own address: the others are not locked
    for _n in range(4):
        locker.post(
            "/accounts/login/",
            {"username": "olga-contributor", "password": "wrong"},
            REMOTE_ADDR=address,
        )
    for language in ("en", "kk"):
        crawl.fetch(
            ANONYMOUS,
            "/accounts/login/",
            post={"username": "olga-contributor", "password": "wrong"},
            status=429,
            language=language,
            client=locker,
            remote_addr=address,
        )
    # Signing in and out through the forms, each followed to the page it leads to.
    fresh = Client()
    crawl.fetch(
        VIEWER,
        "/accounts/login/",
        post={"username": "vera-viewer", "password": PASSWORD},
        follow=True,
        client=fresh,
    )
    crawl.fetch(VIEWER, "/accounts/logout/", post={}, follow=True, client=fresh)
    switcher = Client()
    switcher.force_login(world["users"][CONTRIBUTOR])
    crawl.fetch(
        CONTRIBUTOR,
        "/i18n/setlang/",
        post={"language": "kk", "next": "/enrichments/"},
        follow=True,
        client=switcher,
    )
    for role in (ADMIN, CONTRIBUTOR, VIEWER):
        crawl.fetch(role, "/", follow=True)
    # The error pages.
    for role in (ANONYMOUS, VIEWER, ADMIN):
        crawl.fetch(role, "/no-such-page/", status=404)
    crawl.fetch(ADMIN, "/no-such-page/", status=404, language="kk")
    crawl.fetch(ADMIN, "/admin/connections/999999/edit/", status=404)
    crawl.fetch(ADMIN, "/admin/connections/new/no_such_type/", status=404)
    for role in (VIEWER, CONTRIBUTOR):
        crawl.fetch(role, "/admin/connections/", status=403)
    crawl.fetch(VIEWER, "/admin/activity/", status=403, language="kk")
    crawl.fetch(VIEWER, "/exports/new/", status=403)
    crawl.fetch(ANONYMOUS, "/accounts/login/", status=400, HOST="evil.example")
    for language in ("en", "kk"):
        request = RequestFactory().get("/", headers={"Accept-Language": language})
        with translation.override(language):
            crawl.write(f"500 page [{language}]", server_error(request).content.decode())
    crawl.templates.add("500.html")


def crawl_connections(crawl: Crawl, made: dict[str, Connection]) -> None:
    base = "/admin/connections/"
    for language in ("en", "kk"):
        crawl.fetch(ADMIN, base, language=language)
        crawl.fetch(ADMIN, f"{base}discover/", language=language)
        crawl.fetch(ADMIN, f"{base}new/", target="pane-body", language=language)
    crawl.fetch(ADMIN, f"{base}?page=2&sort=-type")
    crawl.fetch(ADMIN, f"{base}?q=azure&status=failing", target="admin-connections")
    crawl.fetch(ADMIN, f"{base}?q=nothing-matches-this", target="admin-connections")
    crawl.fetch(ADMIN, f"{base}?sort=-exports", target="admin-connections")
    crawl.fetch(ADMIN, f"{base}discover/", target="admin-connections")
    crawl.fetch(ADMIN, f"{base}?status=bogus&sort=bogus&page=999", target="admin-connections")
    # Back/forward with an empty history cache: htmx asks for the whole page.
    crawl.fetch(ADMIN, base, target="admin-connections", **{"HX-History-Restore-Request": "true"})
    crawl.fetch(ADMIN, f"{base}new/")

    # Set up: every type's pane (fragment), a few as pages, errors as both.
    for key in sorted(GOOD):
        crawl.fetch(ADMIN, f"{base}new/{key}/", target="pane-body")
    for key in ("sftp", "dynamics365_marketing", "leadspace"):
        crawl.fetch(ADMIN, f"{base}new/{key}/")
        crawl.fetch(ADMIN, f"{base}new/{key}/", language="kk", target="pane-body")
    errors = {"display_name": "", "port": "not-a-port", "who_can_use": Audience.CHOSEN.value}
    crawl.fetch(ADMIN, f"{base}new/sftp/", post=errors, target="pane-body")
    crawl.fetch(ADMIN, f"{base}new/sftp/", post=errors)
    crawl.fetch(ADMIN, f"{base}new/sftp/", post=errors, language="kk")
    taken = {"display_name": made["leadspace"].display_name, **GOOD["leadspace"]}
    crawl.fetch(ADMIN, f"{base}new/leadspace/", post=taken, target="pane-body")
    # Save and verify: the Verify pane of the new connection (its check is queued).
    crawl.fetch(
        ADMIN,
        f"{base}new/sftp/",
        post={"display_name": "Verified at once", "consent": "on", "and_verify": "1"}
        | GOOD["sftp"],
        target="pane-body",
    )

    # Edit: every type's pane (fragment), several as pages, the odd states, errors.
    for connection in made.values():
        crawl.fetch(ADMIN, f"{base}{connection.pk}/edit/", target="pane-body")
    for key in ("sftp", "azure_blob_storage", "sendgrid", "leadspace", "braze"):
        crawl.fetch(ADMIN, f"{base}{made[key].pk}/edit/")
    crawl.fetch(ADMIN, f"{base}{made['sftp'].pk}/edit/", language="kk")
    gone = Connection.objects.get(type_key="gone_plugin")
    crawl.fetch(ADMIN, f"{base}{gone.pk}/edit/", status=409)
    crawl.fetch(ADMIN, f"{base}{gone.pk}/edit/", target="pane-body")
    crawl.fetch(ADMIN, f"{base}{gone.pk}/verify/", target="pane-body")
    crawl.fetch(ADMIN, f"{base}{gone.pk}/remove/", target="pane-body")
    sftp = made["sftp"]
    stale = {"display_name": "", "version": "1", "port": "99999", "who_can_use": "chosen"}
    crawl.fetch(ADMIN, f"{base}{sftp.pk}/edit/", post=stale, target="pane-body")
    crawl.fetch(ADMIN, f"{base}{sftp.pk}/edit/", post=stale)
    # Saved over someone else's newer version: the conflict message.
    conflict = {"display_name": "Renamed meanwhile", "version": "1000"} | GOOD["azure_blob_storage"]
    crawl.fetch(
        ADMIN, f"{base}{made['azure_blob_storage'].pk}/edit/", post=conflict, target="pane-body"
    )

    # Remove: unused (the question), in use (blocked), posted while in use (refused).
    for target in ("pane-body", None):
        crawl.fetch(ADMIN, f"{base}{made['experian'].pk}/remove/", target=target)
        crawl.fetch(ADMIN, f"{base}{sftp.pk}/remove/", target=target)
    crawl.fetch(ADMIN, f"{base}{sftp.pk}/remove/", post={}, target="pane-body")
    crawl.fetch(ADMIN, f"{base}{sftp.pk}/remove/", language="kk")
    crawl.fetch(ADMIN, f"{base}{made['liveramp'].pk}/remove/", post={}, follow=True)

    # The guided Remove dialog: its lists, pages, Find, the confirm step, errors.
    dependants = f"{base}{sftp.pk}/remove/dependants/"
    ids = list(Export.objects.filter(connection=sftp).order_by("pk").values_list("pk", flat=True))
    crawl.fetch(ADMIN, dependants, target="pane-body")
    crawl.fetch(ADMIN, dependants)
    crawl.fetch(ADMIN, dependants, language="kk", target="pane-body")
    crawl.fetch(ADMIN, f"{dependants}?exports_page=2&target_q=azure", target="pane-body")
    crawl.fetch(ADMIN, f"{dependants}?target_q=nothing-matches", target="pane-body")
    crawl.fetch(ADMIN, f"{base}{made['leadspace'].pk}/remove/dependants/", target="pane-body")
    crawl.fetch(ADMIN, f"{base}{made['experian'].pk}/remove/dependants/", target="pane-body")
    ask_remove = {"action": "remove_exports", "export": ids[:7]}
    crawl.fetch(ADMIN, dependants, post=ask_remove, target="pane-body")
    crawl.fetch(ADMIN, dependants, post=ask_remove)
    crawl.fetch(ADMIN, dependants, post=ask_remove, language="kk", target="pane-body")
    target = EXPORTS.move_targets(sftp).order_by("display_name").first()
    move = {"action": "move_exports", "export": ids[:2], "target": target.pk}
    crawl.fetch(ADMIN, dependants, post=move, target="pane-body")
    move_all = {"action": "move_all_exports", "target": target.pk}
    crawl.fetch(ADMIN, dependants, post=move_all, target="pane-body")
    nowhere = {"action": "move_exports", "export": ids[:2], "target": made["leadspace"].pk}
    crawl.fetch(ADMIN, dependants, post=nowhere, target="pane-body")
    crawl.fetch(ADMIN, dependants, post={"action": "remove_exports"}, target="pane-body")
    crawl.fetch(ADMIN, dependants, post={"action": "nonsense"}, target="pane-body")
    crawl.fetch(
        ADMIN, dependants, post={"row_action": f"disconnect_exports:{ids[-1]}"}, target="pane-body"
    )
    crawl.fetch(
        ADMIN, dependants, post={"row_action": f"disconnect_exports:{ids[-2]}"}, follow=True
    )

    # Verify: the pane (passed, failed, host key changed, checking), its checks section.
    for key in ("sftp", "azure_blob_storage", "klaviyo", "experian"):
        crawl.fetch(ADMIN, f"{base}{made[key].pk}/verify/", target="pane-body")
    crawl.fetch(ADMIN, f"{base}{sftp.pk}/verify/")
    crawl.fetch(ADMIN, f"{base}{sftp.pk}/verify/", language="kk")
    crawl.fetch(ADMIN, f"{base}{sftp.pk}/verify/", target="checks")
    crawl.fetch(ADMIN, f"{base}{made['experian'].pk}/verify/", post={}, target="pane-body")
    crawl.fetch(ADMIN, f"{base}{made['omnisend'].pk}/verify/", post={}, target="checks")
    crawl.fetch(ADMIN, f"{base}{made['omnisend'].pk}/verify/", post={}, follow=True)
    # Iterable was checked six times in the last minute: the pane says to wait.
    crawl.fetch(ADMIN, f"{base}{made['iterable'].pk}/verify/", post={}, target="checks")
    crawl.fetch(ADMIN, f"{base}{made['iterable'].pk}/verify/", post={}, target="pane-body")
    crawl.fetch(ADMIN, f"{base}{sftp.pk}/host-key/", post={}, target="checks")
    crawl.fetch(ADMIN, f"{base}{sftp.pk}/host-key/", post={}, follow=True)


def crawl_activity(crawl: Crawl) -> None:
    for language in ("en", "kk"):
        crawl.fetch(ADMIN, "/admin/activity/", language=language)
    crawl.fetch(ADMIN, "/admin/activity/?q=sftp&action=create", target="results-region")
    crawl.fetch(ADMIN, "/admin/activity/?user=nobody", target="results-region")
    crawl.fetch(ADMIN, "/admin/activity/?page=2")
    crawl.fetch(ADMIN, "/admin/activity/?kind=connection&object_id=1")
    crawl.fetch(ADMIN, "/admin/activity/?kind=bogus&action=bogus&object_id=abc&page=x")


def crawl_exports(crawl: Crawl, world: dict, made: dict[str, Connection]) -> None:
    sftp_export = Export.objects.get(name="Weekly list 00")
    admin_only = Export.objects.filter(connection=made["azure_blob_storage"]).first()
    api_export = Export.objects.filter(connection=made["klaviyo"]).first()
    disconnected = Export.objects.get(name="Disconnected feed")
    for role in (ADMIN, CONTRIBUTOR, VIEWER):
        crawl.fetch(role, "/exports/")
        crawl.fetch(role, "/exports/?page=2&sort=-last_run", target="results-region")
        crawl.fetch(role, f"/exports/{sftp_export.pk}/runs/")
    crawl.fetch(CONTRIBUTOR, "/exports/", language="kk")
    crawl.fetch(VIEWER, "/exports/?q=no-such-export", target="results-region")
    crawl.fetch(ADMIN, f"/exports/{api_export.pk}/runs/")
    crawl.fetch(ADMIN, f"/exports/{disconnected.pk}/runs/", language="kk")
    for role in (VIEWER, CONTRIBUTOR, ADMIN):  # the read-only View page
        crawl.fetch(role, f"/exports/{admin_only.pk}/")
    crawl.fetch(VIEWER, f"/exports/{sftp_export.pk}/", language="kk")

    # Add and edit, as a contributor and as an admin; errors, Find and Preview.
    for role in (CONTRIBUTOR, ADMIN):
        crawl.fetch(role, "/exports/new/")
        crawl.fetch(role, f"/exports/{sftp_export.pk}/edit/")
    crawl.fetch(CONTRIBUTOR, "/exports/new/", language="kk")
    crawl.fetch(ADMIN, f"/exports/{api_export.pk}/edit/")
    crawl.fetch(ADMIN, f"/exports/{admin_only.pk}/edit/")
    crawl.fetch(CONTRIBUTOR, f"/exports/{disconnected.pk}/edit/")
    crawl.fetch(CONTRIBUTOR, f"/exports/{admin_only.pk}/edit/", status=403)
    segments = [segment.pk for segment in world["segments"]]
    good = {
        "connection": made["sftp"].pk,
        "name": "Added in the crawl",
        "segments": segments,
        "fields": ["customer_id", "email", "phone"],
        "schedule": Schedule.WEEKLY,
        "schedule_time": "06:30",
        "schedule_weekday": "2",
    }
    bad = {"name": "", "schedule": "weekly", "schedule_time": "25:99", "connection": "x"}
    crawl.fetch(CONTRIBUTOR, "/exports/new/", post=bad)
    crawl.fetch(CONTRIBUTOR, "/exports/new/", post=bad, language="kk")
    crawl.fetch(CONTRIBUTOR, "/exports/new/", post=good | {"name": "Weekly list 01"})
    crawl.fetch(CONTRIBUTOR, "/exports/new/", post=good | {"preview": "1"})
    crawl.fetch(
        CONTRIBUTOR, "/exports/new/", post=good | {"preview": "1", "segments": segments[:1]}
    )
    crawl.fetch(
        CONTRIBUTOR, "/exports/new/", post=good | {"find_connection": "1", "connection_q": "sftp"}
    )
    crawl.fetch(
        ADMIN, "/exports/new/", post=good | {"preview": "1", "connection": made["klaviyo"].pk}
    )
    crawl.fetch(CONTRIBUTOR, "/exports/new/", post=good, follow=True)
    crawl.fetch(ADMIN, f"/exports/{sftp_export.pk}/edit/", post=bad)
    crawl.fetch(ADMIN, "/exports/new/?connection_q=zzz-nothing")
    for query in ("", "sftp", "zzz-nothing"):
        crawl.fetch(
            CONTRIBUTOR,
            f"/exports/connection-options/?connection_q={query}&connection={made['sftp'].pk}",
            target="connection-options",
        )
    crawl.fetch(CONTRIBUTOR, "/exports/connection-options/?connection_q=sftp", follow=True)

    # The confirm pages, and the actions they post.
    victim = Export.objects.get(name="Weekly list 29")
    for role in (CONTRIBUTOR, ADMIN):
        crawl.fetch(role, f"/exports/{victim.pk}/disconnect/")
        crawl.fetch(role, f"/exports/{victim.pk}/remove/")
    crawl.fetch(CONTRIBUTOR, f"/exports/{victim.pk}/remove/", language="kk")
    crawl.fetch(ADMIN, f"/exports/{disconnected.pk}/disconnect/")
    crawl.fetch(CONTRIBUTOR, f"/exports/{victim.pk}/disconnect/", post={}, follow=True)
    crawl.fetch(CONTRIBUTOR, f"/exports/{victim.pk}/remove/", post={}, follow=True)
    others = Export.objects.filter(name__in=["Weekly list 25", "Weekly list 26"])
    ids = [export.pk for export in others]
    crawl.fetch(ADMIN, "/exports/disconnect/", post={"export": ids}, follow=True)
    crawl.fetch(ADMIN, "/exports/disconnect/", post={}, follow=True)
    crawl.fetch(
        ADMIN,
        "/exports/run/",
        post={"export": [sftp_export.pk, api_export.pk, disconnected.pk]},
        follow=True,
    )
    crawl.fetch(CONTRIBUTOR, f"/exports/{sftp_export.pk}/run/", post={}, follow=True)
    crawl.fetch(ADMIN, f"/exports/{api_export.pk}/run/", post={"next": "/exports/"}, follow=True)
    queued = ExportRun.objects.filter(export=sftp_export, status=RunStatus.QUEUED).first()
    crawl.fetch(
        CONTRIBUTOR, f"/exports/{sftp_export.pk}/runs/{queued.pk}/cancel/", post={}, follow=True
    )


def crawl_enrichments(crawl: Crawl, world: dict, made: dict[str, Connection]) -> None:
    active = Enrichment.objects.get(name="Firmographics 1")
    paused = Enrichment.objects.get(name="Paused enrichment")
    for role in (ADMIN, CONTRIBUTOR, VIEWER):
        crawl.fetch(role, "/enrichments/")
        crawl.fetch(role, "/enrichments/?sort=-enriched", target="results-region")
    crawl.fetch(VIEWER, "/enrichments/", language="kk")
    crawl.fetch(VIEWER, "/enrichments/?q=nothing-here", target="results-region")
    for role in (CONTRIBUTOR, ADMIN):
        crawl.fetch(role, "/enrichments/new/")
        crawl.fetch(role, f"/enrichments/{active.pk}/edit/")
        crawl.fetch(role, f"/enrichments/{active.pk}/deactivate/")
        crawl.fetch(role, f"/enrichments/{active.pk}/remove/")
    crawl.fetch(CONTRIBUTOR, f"/enrichments/{paused.pk}/edit/", language="kk")
    crawl.fetch(CONTRIBUTOR, "/enrichments/new/", post={"name": "", "segment": "x"})
    crawl.fetch(
        CONTRIBUTOR,
        "/enrichments/new/",
        post={"name": active.name, "connection": made["leadspace"].pk},
        language="kk",
    )
    crawl.fetch(
        CONTRIBUTOR,
        "/enrichments/new/",
        post={
            "name": "Added in the crawl",
            "connection": made["leadspace"].pk,
            "segment": world["segments"][0].pk,
        },
        follow=True,
    )
    # Activate: the detached connection first; with no connection the user may use, the
    # explanation (a contributor: Experian is not shared with contributors in this world).
    orphan = Enrichment.objects.create(
        name="Orphan enrichment", type_key="experian", status=EnrichmentStatus.INACTIVE
    )
    for role in (CONTRIBUTOR, ADMIN):
        crawl.fetch(role, f"/enrichments/{paused.pk}/activate/")
        crawl.fetch(role, f"/enrichments/{orphan.pk}/activate/")
    crawl.fetch(CONTRIBUTOR, f"/enrichments/{paused.pk}/activate/", language="kk")
    crawl.fetch(ADMIN, f"/enrichments/{paused.pk}/activate/", post={"connection": "x"})
    crawl.fetch(CONTRIBUTOR, f"/enrichments/{active.pk}/deactivate/", post={}, follow=True)
    crawl.fetch(CONTRIBUTOR, f"/enrichments/{active.pk}/remove/", post={}, follow=True)


# ---------------------------------------------------------------------------------------


def test_every_page_and_fragment_is_valid_html(make_user, tmp_path, settings):
    java, jar = checker()  # before the crawl: a missing checker fails at once
    settings.DEBUG = False
    world = build_world(make_user)
    clients = {ANONYMOUS: Client()}
    for role in (ADMIN, CONTRIBUTOR, VIEWER):
        clients[role] = Client()
        clients[role].force_login(world["users"][role])
    crawl = Crawl(folder=tmp_path, clients=clients)

    crawl_empty(crawl)
    made = set_up_every_type(crawl, world)
    add_uses(world, made)
    crawl_accounts(crawl, world)
    crawl_connections(crawl, made)
    crawl_activity(crawl)
    crawl_exports(crawl, world, made)
    crawl_enrichments(crawl, world, made)

    missing = sorted(set(console_patterns()) - crawl.covered - set(EXCLUDED))
    assert not missing, (
        f"URL patterns the crawl never fetched: {missing}. Fetch them in {__file__} "
        "(each state, as each role that can see it), or add them to EXCLUDED with a reason."
    )

    templates = {
        str(path.relative_to(ROOT / "templates")) for path in (ROOT / "templates").rglob("*.html")
    }
    unseen = sorted(templates - crawl.templates)
    assert not unseen, f"Templates no document of the crawl rendered: {unseen}"
    assert not crawl.leaks, "Template syntax in the HTML:\n" + "\n".join(crawl.leaks)

    files = sorted(tmp_path.glob("*.html"))
    started = time.monotonic()
    messages = run_checker(java, jar, files)
    seconds = time.monotonic() - started
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    lines = [
        f"{Path(urlsplit(m.get('url', '')).path).name}:{m.get('lastLine', '?')}: {m['message']}"
        f"\n    {crawl.documents.get(Path(urlsplit(m.get('url', '')).path).name, '')}"
        f"\n    {m.get('extract', '').strip()}"
        for m in errors
    ]
    assert not errors, (
        f"{len(errors)} HTML errors in {len(files)} documents (checked in {seconds:.1f} s; "
        f"files in {tmp_path}):\n" + "\n".join(lines)
    )
    print(f"{len(files)} documents valid (the checker took {seconds:.1f} s)")  # noqa: T201
