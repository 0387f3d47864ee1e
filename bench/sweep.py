"""Benchmark: the escalation sweep over 100,000 open cases, on SQLite and PostgreSQL.

Run with ``.venv/bin/python bench/sweep.py`` (``make bench`` runs it after the
other benchmarks). For each database (SQLite in a temporary state folder;
PostgreSQL in a temporary database ``meldpunt_bench_sweep`` when
127.0.0.1:5432 answers, or ``MELDPUNT_BENCH_PG_URL``) it sets up the demo
municipality and open cases inserted in bulk (copies of one real report, each
with its four ``DueDate`` rows waiting weeks ahead; setup time is not the
figure), then measures ``meldpunt.escalation.sweep.sweep``:

(a) nothing due, at 10,000 and at 100,000 open cases (21 runs each; the
    ratio of the fastest runs, least disturbed by other load, must stay under
    1.5: the cost must not grow with the number of open cases);
(b) 1,000 cases whose feedback deadline passed four days ago (each with its
    own case key, accused and routing decision, as a real case has): every one
    gets its first escalation (to the gemeentesecretaris), with notifications,
    timeline entries and audit events; target < 10 s.

It prints time and number of queries and writes JSON to
``bench/results/sweep-<timestamp>.json`` and ``bench/results/sweep-latest.json``.
"""

import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import drop_postgres, fresh_postgres, package_version, write_results

BASE_DIR = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000)
DUE = 1_000
IDLE_RUNS = 21
RATIO_LIMIT = 1.5
DUE_LIMIT_S = 10.0
PG_DATABASE = "meldpunt_bench_sweep"


def setup_django(state_dir: Path, database_url: str | None) -> None:
    for key in [key for key in os.environ if key.startswith("MELDPUNT_")]:
        del os.environ[key]
    os.environ.update({"MELDPUNT_STATE_DIR": str(state_dir), "DJANGO_SETTINGS_MODULE": "meldpunt.settings"})
    if database_url:
        os.environ["MELDPUNT_DATABASE_URL"] = database_url
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def _copy(instance, **overrides):
    """A new unsaved row with the fields of ``instance`` (not its id)."""
    model = type(instance)
    values = {f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields if not f.primary_key}
    if "public_id" in values:
        values["public_id"] = uuid.uuid4()
    values.update(overrides)
    return model(**values)


def add_open_cases(template, count: int, first: int, now) -> None:
    """``count`` copies of ``template`` (references B-<number> from ``first``),
    each with its four deadline rows waiting 60 days ahead: copied inside the
    database (INSERT ... SELECT over a series), since setup time is not the figure."""
    from django.db import connection

    from meldpunt.cases.models import Case
    from meldpunt.escalation.models import DueDate

    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    postgres = connection.vendor == "postgresql"
    special = {
        "public_id": "gen_random_uuid()" if postgres else "lower(hex(randomblob(16)))",
        "reference": "'B-' || lpad(seq.n::text, 7, '0')" if postgres else "'B-' || printf('%%07d', seq.n)",
        "receipt_lookup": "NULL",
    }
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(special.get(f.name, "t." + connection.ops.quote_name(f.column)) for f in fields)
    if postgres:
        series = "generate_series(%s, %s) AS seq(n)"
        prefix = ""
    else:
        prefix = "WITH RECURSIVE seq(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "
        series = "seq"
    case_table, due_table = Case._meta.db_table, DueDate._meta.db_table
    with connection.cursor() as cursor:
        # Table and column names come from the models, never from input.
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM " + case_table)  # noqa: S608
        last = cursor.fetchone()[0]
        copy_cases = f"INSERT INTO {case_table} ({columns}) SELECT {values} FROM {case_table} t, {series}"  # noqa: S608
        cursor.execute(
            prefix + copy_cases + " WHERE t.id = %s",
            [first, first + count - 1, template.pk],
        )
        cursor.execute(
            f"INSERT INTO {due_table} (case_id, kind, due_at, met_at, next_action_at, reminded_at, escalations) "  # noqa: S608
            f"SELECT c.id, d.kind, d.due_at, d.met_at, %s, NULL, 0 FROM {case_table} c, {due_table} d "
            "WHERE c.id > %s AND d.case_id = %s",
            [now + datetime.timedelta(days=60), last, template.pk],
        )
    _analyse()


