"""Inbox log-in and report submission under load, against the app served by gunicorn.

Run with ``.venv/bin/python bench/load.py`` (``make bench`` runs it too).
For SQLite and, when reachable on 127.0.0.1:5432, PostgreSQL, it sets up a
fresh database in a temporary folder (demo municipality, N reports made
through ``submit_report``), starts gunicorn on a free port of 127.0.0.1 with
the configuration of ``make run`` (``--workers 4 --threads 1``; override with
``BENCH_WORKERS`` and ``BENCH_THREADS``) and, at 1, 4 and 16 concurrent
clients (``BENCH_LEVELS=16``: only 16), measures throughput and p50/p95
latency of:

- ``bare``: a Django view that reads nothing and renders nothing
  (``/bench/bare/``, added by ``bench/bare_settings.py`` beside Meldpunt's own
  URLs, behind the same middleware and server): what this machine and server
  can answer at all;
- ``page``: a cheap page of Meldpunt (GET of the inbox log-in page: one
  organisation query and a template);
- ``inbox_login``: POST of a right receipt code (one query, one argon2id
  check, a session write; answered with a redirect);
- ``submission``: POST of an anonymous report about a typed-in person
  through the public form (answered with a redirect to the receipt page).
  Each client fetches the forms it will send before the clock starts (the
  form hands out the one-time submission token), so the figure is the POST
  alone.

Then ``nothing_lost``: 16 clients send ``LOST_CHECK_REPORTS`` reports at once
(500 on PostgreSQL, 200 on SQLite), each with its own text; every receipt
page's code is then used to open the inbox, which must show that report's
text; and in the database (``manage.py shell``): the number of new cases is
the number sent, every case's notifications are there once each (every
protocol recipient and every handler who may open it, the office address
once, each with one e-mail task; a pattern alert, since every report names
the same person, at most once per person and case), and every audit chain verifies with one
``case.created`` and one ``case.routed`` per case.

Each client has its own cookies and CSRF token (fetched before timing). The
rate limits are raised for the run through the environment, so the figures
show the server's cost, not the limit. The clients run on the same 2-core
machine as the server and take CPU from it, so the figures are a lower
bound. Peak memory per gunicorn worker is its VmHWM. For every measured
level the bench also prints where the two cores went: CPU milliseconds per
request of the gunicorn workers, of the database server (every postgres
process on the machine, ended backends included; on SQLite the database's
work is in the workers) and of this process's client threads.

Writes JSON to ``bench/results/load-<timestamp>.json`` and
``bench/results/load-latest.json``.
"""

import datetime
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import REPORT_FIELDS, write_results

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
LEVELS = tuple(int(n) for n in os.environ.get("BENCH_LEVELS", "1,4,16").split(","))
REQUESTS_PER_CLIENT = {1: 40, 4: 20, 16: 10}
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
LOST_CHECK_REPORTS = {"sqlite": 200, "postgresql": 500}
LOST_CHECK_CLIENTS = 16
PG_URL = "postgres://postgres@127.0.0.1:5432/meldpunt_bench_http"

MAKE_CODES = """
from meldpunt.organisations.models import Organisation
from meldpunt.cases.actions import submit_report
from tests.factories import ReportInputFactory
org = Organisation.objects.get(slug="voorbeeldstad")
for _ in range({n}):
    print(submit_report(org, ReportInputFactory())[1])
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001
        return False


def _recreate_postgres() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS meldpunt_bench_http WITH (FORCE)")
        conn.execute("CREATE DATABASE meldpunt_bench_http")


def _client(base: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    page = opener.open(base + "/voorbeeldstad/postvak/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return opener, token


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _one(opener, url, data=None, expect=200) -> float:
    start = time.perf_counter()
    try:
        response = opener.open(url, data=data)
        status = response.status
        response.read()
    except urllib.error.HTTPError as error:
        status = error.code
        error.read()
    elapsed = time.perf_counter() - start
    if status != expect:
        raise RuntimeError(f"{url}: {status}, expected {expect}")
    return elapsed


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int, with_children: bool = False) -> float:
    """CPU time (user + system) of one process, and of its children it has
    waited for when ``with_children``; 0 for a process that has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if with_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / _TICK


def _processes() -> list[tuple[int, int, str]]:
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        name = re.search(r"^Name:\s+(\S+)", status, re.M).group(1)
        parent = int(re.search(r"^PPid:\s+(\d+)", status, re.M).group(1))
        found.append((int(entry.name), parent, name))
    return found


