"""The benchmark's measuring function and its pages, at a tiny size (bench/run.py)."""

import pytest
from django.core.management import call_command

from bench import run

pytestmark = pytest.mark.django_db


def test_percentile_is_nearest_rank():
    samples = [float(n) for n in range(1, 31)]
    assert run.percentile(samples, 0.95) == 29.0
    assert run.percentile([5.0], 0.95) == 5.0


def test_measure_times_counts_queries_and_bytes(admin_client):
    result = run.measure(admin_client, "GET", "/admin/connections/", repeat=3, warmup=1)
    assert result.status == 200
    assert result.samples == 3
    assert 0 < result.median_ms <= result.p95_ms
    assert result.queries > 0
    assert result.bytes > 1000


def test_measure_runs_the_reset_before_every_request(admin_client):
    calls = []
    run.measure(
        admin_client, "GET", "/admin/connections/", repeat=2, warmup=1,
        before_each=lambda: calls.append(1),
    )  # fmt: skip
    assert len(calls) == 4  # warm-up, two timed, the counted one


def test_every_page_of_the_benchmark_answers(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("generate_load_data", connections=12, exports=40, enrichments=6, users=12)
    context = run.bench_context(disconnect_count=10)
    results = run.run_pages(context, repeat=1, warmup=0)
    assert set(results) == {page.key for page in run.build_pages(context)}
    assert results["disconnect"]["status"] == 200
    assert all(r["queries"] <= run.MAX_QUERIES for k, r in results.items() if "admin_" not in k)
    operation = run.disconnect_operation_queries(context)
    assert operation["queries"] <= run.DISCONNECT_MAX_QUERIES + 2  # test transaction savepoints