def add_due_cases(template, count: int, first: int, now) -> list:
    """``count`` cases whose feedback deadline passed four days before ``now``,
    each with its own case key, accused and routing decision, as a real case has."""
    from meldpunt.cases.models import Case, SubjectLink
    from meldpunt.crypto import CaseKey
    from meldpunt.escalation.models import DueDate
    from meldpunt.protocol.models import RoutingDecision, access_sync

    content = template.content
    past = now - datetime.timedelta(days=4)
    cases = []
    for number in range(first, first + count):
        case = _copy(template, public_id=uuid.uuid4(), reference=f"B-{number:07d}", receipt_lookup=None)
        key, case.key_id, case.wrapped_key = CaseKey.create(case.key_context)
        case.sealed_content = key.seal_json("content", content)
        cases.append(case)
    Case.objects.bulk_create(cases, batch_size=500)
    rows = []
    for case in cases:
        for row in DueDate.objects.filter(case=template):
            if row.kind == "terugkoppeling":
                rows.append(_copy(row, case_id=case.pk, due_at=past, next_action_at=past, reminded_at=past))
            else:
                rows.append(_copy(row, case_id=case.pk, next_action_at=None))
    DueDate.objects.bulk_create(rows, batch_size=500)
    SubjectLink.objects.bulk_create([_copy(s, case_id=c.pk) for c in cases for s in template.subjects.all()])
    with access_sync():  # routing decisions are otherwise written only by the protocol service
        RoutingDecision.objects.bulk_create(
            [_copy(d, case_id=c.pk) for c in cases for d in template.routing_decisions.all()], batch_size=500
        )
    _analyse()
    return cases


def _analyse() -> None:
    """Fresh statistics after a bulk insert, as autovacuum (PostgreSQL) would soon have them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(now) -> dict:
    from django.db import connection

    from meldpunt.escalation.sweep import sweep

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        sent = sweep(now)
        elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "queries": queries, "sent": sent}


def idle(now) -> dict:
    measure(now)  # warm: the first query after a bulk insert reads cold pages
    runs = [measure(now) for _ in range(IDLE_RUNS)]
    assert all(r["sent"] == 0 for r in runs)
    from meldpunt.escalation.models import DueDate

    plan = DueDate.objects.filter(next_action_at__lte=now).order_by("next_action_at", "pk").values_list("pk")
    return {
        "median_s": statistics.median(r["seconds"] for r in runs),
        "min_s": min(r["seconds"] for r in runs),
        "queries": runs[0]["queries"],
        "plan": plan.explain(),
    }


def run_one(database: str) -> dict:
    """In this process: set up ``database`` and measure (called with --database)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from meldpunt import crypto
    from meldpunt.demo.loader import load_demo
    from meldpunt.escalation.models import Escalation
    from meldpunt.notifications.models import Notification
    from meldpunt.registry.models import Person
    from tests.factories import report_about

    if not Path(settings.KEY_FILE).exists():
        crypto.create_key_file(Path(settings.KEY_FILE))
    call_command("migrate", verbosity=0, interactive=False)
    organisation = load_demo()
    template, _code = report_about(organisation, Person.objects.get(organisation=organisation, name="Lotte Jansen"))
    now = timezone.now()
    result = {"database": database, "open_cases": {}}
    made = 1
    for size in SIZES:
        started = time.perf_counter()
        add_open_cases(template, size - made, made, now)
        made = size
        print(f"  {database}: {size:,} open cases set up in {time.perf_counter() - started:.0f} s", flush=True)
        result["open_cases"][str(size)] = {"nothing_due": idle(now)}
        figures = result["open_cases"][str(size)]["nothing_due"]
        print(
            f"  {database}: (a) nothing due, {size:,} open: {figures['median_s'] * 1000:.2f} ms, "
            f"{figures['queries']} queries",
            flush=True,
        )
    # The fastest of the runs: the cost of the work itself, least disturbed by other load on the machine.
    small, large = (result["open_cases"][str(s)]["nothing_due"]["min_s"] for s in SIZES)
    result["nothing_due_ratio"] = large / small
    add_due_cases(template, DUE, made, now)
    escalations_before = Escalation.objects.count()
    due = measure(now)
    due["escalations_stored"] = Escalation.objects.count() - escalations_before
    due["notifications"] = Notification.objects.filter(kind=Notification.Kind.ESCALATION).count()
    result["thousand_due"] = due
    print(
        f"  {database}: (b) {DUE:,} due among {made + DUE:,} open: {due['seconds']:.2f} s, "
        f"{due['queries']:,} queries, {due['sent']} sent",
        flush=True,
    )
    result["within_targets"] = (
        result["nothing_due_ratio"] < RATIO_LIMIT and due["seconds"] < DUE_LIMIT_S and (due["sent"] == DUE)
    )
    return result