def _cpu_now(server_pid: int) -> dict:
    """CPU seconds used so far by the gunicorn workers, the database server
    (every postgres process, and the backends that have ended, through the
    postmaster's waited-for children) and this bench process (the clients)."""
    processes = _processes()
    workers = sum(_cpu_seconds(pid) for pid, parent, _n in processes if parent == server_pid)
    postgres = {pid for pid, _p, name in processes if name == "postgres"}
    postmasters = {pid for pid, parent, name in processes if name == "postgres" and parent not in postgres}
    database = sum(_cpu_seconds(pid, with_children=pid in postmasters) for pid in postgres)
    return {"server": workers, "database": database, "clients": time.process_time()}


def _level(base: str, clients: int, codes: list[str], what: str, server_pid: int | None = None) -> dict:
    per_client = REQUESTS_PER_CLIENT[clients]
    sessions = [_client(base) for _ in range(clients)]
    # The report forms each client will send, fetched before the clock starts.
    forms = [
        [_report_form(opener, base) for _ in range(per_client)] if what == "submission" else []
        for opener, _t in sessions
    ]

    def run(index):
        opener, token = sessions[index]
        times, failures = [], 0
        for n in range(per_client):
            try:
                if what == "bare":
                    times.append(_one(opener, base + "/bench/bare/"))
                elif what == "page":
                    times.append(_one(opener, base + "/voorbeeldstad/postvak/"))
                elif what == "submission":
                    data = urllib.parse.urlencode(forms[index][n]).encode()
                    times.append(_one(opener, base + "/voorbeeldstad/melden/", data=data, expect=302))
                else:
                    code = codes[(index * per_client + n) % len(codes)]
                    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "code": code}).encode()
                    times.append(_one(opener, base + "/voorbeeldstad/postvak/", data=data, expect=302))
            except Exception:  # noqa: BLE001
                failures += 1
        return times, failures

    cpu_before = _cpu_now(server_pid) if server_pid else None
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(run, range(clients)))
    wall = time.perf_counter() - start
    figures = _figures(clients, results, wall)
    if cpu_before:
        cpu_after = _cpu_now(server_pid)
        figures["cpu_ms_per_request"] = {
            part: (cpu_after[part] - cpu_before[part]) * 1000 / max(figures["requests"], 1) for part in cpu_before
        }
    return figures


def _figures(clients: int, results: list[tuple[list[float], int]], wall: float) -> dict:
    times = sorted(t for r, _f in results for t in r)
    return {
        "clients": clients,
        "requests": len(times),
        "failures": sum(f for _r, f in results),
        "per_s": len(times) / wall,
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": times[int(0.95 * (len(times) - 1))] * 1000,
    }


def _report_form(opener, base: str, **changes) -> dict:
    """GET the report form: the fields to POST, with its CSRF and one-time submission tokens."""
    page = opener.open(base + "/voorbeeldstad/melden/").read().decode()
    fields = dict(REPORT_FIELDS, **changes)
    for name in ("csrfmiddlewaretoken", "verzendtoken"):
        fields[name] = re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
    return fields


CODE_ON_PAGE = re.compile(r'data-testid="receipt-code">([0-9 ]+)<')

VERIFY = """
import json, sys
from collections import Counter
from meldpunt.audit.log import verify_all
from meldpunt.audit.models import AuditEvent
from meldpunt.cases.models import Case
from meldpunt.notifications.models import Notification
from meldpunt.notifications.service import handlers_who_may_open, office_may_hear
from meldpunt.protocol.models import CaseRecipient
from django_tasks_db.models import DBTaskResult
first_pk = {first_pk}
cases = list(Case.objects.filter(pk__gt=first_pk).select_related("organisation"))
email_tasks = DBTaskResult.objects.filter(task_path__endswith="send_email")
tasks = Counter(row["args"][0] for row in email_tasks.values_list("args_kwargs", flat=True))
missing, doubled, without_task, office_wrong, pattern_alerts = [], [], [], [], 0
for case in cases:
    rows = list(Notification.objects.filter(case=case).values_list("pk", "person_id", "to_office", "kind"))
    # A pattern alert (every report names the same person) is a second notification of its own: once per person.
    told = [(person, kind) for _pk, person, office, kind in rows if not office]
    people = Counter(person for person, kind in told if kind != Notification.Kind.PATTERN)
    patterns = Counter(person for person, kind in told if kind == Notification.Kind.PATTERN)
    pattern_alerts += sum(patterns.values())
    doubled += [(case.reference, p) for counter in (people, patterns) for p, n in counter.items() if n > 1]
    expected = set(CaseRecipient.objects.filter(case=case).values_list("person_id", flat=True))
    expected |= {{p.pk for p in handlers_who_may_open(case)}}
    missing += [(case.reference, p) for p in sorted(expected - set(people))]
    office = sum(1 for _pk, _p, to_office, _k in rows if to_office)
    if office != (1 if case.organisation.integrity_office_email and office_may_hear(case) else 0):
        office_wrong.append((case.reference, office))
    without_task += [pk for pk, *_rest in rows if tasks[pk] != 1]
events = Counter(
    AuditEvent.objects.filter(case_reference__in=[c.reference for c in cases]).values_list("case_reference", "action")
)
audit_wrong = []
for c in cases:
    if events[(c.reference, "case.created")] != 1 or events[(c.reference, "case.routed")] != 1:
        audit_wrong.append(c.reference)
chains = verify_all()
print(json.dumps({{
    "cases": len(cases),
    "distinct_references": len({{c.reference for c in cases}}),
    "notifications_missing": len(missing),
    "notifications_doubled": len(doubled),
    "pattern_alerts": pattern_alerts,
    "office_notifications_wrong": len(office_wrong),
    "notifications_without_one_email_task": len(without_task),
    "cases_without_one_created_and_routed_event": len(audit_wrong),
    "audit_chains_ok": all(c.ok for c in chains),
    "audit_chains": [c.describe_break() if not c.ok else f"{{c.chain}}: {{c.length}} events, verified" for c in chains],
}}))
"""


