"""The phases of the runs benchmark (bench/runs.py), each run in a process of its own once
Django is set up: ``throughput`` (with memory), ``dispatch`` and ``pages``; each returns a
dict for the report. Also the no-op task of the queue's baseline (run by the workers).
"""

from __future__ import annotations

import cProfile
import csv
import gzip
import hashlib
import json
import os
import pstats
import random
import statistics
import subprocess  # noqa: S404 (bash with our own script, this script; no user input)
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection as db
from django.db import transaction
from django.db.models import Max, Min
from django.test import Client
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from bench import ROOT
from bench.measure import measure
from bench.pages import HTMX, load_data_names
from bench.runs import PAGES, RUN_COLUMNS, RUN_VALUES
from bench.verify import workers_running
from bench.verify_checks import sftp_values
from connections_admin.connection_types.registry import registry
from connections_admin.connections.models import Connection
from connections_admin.connections.services import connection_create
from connections_admin.customers.models import FIELDS, Customer, Membership
from connections_admin.customers.sample import insert_sample_customers
from connections_admin.customers.services import segments_recount
from connections_admin.exports.csvfiles import file_name
from connections_admin.exports.models import ACTIVE_RUN, Export, ExportRun, Schedule
from connections_admin.exports.runs import _file_chunks, run_request
from connections_admin.segments.models import Segment
from tests.servers.sshd import sshd_running, sshd_version

RUNS_SCRIPT = ROOT / "bench" / "runs.py"
POLL = 0.05


@task()
def noop(number: int) -> None:
    """The queue's own cost: a task that does nothing (the baseline of the four workers)."""


def vmhwm_mb(pid: int) -> float:
    """Peak resident set size of a live process (``VmHWM``), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def wait_until(done, workers, what: str, poll: float = POLL) -> None:
    """Until ``done()``; fails if a worker exits, or after 30 minutes."""
    deadline = time.monotonic() + 1800
    while not done():
        workers.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not finish within 30 min")
        time.sleep(poll)


def sql(statement: str, params=()) -> list:
    with db.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


# throughput and memory -----------------------------------------------------------------------

BASELINE_SCRIPT = """set -euo pipefail
psql "$DATABASE_URL" -X -q -c "\\copy ({query}) TO STDOUT WITH CSV HEADER" | gzip -6 > "$OUT"
sftp -q -b "$BATCH" -i "$KEY" -P "$PORT" -o BatchMode=yes -o IdentitiesOnly=yes \\
  -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$KNOWN_HOSTS" "$SFTP_USER@127.0.0.1"
"""


def baseline_query(segment_id: int) -> str:
    customers, memberships = Customer._meta.db_table, Membership._meta.db_table
    columns = ", ".join(f"c.{name}" for name in FIELDS)
    return (
        f"SELECT {columns} FROM {customers} c JOIN {memberships} m ON m.customer_id = c.id "  # noqa: S608
        f"WHERE m.segment_id = {int(segment_id)} ORDER BY c.id"
    )


def _rows_sha(path: str) -> str:
    """The rows of a gzipped CSV file as ``csv.reader`` reads them back, hashed."""
    digest = hashlib.sha256()
    with gzip.open(path, "rt", newline="") as data:
        for row in csv.reader(data):
            digest.update("\x1f".join(row).encode() + b"\x1e")
    return digest.hexdigest()


def run_ours(export, user, work: Path, upload: Path) -> dict:
    """One run of ``export`` by a fresh ``db_worker``: wall time from queued to finished,
    the worker's peak RSS (read before it stops), the file it published."""
    with workers_running([f"bench-runs-{time.monotonic_ns()}"], interval=0.1, logs=work) as w:
        run = run_request(export=export, user=user)
        active = ExportRun.objects.filter(ACTIVE_RUN, pk=run.pk)
        wait_until(lambda: not active.exists(), w, "our run")
        peak = vmhwm_mb(w.processes[0][0].pid)
    run.refresh_from_db()
    if run.status != "succeeded":
        raise RuntimeError(f"our run {run.status}: {run.failure}")
    segment = run.snapshot["segments"][0]["name"]
    path = upload / file_name(run.snapshot["export_name"], segment, run.snapshot["stamp"],
                              gzipped=True)  # fmt: skip
    return {
        "seconds": (run.finished_at - run.queued_at).total_seconds(),
        "worker_seconds": (run.finished_at - run.started_at).total_seconds(),
        "rows": run.rows, "bytes": run.bytes, "rss_mb": peak, "path": str(path),
    }  # fmt: skip