def main() -> int:
    stamp = datetime.datetime.now(datetime.UTC)
    started = time.perf_counter()
    runs = []
    targets = [("sqlite", None)]
    pg = fresh_postgres(PG_DATABASE)
    if pg:
        targets.append(("postgresql", pg))
    for database, url in targets:
        print(f"Sweep bench on {database}...", flush=True)
        with tempfile.TemporaryDirectory(prefix="meldpunt-bench-sweep-") as folder:
            output = Path(folder) / "result.json"
            env = {key: value for key, value in os.environ.items() if not key.startswith("MELDPUNT_")}
            code = subprocess.call(  # noqa: S603 - this script, fixed arguments
                [sys.executable, __file__, "--database", database, "--state", folder, "--out", str(output)]
                + (["--url", url] if url else []),
                env=env,
            )
            if code != 0:
                print(f"  {database}: the run failed (exit code {code})")
                continue
            import json

            runs.append(json.loads(output.read_text()))
    if pg:
        drop_postgres(PG_DATABASE)
    result = {
        "timestamp": stamp.isoformat(timespec="seconds"),
        "environment": {
            "python": platform.python_version(),
            "django": package_version("django"),
            "cpu_count": os.cpu_count(),
            "machine": platform.machine(),
        },
        "targets": {"nothing_due_ratio_below": RATIO_LIMIT, "thousand_due_below_s": DUE_LIMIT_S},
        "runs": runs,
        "duration_s": time.perf_counter() - started,
    }
    result["all_within_targets"] = bool(runs) and all(r["within_targets"] for r in runs)
    path = write_results(result, "sweep", stamp, "sweep-latest.json")
    for run in runs:
        a = run["open_cases"]
        b = run["thousand_due"]
        print(
            f"{run['database']:>10}: (a) nothing due, fastest run: "
            f"{a['10000']['nothing_due']['min_s'] * 1000:.2f} ms at 10,000, "
            f"{a['100000']['nothing_due']['min_s'] * 1000:.2f} ms at 100,000 (ratio {run['nothing_due_ratio']:.2f}, "
            f"{a['100000']['nothing_due']['queries']} queries); (b) 1,000 due {b['seconds']:.2f} s, "
            f"{b['queries']:,} queries"
        )
    print(f"Took {result['duration_s']:.0f} s. Wrote {path.relative_to(BASE_DIR)} and bench/results/sweep-latest.json")
    return 0 if result["all_within_targets"] else 1


if __name__ == "__main__":
    if "--database" in sys.argv:
        import argparse
        import json

        parser = argparse.ArgumentParser()
        parser.add_argument("--database")
        parser.add_argument("--state")
        parser.add_argument("--out")
        parser.add_argument("--url")
        args = parser.parse_args()
        setup_django(Path(args.state) / "state", args.url)
        Path(args.out).write_text(json.dumps(run_one(args.database)))
        sys.exit(0)
    sys.exit(main())
