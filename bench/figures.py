"""Benchmark: the council figures of one organisation over 1,000,000 cases on
PostgreSQL and 100,000 on SQLite.

Run with ``.venv/bin/python bench/figures.py`` (``make bench`` runs it after
the other benchmarks). For each database (SQLite in a temporary state folder;
PostgreSQL in a temporary database ``meldpunt_bench_figures`` when
127.0.0.1:5432 answers, or ``MELDPUNT_BENCH_PG_URL``) it sets up the demo
municipality and its cases generated inside the database (INSERT ... SELECT
over a series: kinds, channels, relations, categories of behaviour, accused
groups, outcomes and dates spread over three years by the row number; setup
time is not the figure), then measures ``meldpunt.cijfers.report.build`` (the
counts, the percentiles and the suppression) for one calendar year and for
all three years: 5 runs each, median and fastest, and the number of queries.
Target: under 2 s on PostgreSQL. Writes JSON to
``bench/results/figures-<timestamp>.json`` and ``bench/results/figures-latest.json``.
"""

import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import drop_postgres, fresh_postgres, package_version, write_results

BASE_DIR = Path(__file__).resolve().parent.parent
SIZES = {"sqlite": 100_000, "postgresql": 1_000_000}
RUNS = 5
LIMIT_S = 2.0
PG_DATABASE = "meldpunt_bench_figures"


def setup_django(state_dir: Path, database_url: str | None) -> None:
    for key in [key for key in os.environ if key.startswith("MELDPUNT_")]:
        del os.environ[key]
    os.environ.update({"MELDPUNT_STATE_DIR": str(state_dir), "DJANGO_SETTINGS_MODULE": "meldpunt.settings"})
    if database_url:
        os.environ["MELDPUNT_DATABASE_URL"] = database_url
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def _pick(values: list[str], n: str) -> str:
    """An SQL expression choosing one of ``values`` by the row number (no input reaches it)."""
    whens = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"(CASE ({n}) % {len(values)} {whens} END)"


def add_cases(template, count: int, first_year: int) -> None:
    """``count`` cases over three calendar years from ``first_year``, copies of
    ``template`` with their counted fields varied by the row number."""
    from django.db import connection

    from meldpunt.cases.models import Behaviour, Case, Channel, Outcome, Relation

    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    postgres = connection.vendor == "postgresql"
    start = f"{first_year}-01-01 08:00:00"

    def moment(days: str) -> str:
        if postgres:
            return f"(TIMESTAMPTZ '{start}+00' + ({days}) * INTERVAL '1 second' * 86400)"
        return f"strftime('%Y-%m-%d %H:%M:%S', datetime('{start}', '+' || (({days}) * 86400) || ' seconds'))"

    received = "((CAST(seq.n AS BIGINT) * 7919) % 1095) + (seq.n % 97) / 100.0"
    behaviours = [*Behaviour.values, "", ""]
    special = {
        "public_id": "gen_random_uuid()" if postgres else "lower(hex(randomblob(16)))",
        "reference": "'F-' || lpad(seq.n::text, 8, '0')" if postgres else "'F-' || printf('%08d', seq.n)",
        "receipt_lookup": "NULL",
        "kind": "(CASE WHEN seq.n % 7 = 0 THEN 'signaal' ELSE 'melding' END)",
        "channel": _pick(
            [Channel.ONLINE, Channel.ONLINE, Channel.TELEFOON, Channel.BRIEF, Channel.PERSOONLIJK], "seq.n"
        ),
        "relation": _pick(Relation.values, "seq.n / 3"),
        "anonymous": "(seq.n % 5 < 2)",
        "behaviour_reported": _pick(behaviours, "seq.n / 5"),
        "behaviour_assessed": _pick(behaviours, "seq.n / 11"),
        "accused_group": _pick(["ambtenaar", "ambtenaar", "ambtenaar", "onbekend", "bestuurder"], "seq.n / 13"),
        "received_at": moment(received),
        "acknowledged_at": moment(f"{received} + (seq.n % 10) / 1.0"),
        "acknowledgement_due": moment(f"{received} + 7"),
        "feedback_due": moment(f"{received} + 98"),
        "state": "(CASE WHEN seq.n % 10 = 0 THEN 'beoordeling' ELSE 'afgesloten' END)",
        "feedback_given_at": "(CASE WHEN seq.n % 10 = 0 THEN NULL ELSE "
        + moment(received + " + 20 + (seq.n % 90)")
        + " END)",
        "closed_at": f"(CASE WHEN seq.n % 10 = 0 THEN NULL ELSE {moment(f'{received} + 30 + (seq.n % 120)')} END)",
        "outcome": f"(CASE WHEN seq.n % 10 = 0 THEN '' ELSE {_pick(Outcome.values, 'seq.n / 17')} END)",
    }
    if not postgres:
        special["anonymous"] = "(CASE WHEN seq.n % 5 < 2 THEN 1 ELSE 0 END)"
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(special.get(f.name, "t." + connection.ops.quote_name(f.column)) for f in fields)
    values = values.replace("%", "%%")  # literal percent signs; the parameters are the series' bounds
    if postgres:
        prefix, series = "", "generate_series(%s, %s) AS seq(n)"
    else:
        prefix = "WITH RECURSIVE seq(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "
        series = "seq"
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        # Table and column names come from the models, never from input.
        statement = f"INSERT INTO {table} ({columns}) SELECT {values} FROM {table} t, {series} WHERE t.id = %s"  # noqa: S608
        step = 200_000
        for low in range(1, count + 1, step):
            cursor.execute(prefix + statement, [low, min(low + step - 1, count), template.pk])
    # What autovacuum does in production (the visibility map lets the index be read alone).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")


