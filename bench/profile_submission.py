"""Where the time of one report submission goes.

Run with ``.venv/bin/python bench/profile_submission.py [sqlite|postgresql]``
(default: both, PostgreSQL when reachable on 127.0.0.1:5432). For each
database it sets up a fresh one in a temporary folder (demo municipality),
then, in one process, sends the public report form through the whole WSGI
stack (Django's test client: every middleware, the session, CSRF, the view,
the template of the redirect) ``RUNS`` times, and reports:

- the median wall time of one POST, and the CPU time this process spent on
  it (the database server's own time is not in it);
- on PostgreSQL, the CPU time of the database server process serving this
  connection, per POST (with the GET of its form);
- the number of SQL queries per POST, grouped by the table they touch first
  (``django.db.connection.queries`` under ``CaptureQueriesContext``), and how
  many of them run while the case-number row or the audit chain's head is
  locked (the serial parts);
- the Python function calls of ten POSTs and the functions with the most
  cumulative and own time under cProfile (the argon2id hash, routing,
  notifications, the audit chain, the form, the session each show there),
  and their own time summed by package (Django's ORM, the PostgreSQL driver,
  argon2, Meldpunt's apps, ...).

The report is the one ``bench/load.py`` sends: anonymous, one typed-in
accused person. Nothing is written to ``bench/results``; this is a tool for
finding the cost, the load bench is the figure.
"""

import collections
import cProfile
import io
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPORT_FIELDS

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
RUNS = int(os.environ.get("RUNS", "30"))
PG_URL = "postgres://postgres@127.0.0.1:5432/meldpunt_bench_profile"


def _table(sql: str) -> str:
    match = re.search(r'(?:FROM|INTO|UPDATE)\s+"?([a-z_]+)"?', sql, re.I)
    verb = sql.split(None, 1)[0].upper()
    return f"{verb} {match.group(1) if match else '?'}"


def _database_cpu(connection) -> float:
    """CPU seconds so far of the local PostgreSQL backend serving ``connection``
    (0 on SQLite, where the database's work is this process's own)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def inner() -> None:
    """Runs inside the prepared environment (MELDPUNT_* set by ``main``)."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # the test client's ALLOWED_HOSTS "testserver"

    def post_once(client):
        page = client.get("/voorbeeldstad/melden/").content.decode()
        fields = dict(REPORT_FIELDS)
        fields["verzendtoken"] = re.search(r'name="verzendtoken" value="([^"]+)"', page).group(1)
        start, cpu = time.perf_counter(), time.process_time()
        response = client.post("/voorbeeldstad/melden/", fields)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert response.status_code == 302, response.status_code
        return elapsed, cpu

    client = Client()
    for _ in range(3):  # warm up: imports, templates, translations
        post_once(client)

    backend_before = _database_cpu(connection)
    measured = [post_once(Client()) for _ in range(RUNS)]
    backend_ms = (_database_cpu(connection) - backend_before) * 1000 / RUNS
    times = [wall for wall, _cpu in measured]
    cpu_times = [cpu for _wall, cpu in measured]
    with CaptureQueriesContext(connection) as captured:
        post_once_client = Client()
        page = post_once_client.get("/voorbeeldstad/melden/")
        before_post = len(captured.captured_queries)
        fields = dict(REPORT_FIELDS)
        fields["verzendtoken"] = re.search(r'name="verzendtoken" value="([^"]+)"', page.content.decode()).group(1)
        post_once_client.post("/voorbeeldstad/melden/", fields)
    queries = captured.captured_queries[before_post:]
    by_table = collections.Counter(_table(q["sql"]) for q in queries)

    # The serial parts: from locking the case-number row, and from locking the
    # audit chain's head, to the commit that ends each lock.
    def held_from(table: str) -> int:
        first = next(i for i, q in enumerate(queries) if table in q["sql"])
        return next(i for i in range(first, len(queries)) if queries[i]["sql"].upper().startswith("COMMIT")) - first

    tail, audit_tail = held_from("cases_casecounter"), held_from("audit_audithead")
    query_ms = sum(float(q["time"]) for q in queries) * 1000

    profiler = cProfile.Profile()
    clients = [Client() for _ in range(10)]
    for c in clients:
        page = c.get("/voorbeeldstad/melden/").content.decode()
        c.fields = dict(REPORT_FIELDS, verzendtoken=re.search(r'name="verzendtoken" value="([^"]+)"', page).group(1))
    profiler.enable()
    for c in clients:
        c.post("/voorbeeldstad/melden/", c.fields)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"meldpunt|argon2|django/(template|db/models/sql/compiler|core/handlers)", 45)
    stats.sort_stats("tottime").print_stats(30)

    print(f"database: {connection.vendor}")
    print(
        f"POST through the WSGI stack: median {statistics.median(times) * 1000:.1f} ms, "
        f"min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms ({RUNS} runs); "
        f"CPU of this process: median {statistics.median(cpu_times) * 1000:.1f} ms"
    )
    if connection.vendor == "postgresql":
        print(f"CPU of this connection's PostgreSQL server process: {backend_ms:.1f} ms per POST (with its form's GET)")
    print(f"SQL queries in one POST: {len(queries)} ({query_ms:.1f} ms as the driver reports them)")
    print(f"  of which {tail} between locking the case number and its commit, {audit_tail} between locking")
    print("  the audit chain's head and the commit (the serial parts: one submission of the organisation at a time)")
    for name, count in by_table.most_common():
        print(f"  {count:>4}  {name}")
    print(out.getvalue())
    print("Own time of the ten profiled POSTs by where the code lives (per POST, under the profiler):")
    for where, seconds in _own_time_by_package(stats).most_common(12):
        print(f"  {seconds * 100:7.2f} ms  {where}")