def run_baseline(script: Path, env: dict, number: int, work: Path, upload: Path) -> dict:
    out, target = work / "baseline.csv.gz", upload / f"bench-runs-baseline-{number}.csv.gz"
    batch = work / "batch"
    batch.write_text(f"put {out} {target}\n")
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (bash and our script)
        ["/bin/bash", str(script)], check=True, env={**env, "OUT": str(out), "BATCH": str(batch)}
    )
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": out.stat().st_size, "path": str(out),
            "uploaded": str(target)}  # fmt: skip


def idle_worker_mb(work: Path) -> float:
    with workers_running(["bench-runs-idle"], interval=0.1, logs=work) as w:
        time.sleep(1)
        return vmhwm_mb(w.processes[0][0].pid)


def profile_stages(segment_id: int, fields: list[str]) -> dict:
    """Where our run's time goes, without the worker: the file's CSV as a run reads it
    (PostgreSQL's COPY, slice after slice), then + gzip -6 in its thread; then the gzipped
    stage under cProfile (its top functions by own time, in the calling thread)."""

    def consume(stage: str) -> None:
        chunks = _file_chunks(segment_id, fields, delimiter=",", gzip=stage == "gzip", on_rows=None)
        for _ in chunks:
            pass

    stages = {}
    for stage in ("csv", "gzip"):
        started = time.perf_counter()
        consume(stage)
        stages[stage] = time.perf_counter() - started
    profiler = cProfile.Profile()
    profiler.runcall(consume, "gzip")
    stats = pstats.Stats(profiler).stats
    total = sum(entry[2] for entry in stats.values())
    top = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:10]
    return {
        "stages": stages,
        "top": [
            [f"{Path(file).name}:{line} {name}", calls, own, own / total]
            for (file, line, name), (_, calls, own, _cum, _) in top
        ],
    }


def phase_throughput(args) -> dict:
    big = Segment.objects.get(name=load_data_names().CUSTOMERS_SEGMENT_NAME)
    small = Segment.objects.create(name="Bench runs: the first customers")
    sql(
        f"INSERT INTO {Membership._meta.db_table} (segment_id, customer_id) "  # noqa: S608
        f"SELECT %s, id FROM {Customer._meta.db_table} ORDER BY id LIMIT %s",
        [small.pk, args.customers_small],
    )
    segments_recount([small.pk])
    sql("VACUUM ANALYZE")
    user = get_user_model().objects.create_user(f"bench-runs-{os.getpid()}")
    with sshd_running() as sshd, tempfile.TemporaryDirectory(prefix="bench-runs-") as tmp:
        work, upload = Path(tmp), sshd.password_user.upload
        work.chmod(0o755)
        connection = connection_create(
            connection_type=registry.get("sftp"), display_name="Bench runs: local sshd",
            values=sftp_values(sshd), user=user,
        )  # fmt: skip
        Connection.objects.filter(pk=connection.pk).update(host_key=sshd.host_key_fingerprint)
        exports = {}
        for key, segment in (("large", big), ("small", small)):
            exports[key] = Export.objects.create(
                name=f"Bench runs {key} {os.getpid()}", connection=connection,
                fields=list(FIELDS), created_by=user,
            )  # fmt: skip
            exports[key].segments.set([segment])
        script = work / "baseline.sh"
        script.write_text(BASELINE_SCRIPT.format(query=baseline_query(big.pk)))
        (work / "known_hosts").write_text(sshd.known_hosts_line() + "\n")
        env = {
            **os.environ, "PGOPTIONS": "-c jit=off", "KEY": str(sshd.key_user.private_key_file),
            "PORT": str(sshd.port), "KNOWN_HOSTS": str(work / "known_hosts"),
            "SFTP_USER": sshd.key_user.name,
        }  # fmt: skip
        result = {"rows": args.customers, "small_rows": args.customers_small, "rounds": [],
                  "idle_mb": idle_worker_mb(work), "query": baseline_query(big.pk),
                  "script": script.read_text()}  # fmt: skip
        for number in range(args.rounds):  # ours, baseline, ours, baseline, ...
            print(f"  round {number + 1}: ours ...", flush=True)
            ours = run_ours(exports["large"], user, work, upload)
            print(f"  round {number + 1}: the pipeline ...", flush=True)
            base = run_baseline(script, env, number, work, sshd.key_user.upload)
            if number == 0:
                same = _rows_sha(ours["path"]) == _rows_sha(base["path"])
                result["same_content"] = same
            for path in (ours["path"], base["path"], base["uploaded"]):
                Path(path).unlink(missing_ok=True)
            result["rounds"].append({"ours": ours, "baseline": base})
        print(f"  {args.customers_small:,} rows ...", flush=True)
        result["small"] = run_ours(exports["small"], user, work, upload)
        Path(result["small"]["path"]).unlink(missing_ok=True)
    seconds = {side: statistics.median(r[side]["seconds"] for r in result["rounds"])
               for side in ("ours", "baseline")}  # fmt: skip
    if args.profile or seconds["ours"] > 1.5 * seconds["baseline"]:
        print("  profiling the stages of our run ...", flush=True)
        result["profile"] = profile_stages(big.pk, list(FIELDS))
    result["sshd"] = ".".join(map(str, sshd_version()))
    return result


