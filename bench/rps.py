"""Requests per second against gunicorn: a bounded load on two pages and one static file."""

from __future__ import annotations

import http.client
import statistics
import sys
import threading
import time
from pathlib import Path

from bench import ROOT, VAR_DIR
from bench.measure import percentile
from bench.serving import LOOPBACK, serving

RPS_PAGES = [
    ("tab", "/admin/connections/", "admin"),
    ("admin_changelist", "/django-admin/connections/connection/", "superuser"),
]


def load(port: int, path: str, cookie: str, *, concurrency: int, seconds: float, limit: int):
    """A bounded load on the loopback server: stops after ``seconds`` or ``limit`` requests."""
    lock = threading.Lock()
    state = {"sent": 0, "ok": 0, "errors": 0, "latencies": []}
    deadline = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if state["sent"] >= limit:
                    break
                state["sent"] += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie, "Host": LOOPBACK})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                state["ok" if ok else "errors"] += 1
                state["latencies"].append(elapsed)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.perf_counter() - started
    latencies = state["latencies"] or [0.0]
    return {
        "requests": state["ok"],
        "errors": state["errors"],
        "seconds": round(elapsed, 2),
        "rps": round(state["ok"] / elapsed, 1),
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
    }


def _static_file(port: int) -> dict:
    """One static file as whitenoise serves it: status, size and caching header."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    path = staticfiles_storage.url("css/console.css")
    probe = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
    try:
        probe.request("GET", path, headers={"Host": LOOPBACK})
        response = probe.getresponse()
        return {
            "path": path,
            "status": response.status,
            "cache_control": response.getheader("Cache-Control", ""),
            "bytes": len(response.read()),
        }
    finally:
        probe.close()


def run_rps(context: dict, env: dict, args) -> dict:
    from django.conf import settings
    from django.test import Client

    cookies = {}
    for name in ("admin", "superuser"):
        client = Client()
        client.force_login(context["users"][name])
        cookies[name] = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    def gunicorn(port: int) -> list[str]:
        return [
            str(Path(sys.executable).parent / "gunicorn"),
            "connections_admin.wsgi",
            "--workers",
            "2",
            "--bind",
            f"{LOOPBACK}:{port}",
        ]

    with serving(
        gunicorn,
        cwd=ROOT,
        env={**env, "ALLOWED_HOSTS": LOOPBACK},
        log=VAR_DIR / "gunicorn.log",
    ) as server:
        results = {"static": _static_file(server.port), "concurrency": args.rps_concurrency}
        for key, path, user in RPS_PAGES:
            load(server.port, path, cookies[user], concurrency=1, seconds=5, limit=20)  # warm-up
            results[key] = load(
                server.port,
                path,
                cookies[user],
                concurrency=args.rps_concurrency,
                seconds=args.rps_seconds,
                limit=args.rps_max_requests,
            )
            print(f"  RPS {path}: {results[key]}", flush=True)
        return results
