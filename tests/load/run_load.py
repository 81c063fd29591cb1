#!/usr/bin/env python3
"""A bounded load test of the console on 127.0.0.1, then a check of the database.

    python tests/with_postgres.py python tests/load/run_load.py --users 20 --seconds 60

Sets up a fresh database (DATABASE_URL, or a temporary SQLite file), starts the
console under gunicorn on a free 127.0.0.1 port, and runs ``--users`` simulated
users (half admins, half contributors) for ``--seconds`` (and at most
``--max-requests`` requests), each signed in with its own session, doing a mix
of list pages, connection edits, export creation, disconnects and reattachments.
It prints requests, errors and latency percentiles per kind of request, then
checks the database: no export points at a missing connection, every export made
has its "created" audit entry, every disconnect its "disconnected" entry. Exits
1 on any error (a 5xx, an unexpected 4xx, a failed request) or a failed check.
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: the bench package is at the repository root
    sys.path.insert(0, str(ROOT))
from bench.measure import percentile  # noqa: E402
from bench.serving import ServerFailed, serving  # noqa: E402

PASSWORD = "load-test-password-1"


def prepare(env: dict, users: int) -> dict:
    """Migrate and fill the database through Django itself; returns ids the users need."""
    script = f"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("seed_demo", password={PASSWORD!r}, verbosity=0)
from django.contrib.auth import get_user_model
from connections_admin.accounts.roles import Role, assign_role
from connections_admin.connection_types.registry import registry
from connections_admin.connections import services
from connections_admin.connections.sharing import Audience, Sharing
from connections_admin.segments.models import Segment
User = get_user_model()
names = []
for n in range({users}):
    role = Role.ADMIN if n % 2 == 0 else Role.CONTRIBUTOR
    user, _ = User.objects.get_or_create(username=f"load{{n:02d}}")
    user.set_password({PASSWORD!r}); user.save(); assign_role(user, role)
    names.append(user.username)
connections = []
for n in range(10):
    c = services.connection_create(
        connection_type=registry.get("sendgrid"), display_name=f"Load target {{n}}",
        values={{"api_key": "load-key"}}, user=User.objects.get(username="admin"),
        sharing=Sharing(Audience.CONTRIBUTORS))
    connections.append(c.pk)
print(json.dumps({{"users": names, "connections": connections,
                  "segment": Segment.objects.order_by("pk").first().pk}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        sys.exit(f"Setting up the database failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


class User:
    def __init__(self, base: str, username: str):
        self.base, self.username = base, username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, method: str, path: str, data: dict | None = None, htmx=False):
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if data else None
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if method == "POST":
            req.add_header("X-CSRFToken", self.csrf())
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        if htmx:
            req.add_header("HX-Request", "true")
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def sign_in(self) -> None:
        self.request("GET", "/accounts/login/")
        status, _ = self.request(
            "POST", "/accounts/login/", {"username": self.username, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"{self.username} could not sign in ({status})")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def user_loop(user: User, admin: bool, plan: dict, deadline: float, budget, results, made):
    rnd = random.Random(user.username)
    serial = 0
    while time.monotonic() < deadline and budget.take():
        kind = rnd.choice(
            ["connections", "exports", "enrichments", "edit", "create", "disconnect"]
            if admin
            else ["exports", "enrichments", "create", "create", "disconnect", "reattach"]
        )
        started = time.perf_counter()
        ok_codes = {200, 204, 302}
        if kind == "connections":
            status, _ = user.request("GET", "/admin/connections/?sort=-exports")
        elif kind == "exports":
            status, _ = user.request("GET", "/exports/?q=load")
        elif kind == "enrichments":
            status, _ = user.request("GET", "/enrichments/")
        elif kind == "edit":
            pk = rnd.choice(plan["connections"])
            status, html = user.request("GET", f"/admin/connections/{pk}/edit/", htmx=True)
            version = re.search(r'name="version" value="(\d+)"', html)
            if status == 200 and version:
                status, _ = user.request(
                    "POST",
                    f"/admin/connections/{pk}/edit/",
                    {
                        "display_name": f"Load target {plan['connections'].index(pk)}",
                        "api_key": "",
                        "version": version.group(1),
                        "who_can_use": "contributors",
                    },
                    htmx=True,
                )  # 200 with a conflict message is a correct answer under load
        elif kind == "create":
            serial += 1
            name = f"load {user.username} {serial}"
            status, _ = user.request(
                "POST",
                "/exports/new/",
                {
                    "connection": rnd.choice(plan["connections"]),
                    "name": name,
                    "segments": [plan["segment"]],
                    "fields": ["email"],
                    "schedule": "hourly",
                },
            )
            if status == 302:
                made["created"].append(name)
            ok_codes = {302}
        elif kind in ("disconnect", "reattach"):
            mine = [n for n in list(made["created"]) if n.startswith(f"load {user.username} ")]
            if not mine:
                continue
            name = rnd.choice(mine)
            pk = made["ids"].get(name)
            if pk is None:
                status, html = user.request(
                    "GET", "/exports/?" + urllib.parse.urlencode({"q": name})
                )
                found = re.search(r'href="/exports/(\d+)/edit/"', html)
                if not found:
                    continue
                pk = made["ids"][name] = int(found.group(1))
            if kind == "disconnect":
                status, _ = user.request("POST", f"/exports/{pk}/disconnect/")
                if status == 302:
                    made["disconnected"].add(pk)
            else:
                status, _ = user.request(
                    "POST",
                    f"/exports/{pk}/edit/",
                    {
                        "connection": rnd.choice(plan["connections"]),
                        "name": name,
                        "segments": [plan["segment"]],
                        "fields": ["email"],
                        "schedule": "hourly",
                    },
                )
        results[kind].append((time.perf_counter() - started, status in ok_codes, status))


class Budget:
    def __init__(self, limit: int):
        self.left, self.lock = limit, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left >= 0


def check_database(env: dict, made: dict) -> list[str]:
    script = f"""