# dispatch ------------------------------------------------------------------------------------


def dispatch_data(count: int, members: int) -> None:
    """``count`` active hourly exports, created two days ago, all fields of one segment of
    ``members`` customers, on one connection of the bench-only null destination."""
    from bench.runs_settings import NULL_TYPE  # these settings only

    segment = Segment.objects.create(name="Bench dispatch")
    insert_sample_customers(random.Random(15), members, segment_id=segment.pk)  # noqa: S311
    connection = Connection.objects.create(display_name="Bench null destination",
                                           type_key=NULL_TYPE)  # fmt: skip
    made = Export.objects.bulk_create(
        Export(name=f"Bench hourly {number:05d}", connection=connection, fields=list(FIELDS),
               schedule=Schedule.HOURLY)
        for number in range(count)
    )  # fmt: skip
    through = Export.segments.through
    through.objects.bulk_create(through(export_id=e.pk, segment_id=segment.pk) for e in made)
    two_days_ago = timezone.now() - timedelta(days=2)  # made and last saved then
    Export.objects.update(created_at=two_days_ago, updated_at=two_days_ago)
    sql("VACUUM ANALYZE")


def dispatch_round(count: int, moment: str, expected: int) -> dict:
    """``count`` dispatchers for the same slot, let go at the same instant."""
    command = [sys.executable, str(RUNS_SCRIPT), "dispatcher", "--moment", moment]
    processes = [
        subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,  # noqa: S603
                         text=True)
        for _ in range(count)
    ]  # fmt: skip
    for process in processes:
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("a dispatcher did not start")
    go = time.time()
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = [json.loads(process.communicate(timeout=600)[0]) for process in processes]
    returned = [run_id for output in outputs for run_id in output["run_ids"]]
    per_export = Counter(ExportRun.objects.values_list("export_id", flat=True))
    queued = DBTaskResult.objects.filter(task_path__endswith=".run_export")
    tasks = Counter(given["args"][0] for given in queued.values_list("args_kwargs", flat=True))
    return {
        "dispatchers": count, "seconds": max(output["ended"] for output in outputs) - go,
        "per_dispatcher": [len(output["run_ids"]) for output in outputs],
        "runs": sum(per_export.values()), "exports_without": expected - len(per_export),
        "exports_with_one": sum(1 for n in per_export.values() if n == 1),
        "exports_with_more": sum(1 for n in per_export.values() if n > 1),
        "returned_twice": len(returned) - len(set(returned)), "tasks": sum(tasks.values()),
        "runs_with_one_task": sum(1 for n in tasks.values() if n == 1),
    }  # fmt: skip


def finish_round(what: str, expected: int, work: Path) -> dict:
    """Four workers empty the queue: wall time from the first task started to the last
    finished (the task results' own times), and the outcome."""
    tasks = DBTaskResult.objects.filter(task_path__endswith=f".{what}")
    ids = [f"bench-runs-{what}-{number}" for number in range(1, 5)]
    waiting = tasks.filter(status__in=["READY", "RUNNING"])
    with workers_running(ids, interval=0.1, logs=work) as workers:
        wait_until(lambda: not waiting.exists(), workers, f"the {what} tasks", poll=0.2)
    times = tasks.aggregate(first=Min("started_at"), last=Max("finished_at"))
    statuses = Counter(tasks.values_list("status", flat=True))
    by_worker = Counter(id_ for ids in tasks.values_list("worker_ids", flat=True) for id_ in ids)
    result = {
        "what": what, "tasks": sum(statuses.values()), "expected": expected,
        "task_statuses": dict(statuses), "by_worker": dict(by_worker),
        "seconds": (times["last"] - times["first"]).total_seconds(),
    }  # fmt: skip
    if what == "run_export":
        result["run_statuses"] = dict(Counter(ExportRun.objects.values_list("status", flat=True)))
        result["rows"] = sorted(set(ExportRun.objects.values_list("rows", flat=True)))
    return result