def _own_time_by_package(stats: pstats.Stats) -> collections.Counter:
    """The profiled functions' own time summed by package: Django's ORM
    (``django/db``), the PostgreSQL driver (whose time includes waiting for
    the server), argon2, Meldpunt's own apps, the rest of Django, the standard library."""
    totals = collections.Counter()
    for (filename, _line, name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():
        if "site-packages/" in filename:
            parts = filename.split("site-packages/")[1].split("/")
            where = "/".join(parts[:2]) if parts[0] == "django" else parts[0]
        elif "/meldpunt/" in filename:
            where = "meldpunt/" + filename.split("/meldpunt/")[1].split("/")[0]
        elif filename == "~":
            where = "built-in: argon2" if "argon2" in name else "built-in functions"
        else:
            where = "standard library"
        totals[where] += own
    return totals


def main() -> None:
    wanted = sys.argv[1:] or ["sqlite", "postgresql"]
    for name in wanted:
        with tempfile.TemporaryDirectory() as state:
            env = dict(os.environ, MELDPUNT_STATE_DIR=state, PYTHONPATH=str(BASE_DIR))
            env.update(
                MELDPUNT_REPORT_SUBMISSIONS_PER_CLIENT="1000000",
                MELDPUNT_REPORT_SUBMISSIONS_GLOBAL_PER_HOUR="1000000",
            )
            if name == "postgresql":
                import psycopg

                try:
                    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
                        conn.execute("DROP DATABASE IF EXISTS meldpunt_bench_profile WITH (FORCE)")
                        conn.execute("CREATE DATABASE meldpunt_bench_profile")
                except psycopg.OperationalError:
                    print("PostgreSQL not reachable: skipped")
                    continue
                env["MELDPUNT_DATABASE_URL"] = PG_URL
            manage = [PY, str(BASE_DIR / "manage.py")]
            for args in (["create_key"], ["migrate", "--no-input", "-v0"], ["load_demo"]):
                subprocess.run(manage + args, env=env, check=True, capture_output=True, cwd=BASE_DIR)  # noqa: S603
            subprocess.run([PY, __file__, "--inner"], env=env, check=True, cwd=BASE_DIR)  # noqa: S603


if __name__ == "__main__":
    if sys.argv[1:] == ["--inner"]:
        inner()
    else:
        main()
