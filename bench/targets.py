"""The targets of the issue, judged from the measured figures only."""

from __future__ import annotations

from bench.pages import PARTIAL_PAIRS

MAX_QUERIES = 12
TAB_TO_ADMIN_RATIO = 0.5
PARTIAL_SHARE = 0.25
DISCONNECT_MAX_QUERIES = 5
P95_LIMIT_MS = 100.0


def evaluate(suites: dict) -> list[tuple[str, bool, str]]:
    """Each target of the issue: (name, met, detail), from the measured figures only."""
    targets = []
    for name, suite in suites.items():
        small, large = suite["small"]["pages"], suite["large"]["pages"]
        ours = [k for k, v in large.items() if not v["django_admin"]]
        changed = [k for k in ours if small[k]["queries"] != large[k]["queries"]]
        over = [k for k in ours if large[k]["queries"] > MAX_QUERIES]
        worst = max(large[k]["queries"] for k in ours)
        detail = f"most: {worst}"
        if changed:
            detail += "; differ: " + ", ".join(
                f"{k} {small[k]['queries']}→{large[k]['queries']}" for k in changed
            )
        if over:
            detail += f"; over {MAX_QUERIES}: " + ", ".join(over)
        targets.append(
            (
                f"{name}: queries per page the same at 10 and at "
                f"{suite['large']['sizes']['connections']:,} connections, at most "
                f"{MAX_QUERIES}",
                not changed and not over,
                detail,
            )
        )
        tab, changelist = large["tab"]["median_ms"], large["admin_changelist"]["median_ms"]
        ratio = tab / changelist if changelist else float("inf")
        targets.append(
            (
                f"{name}: Connections tab median at most half the Django admin's",
                ratio <= TAB_TO_ADMIN_RATIO,
                f"{tab:.1f} ms vs {changelist:.1f} ms: ratio {ratio:.2f}",
            )
        )
        shares = {p: large[p]["bytes"] / large[f]["bytes"] for f, p in PARTIAL_PAIRS}
        too_big = {p: s for p, s in shares.items() if s > PARTIAL_SHARE}
        targets.append(
            (
                f"{name}: every htmx partial at most a quarter of its full page",
                not too_big,
                ", ".join(f"{p} {s:.0%}" for p, s in shares.items()),
            )
        )
        operation = suite["large"]["disconnect_operation"]["queries"]
        request = large["disconnect"]["queries"]
        targets.append(
            (
                f"{name}: disconnecting {suite['large']['disconnect_count']:,} exports in at most "
                f"{DISCONNECT_MAX_QUERIES} queries",
                operation <= DISCONNECT_MAX_QUERIES,
                f"{operation} queries for the disconnect itself; {request} for the whole "
                "request (session, user, role, connection, re-rendered dialog)",
            )
        )
        if suite["large"]["vendor"] == "postgresql":
            pages = [k for k in ours if not large[k].get("stress")]
            stress = [k for k in ours if large[k].get("stress")]
            slow = {k: large[k]["p95_ms"] for k in pages if large[k]["p95_ms"] >= P95_LIMIT_MS}
            worst_key = max(pages, key=lambda k: large[k]["p95_ms"])
            detail = (
                ", ".join(f"{k} {v:.0f} ms" for k, v in slow.items())
                if slow
                else f"slowest: {worst_key} {large[worst_key]['p95_ms']:.1f} ms"
            )
            if stress:
                detail += "; not counted, the stress case: " + ", ".join(
                    f"{k} {large[k]['p95_ms']:.0f} ms" for k in stress
                )
            targets.append(
                (
                    f"{name}: every page's p95 under {P95_LIMIT_MS:.0f} ms at "
                    f"{suite['large']['sizes']['connections']:,} connections / "
                    f"{suite['large']['sizes']['exports']:,} exports",
                    not slow,
                    detail,
                )
            )
    return targets