def nothing_lost(base: str, manage: list[str], env: dict, reports: int) -> dict:
    """Send ``reports`` reports from ``LOST_CHECK_CLIENTS`` clients at once, then
    check that nothing was lost, doubled or left unrouted (see the module text)."""
    first_pk = int(
        subprocess.run(  # noqa: S603
            manage
            + ["shell", "-c", "from meldpunt.cases.models import Case; print(Case.objects.order_by('pk').last().pk)"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=BASE_DIR,
        ).stdout.split()[-1]
    )
    per_client = reports // LOST_CHECK_CLIENTS
    counts = [per_client + (1 if i < reports % LOST_CHECK_CLIENTS else 0) for i in range(LOST_CHECK_CLIENTS)]
    prepared = []
    for index, count in enumerate(counts):
        opener, _token = _client(base)
        texts = [f"Melding {index}-{n} uit de lasttest: de balie weigerde mijn formulier." for n in range(count)]
        prepared.append((opener, [(text, _report_form(opener, base, description=text)) for text in texts]))

    def send(item):
        opener, forms = item
        sent, failures, times = [], 0, []
        for text, fields in forms:
            try:
                times.append(
                    _one(
                        opener,
                        base + "/voorbeeldstad/melden/",
                        data=urllib.parse.urlencode(fields).encode(),
                        expect=302,
                    )
                )
                page = opener.open(base + "/voorbeeldstad/melden/ontvangen/").read().decode()
                sent.append((CODE_ON_PAGE.search(page).group(1), text))
            except Exception:  # noqa: BLE001
                failures += 1
        return sent, failures, times

    start = time.perf_counter()
    with ThreadPoolExecutor(LOST_CHECK_CLIENTS) as pool:
        results = list(pool.map(send, prepared))
    wall = time.perf_counter() - start
    sent = [pair for r in results for pair in r[0]]
    figures = _figures(LOST_CHECK_CLIENTS, [(r[2], r[1]) for r in results], wall)

    def opens_own(pair):
        code, text = pair
        opener, token = _client(base)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "code": code}).encode()
        try:
            opener.open(base + "/voorbeeldstad/postvak/", data=data)
        except urllib.error.HTTPError as redirect:  # the inbox, when the code is right
            redirect.read()  # to its end, which closes the connection: the server's worker is free again
            if redirect.code != 302:
                return False
            inbox = opener.open(urllib.parse.urljoin(base, redirect.headers["Location"])).read().decode()
            return text in inbox
        return False

    with ThreadPoolExecutor(LOST_CHECK_CLIENTS) as pool:
        opened = list(pool.map(opens_own, sent))
    verified = subprocess.run(  # noqa: S603
        manage + ["shell", "-c", VERIFY.format(first_pk=first_pk)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
    )
    import json

    checks = json.loads(verified.stdout.strip().splitlines()[-1])
    return {
        "reports_sent": reports,
        "submission": figures,
        "receipt_pages_with_a_code": len(sent),
        "distinct_codes": len({code for code, _text in sent}),
        "inboxes_showing_their_own_text": sum(opened),
        **checks,
    }


def _worker_peaks(master_pid: int) -> list[int]:
    peaks = []
    for child in Path("/proc").glob("[0-9]*"):
        try:
            status = (child / "status").read_text()
        except OSError:
            continue
        if f"PPid:\t{master_pid}\n" in status:
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) // 1024)
    return peaks