def measure(organisation, period) -> dict:
    from django.db import connection

    from meldpunt.cijfers import report

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    times = []
    for _ in range(RUNS):
        queries.clear()
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            figures = report.build(organisation, period)
        times.append(time.perf_counter() - started)
    grand = figures.table("accused_group").total.cells[-1].text
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "queries": len(queries),
        "cases_counted": grand,
    }


def run_one(database: str) -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from meldpunt.cijfers.figures import Period
    from meldpunt.demo.loader import load_demo
    from tests.factories import report_about

    if not Path(settings.KEY_FILE).exists():
        # The key files (the key-encryption key, and the audit and signing keys where the installation has them).
        call_command("create_key", verbosity=0)
    call_command("migrate", verbosity=0, interactive=False)
    organisation = load_demo()
    template, _code = report_about(organisation)
    size = SIZES[database]
    first_year = timezone.localdate().year - 3
    started = time.perf_counter()
    add_cases(template, size, first_year)
    print(f"  {database}: {size:,} cases set up in {time.perf_counter() - started:.0f} s", flush=True)
    result = {"database": database, "cases": size + 1}
    year = Period(datetime.date(first_year + 1, 1, 1), datetime.date(first_year + 1, 12, 31), "year")
    three = Period(datetime.date(first_year, 1, 1), datetime.date(first_year + 2, 12, 31), "three years")
    for name, period in (("one_year", year), ("three_years", three)):
        result[name] = measure(organisation, period)
        figures = result[name]
        print(
            f"  {database}: {name.replace('_', ' ')} ({figures['cases_counted']} cases): median "
            f"{figures['median_s']:.2f} s, fastest {figures['min_s']:.2f} s, {figures['queries']} queries",
            flush=True,
        )
    result["within_target"] = database != "postgresql" or result["three_years"]["median_s"] < LIMIT_S
    return result


def main() -> int:
    import json

    stamp = datetime.datetime.now(datetime.UTC)
    started = time.perf_counter()
    runs = []
    targets = [] if os.environ.get("BENCH_SKIP_SQLITE") else [("sqlite", None)]
    pg = fresh_postgres(PG_DATABASE)
    if pg:
        targets.append(("postgresql", pg))
    for database, url in targets:
        print(f"Figures bench on {database}...", flush=True)
        with tempfile.TemporaryDirectory(prefix="meldpunt-bench-figures-") as folder:
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
            "load_average": os.getloadavg(),
        },
        "target_postgresql_below_s": LIMIT_S,
        "runs": runs,
        "duration_s": time.perf_counter() - started,
    }
    result["all_within_targets"] = bool(runs) and all(r["within_target"] for r in runs)
    path = write_results(result, "figures", stamp, "figures-latest.json")
    print(
        f"Took {result['duration_s']:.0f} s. Wrote {path.relative_to(BASE_DIR)} and bench/results/figures-latest.json"
    )
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
        setup_django(Path(args.state), args.url)
        outcome = run_one(args.database)
        Path(args.out).write_text(json.dumps(outcome))
        sys.exit(0)
    sys.exit(main())