def phase_dispatch(args) -> dict:
    dispatch_data(args.dispatch, args.dispatch_members)
    moment = timezone.now().isoformat()
    print(f"  one dispatcher, {args.dispatch:,} exports due ...", flush=True)
    rounds = [dispatch_round(1, moment, args.dispatch)]
    DBTaskResult.objects.all().delete()
    Export.objects.update(last_run=None, last_run_at=None)
    ExportRun.objects.all().delete()
    print("  two dispatchers at once ...", flush=True)
    rounds.append(dispatch_round(2, moment, args.dispatch))
    print(f"  four workers, {args.dispatch:,} runs ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-runs-") as tmp:
        finished = [finish_round("run_export", args.dispatch, Path(tmp))]
        with transaction.atomic():  # one commit for all, as the dispatcher enqueues
            for number in range(args.dispatch):
                noop.enqueue(number)
        print(f"  four workers, {args.dispatch:,} no-op tasks ...", flush=True)
        finished.append(finish_round("noop", args.dispatch, Path(tmp)))
    return {"exports": args.dispatch, "members": args.dispatch_members, "moment": moment,
            "rounds": rounds, "finished": finished}  # fmt: skip


# pages ---------------------------------------------------------------------------------------


def add_runs(total: int, busiest: int) -> dict:
    """``busiest`` runs for the first active export, the rest of ``total`` spread over the
    other active exports, in two INSERT ... SELECT; then each export's last run."""
    active = Export.objects.filter(connection__isnull=False).order_by("pk")
    first = active.values_list("pk", flat=True).first()
    typical = active.values_list("pk", flat=True)[1]  # the LIMIT leaves the last ones out
    per_other = -(-(total - busiest) // max(1, active.count() - 1))
    runs, exports = ExportRun._meta.db_table, Export._meta.db_table
    columns = ", ".join(f'"{column}"' for column in RUN_COLUMNS)
    for where, per_export, limit in (("=", busiest, busiest), ("<>", per_other, total - busiest)):
        sql(
            f"INSERT INTO {runs} ({columns}) SELECT {RUN_VALUES} FROM ("  # noqa: S608
            f"SELECT e.id AS export_id, e.connection_id, e.name, g, random() AS r, "
            f"date_trunc('hour', now()) - g * interval '1 hour' "
            f"+ random() * interval '50 minutes' AS q "
            f"FROM {exports} e CROSS JOIN generate_series(1, %s) g "
            f"WHERE e.connection_id IS NOT NULL AND e.id {where} %s LIMIT %s) t",
            [per_export, first, limit],
        )
    sql(
        f"UPDATE {exports} e SET last_run_id = r.id, last_run_at = r.queued_at FROM ("  # noqa: S608
        f"SELECT DISTINCT ON (export_id) id, export_id, queued_at FROM {runs} "
        f"ORDER BY export_id, queued_at DESC, id DESC) r WHERE e.id = r.export_id"
    )
    return {"busiest": first, "typical": typical, "runs": ExportRun.objects.count(),
            "busiest_runs": ExportRun.objects.filter(export_id=first).count()}  # fmt: skip


def phase_pages(args) -> dict:
    call_command("collectstatic", verbosity=0, interactive=False)
    started = time.perf_counter()
    sizes = ("connections", "exports", "enrichments", "users", "customers")
    call_command("generate_load_data", **{size: getattr(args, size) for size in sizes})
    made = add_runs(args.runs, args.busiest_runs)
    sql("VACUUM ANALYZE")
    gen, users = load_data_names(), get_user_model().objects
    clients = {}
    for role, name in (("admin", gen.FIRST_ADMIN), ("superuser", gen.SUPERUSER_NAME)):
        clients[role] = Client()
        clients[role].force_login(users.get(username=name))
    last_page = max(1, -(-made["busiest_runs"] // 50))
    result = {"data_seconds": time.perf_counter() - started, **made, "pages": {},
              "sizes": {"exports": args.exports, "runs": args.runs}}  # fmt: skip
    for key, label, role, path, htmx in PAGES:
        path, headers = path.format(**made, last_page=last_page), HTMX if htmx else None
        clients[role].get(path, headers=headers)  # every code path loaded
        measured = measure(clients[role], "GET", path, headers=headers, repeat=args.repeat,
                           warmup=args.warmup)  # fmt: skip
        if measured.status != 200:
            raise RuntimeError(f"GET {path} answered {measured.status}")
        result["pages"][key] = {"label": label, "path": path, **asdict(measured)}
        print(f"  {label:<50} median {measured.median_ms:6.1f} ms  p95 {measured.p95_ms:6.1f} ms"
              f"  {measured.queries:3d} queries", flush=True)  # fmt: skip
    result["postgres"] = sql("SHOW server_version")[0][0]
    return result