def bench_backend(name: str, database_url: str | None) -> dict:
    with tempfile.TemporaryDirectory() as state:
        env = dict(os.environ, MELDPUNT_STATE_DIR=state, PYTHONPATH=str(BASE_DIR))
        env.update(
            MELDPUNT_RECEIPT_ATTEMPTS_PER_CLIENT="1000000",
            MELDPUNT_RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE="1000000",
            MELDPUNT_REPORT_SUBMISSIONS_PER_CLIENT="1000000",
            MELDPUNT_REPORT_SUBMISSIONS_GLOBAL_PER_HOUR="1000000",
        )
        if database_url:
            env["MELDPUNT_DATABASE_URL"] = database_url
        manage = [PY, str(BASE_DIR / "manage.py")]
        for args in (["create_key"], ["migrate", "--no-input", "-v0"], ["load_demo"]):
            subprocess.run(manage + args, env=env, check=True, capture_output=True, cwd=BASE_DIR)  # noqa: S603
        made = subprocess.run(  # noqa: S603
            manage + ["shell", "-c", MAKE_CODES.format(n=40)], env=env, check=True, capture_output=True, text=True
        )
        codes = re.findall(r"^[0-9 ]{34}$", made.stdout, re.M)
        port = _free_port()
        server_log = Path(state) / "gunicorn.log"
        with server_log.open("wb") as log:
            server = subprocess.Popen(  # noqa: S603
                [str(BASE_DIR / ".venv/bin/gunicorn"), "meldpunt.wsgi", "--bind", f"127.0.0.1:{port}"]
                + ["--workers", str(WORKERS), "--threads", str(THREADS), "--timeout", "60"],
                env=dict(env, DJANGO_SETTINGS_MODULE="bench.bare_settings"),
                cwd=BASE_DIR,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/bench/bare/", timeout=2).read()  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.2)
            _level(base, 1, codes, "login")  # warm up every worker
            _level(base, 4, codes, "submission")
            result = {"database": name, "workers": WORKERS, "threads": THREADS, "levels": []}
            for clients in LEVELS:
                result["levels"].append(
                    {"clients": clients, **{what: _level(base, clients, codes, what, server.pid) for what in MEASURED}}
                )
            result["nothing_lost"] = nothing_lost(base, manage, env, LOST_CHECK_REPORTS[name])
            result["peak_worker_mib"] = _worker_peaks(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        result["database_is_locked_errors"] = server_log.read_text(errors="replace").count("database is locked")
        return result


MEASURED = ("bare", "page", "inbox_login", "submission")


def _print_run(run: dict) -> None:
    print(
        f"{run['database']}: gunicorn --workers {run['workers']} --threads {run['threads']}, "
        f"peak MiB per worker {run['peak_worker_mib']}, 'database is locked' in the server log: "
        f"{run['database_is_locked_errors']}"
    )
    print(
        f"  {'':<12} {'clients':>7} {'per s':>7} {'p50':>7} {'p95':>7} {'fail':>4} {'bare/this':>10}"
        "   CPU ms a request: server, database, clients"
    )
    for level in run["levels"]:
        bare = level["bare"]["per_s"]
        for label in MEASURED:
            m = level[label]
            cpu = m["cpu_ms_per_request"]
            print(
                f"  {label:<12} {level['clients']:>7} {m['per_s']:>7.1f} {m['p50_ms']:>5.0f}ms "
                f"{m['p95_ms']:>5.0f}ms {m['failures']:>4} {bare / max(m['per_s'], 1e-9):>9.1f}x"
                f"   {cpu['server']:>5.1f} {cpu['database']:>5.1f} {cpu['clients']:>5.1f}"
            )
    lost = run["nothing_lost"]
    sub = lost["submission"]
    print(
        f"  nothing lost: {lost['reports_sent']} reports from {sub['clients']} clients at once, "
        f"{sub['per_s']:.1f}/s, p50 {sub['p50_ms']:.0f} ms, p95 {sub['p95_ms']:.0f} ms, {sub['failures']} failed"
    )
    for key, value in lost.items():
        if key not in ("submission", "audit_chains"):
            print(f"    {key}: {value}")
    for chain in lost["audit_chains"]:
        print(f"    audit chain {chain}")


def main() -> None:
    stamp = datetime.datetime.now(datetime.UTC)
    results = {
        "timestamp": stamp.isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "runs": [],
    }
    wanted = sys.argv[1:] or ["sqlite", "postgresql"]
    backends = [("sqlite", None)] if "sqlite" in wanted else []
    if "postgresql" in wanted:
        if _postgres_reachable():
            _recreate_postgres()
            backends.append(("postgresql", PG_URL))
        else:
            print("PostgreSQL not reachable on 127.0.0.1:5432: skipped")
    for name, url in backends:
        run = bench_backend(name, url)
        results["runs"].append(run)
        _print_run(run)
    results["load_average_after"] = os.getloadavg()
    print(f"Load average before / after: {results['load_average_before']} / {results['load_average_after']}")
    path = write_results(results, "load", stamp, "load-latest.json")
    print(f"Wrote {path.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