import json, django
django.setup()
from django.db.models import Exists, OuterRef
from connections_admin.audit.models import AuditEntry
from connections_admin.connections.models import Connection
from connections_admin.exports.models import Export
problems = []
orphans = Export.objects.filter(connection__isnull=False).exclude(
    Exists(Connection.objects.filter(pk=OuterRef("connection_id"))))
if orphans.exists():
    problems.append(f"{{orphans.count()}} export(s) point at a missing connection")
created = {json.dumps(made["created"])}
for name in created:
    export = Export.objects.filter(name=name).first()
    if export is None:
        problems.append(f"export {{name!r}} was reported created but is missing")
    elif AuditEntry.objects.filter(action="export_created", object_id=export.pk).count() != 1:
        problems.append(f"export {{name!r}} has no single 'created' audit entry")
for pk in {json.dumps(sorted(made["disconnected"]))}:
    if not AuditEntry.objects.filter(action="export_disconnected", object_id=pk).exists():
        problems.append(f"export {{pk}} was disconnected without an audit entry")
print(json.dumps(problems))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        return [f"the database check failed to run: {out.stderr[-2000:]}"]
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="console-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "connections_admin.settings.local",
        "DEBUG": "0",
        "CONNECTIONS_VAR_DIR": str(tmp),
        "AXES_FAILURE_LIMIT": "1000",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'load.sqlite3'}")
    print(f"Database: {env['DATABASE_URL'].split('@')[0].split(':')[0]}", flush=True)
    plan = prepare(env, args.users)

    def gunicorn(port: int) -> list[str]:
        return [
            str(Path(sys.executable).parent / "gunicorn"),
            "connections_admin.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            "4",
            "--log-level",
            "warning",
        ]

    try:
        with serving(gunicorn, cwd=ROOT, env=env) as server:
            users = [User(server.base_url, name) for name in plan["users"]]
            for user in users:
                user.sign_in()
            results: dict[str, list] = defaultdict(list)
            made = {"created": [], "ids": {}, "disconnected": set()}
            deadline = time.monotonic() + args.seconds
            budget = Budget(args.max_requests)
            threads = [
                threading.Thread(
                    target=user_loop,
                    args=(user, n % 2 == 0, plan, deadline, budget, results, made),
                )
                for n, user in enumerate(users)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
    except ServerFailed as error:
        sys.exit(f"The console did not start: {error}")

    total = sum(len(v) for v in results.values())
    errors = sum(1 for v in results.values() for _t, ok, _s in v if not ok)
    print(
        f"\n{args.users} users, {elapsed:.1f} s, {total} requests ({total / elapsed:.1f}/s), "
        f"{errors} errors"
    )
    print(f"{'kind':<12} {'n':>6} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, rows in sorted(results.items()):
        times = [t * 1000 for t, _ok, _s in rows]
        bad = [s for _t, ok, s in rows if not ok]
        print(
            f"{kind:<12} {len(rows):>6} {len(bad):>7} {statistics.median(times):>8.1f} "
            f"{percentile(times, 0.95):>8.1f} {percentile(times, 0.99):>8.1f}"
            + (f"  statuses {sorted(set(bad))}" if bad else "")
        )
    problems = check_database(env, made)
    print(
        f"\nDatabase check: {len(made['created'])} exports created, "
        f"{len(made['disconnected'])} disconnected; "
        + ("all in place." if not problems else "PROBLEMS:")
    )
    for problem in problems:
        print(f"  - {problem}")
    return 1 if errors or problems or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
