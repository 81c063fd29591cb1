"""Timing one page with the Django test client, and the percentile every script uses."""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least ``fraction`` of them at or
    below it (the 95th of 30 samples is the 29th smallest). Always one of the samples."""
    if not samples:
        raise ValueError("percentile of no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Measurement:
    median_ms: float
    p95_ms: float
    queries: int
    bytes: int
    status: int
    samples: int
    sql: list[str] = field(default_factory=list)


def measure(
    client,
    method: str,
    path: str,
    *,
    data=None,
    headers: dict | None = None,
    repeat: int = 30,
    warmup: int = 3,
    before_each=None,
    keep_sql: bool = False,
    budget_seconds: float | None = None,
    min_samples: int = 5,
) -> Measurement:
    """Time ``repeat`` requests after ``warmup`` ones; count the queries of one more.

    ``before_each`` (untimed) runs before every request, e.g. to undo the previous
    request's change. The time is the server's handling time as the test client sees
    it: the whole middleware stack, view and template, no network. With
    ``budget_seconds`` a slow page stops after that long (but not before
    ``min_samples`` timed requests); ``samples`` says how many were timed.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    send = getattr(client, method.lower())
    headers = headers or {}
    body = {"data": data}
    if method.upper() == "POST" and isinstance(data, dict):
        # Encoded as browsers and htmx send a form: the test client's default, multipart,
        # is not what the console receives, and costs far more to parse for a thousand ids.
        body = {
            "data": urlencode(data, doseq=True),
            "content_type": "application/x-www-form-urlencoded",
        }

    def once():
        if before_each is not None:
            before_each()
        started = time.perf_counter()
        response = send(path, **body, headers=headers)
        return time.perf_counter() - started, response

    for _ in range(warmup):
        once()
    timings = []
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    while len(timings) < repeat:
        timings.append(once()[0] * 1000)
        if deadline and time.monotonic() > deadline and len(timings) >= min_samples:
            break
    if before_each is not None:
        before_each()
    with CaptureQueriesContext(connection) as captured:
        response = send(path, **body, headers=headers)
    content = b"".join(response) if response.streaming else response.content
    return Measurement(
        median_ms=round(statistics.median(timings), 2),
        p95_ms=round(percentile(timings, 0.95), 2),
        queries=len(captured.captured_queries),
        bytes=len(content),
        status=response.status_code,
        samples=len(timings),
        sql=[q["sql"] for q in captured.captured_queries] if keep_sql else [],
    )
