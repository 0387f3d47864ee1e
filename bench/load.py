"""Inbox log-in under load, against the app served by gunicorn.

Run with ``.venv/bin/python bench/load.py`` (``make bench`` runs it too).
For SQLite and, when reachable on 127.0.0.1:5432, PostgreSQL, it sets up a
fresh database in a temporary folder (demo municipality, N reports made
through ``submit_report``), starts gunicorn on a free port of 127.0.0.1 and,
at 1, 4 and 16 concurrent clients, measures:

- a cheap baseline page on the same server (GET of the inbox log-in page:
  one organisation query and a template), and
- the inbox log-in (POST of a right receipt code: one query, one argon2id
  check, a session write; answered with a redirect).

Each client has its own cookies and CSRF token (fetched before timing). The
rate limits are raised for the run through the environment, so the figures
show the server's cost, not the limit. The clients run on the same 2-core
machine as the server and take CPU from it, so the figures are a lower
bound. Peak memory per gunicorn worker is its VmHWM.

- a report submission through the public form (GET of the form for its
  one-time token, not timed; POST of an anonymous report about a named
  person; answered with a redirect to the receipt page).

Writes JSON to ``bench/results/load-<timestamp>.json``.
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

from common import write_results

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
LEVELS = (1, 4, 16)
REQUESTS_PER_CLIENT = {1: 40, 4: 20, 16: 10}
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
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


def _level(base: str, clients: int, codes: list[str], what: str) -> dict:
    per_client = REQUESTS_PER_CLIENT[clients]
    sessions = [_client(base) for _ in range(clients)]

    def run(index):
        opener, token = sessions[index]
        times, failures = [], 0
        for n in range(per_client):
            try:
                if what == "baseline":
                    times.append(_one(opener, base + "/voorbeeldstad/postvak/"))
                elif what == "submission":
                    times.append(_submit(opener, base))
                else:
                    code = codes[(index * per_client + n) % len(codes)]
                    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "code": code}).encode()
                    times.append(_one(opener, base + "/voorbeeldstad/postvak/", data=data, expect=302))
            except Exception:  # noqa: BLE001
                failures += 1
        return times, failures

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(run, range(clients)))
    wall = time.perf_counter() - start
    times = sorted(t for r, _f in results for t in r)
    return {
        "clients": clients,
        "requests": len(times),
        "failures": sum(f for _r, f in results),
        "per_s": len(times) / wall,
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": times[int(0.95 * (len(times) - 1))] * 1000,
    }


REPORT_FIELDS = {
    "action": "verstuur",
    "relation": "inwoner",
    "anonymous": "ja",
    "description": "Bij de balie werd ik uitgescholden toen ik om een formulier vroeg.",
    "contact_context": "hulpvraag",
    "told_before": "nee",
    "wishes": "gehoord",
    "vrij_naam_1": "Man met pet",
    "vrij_functie_1": "baliemedewerker",
    "vrij_rol_1": "beschuldigde",
}


def _submit(opener, base: str) -> float:
    """GET the report form (not timed: it hands out the one-time token), then POST a report."""
    page = opener.open(base + "/voorbeeldstad/melden/").read().decode()
    fields = dict(REPORT_FIELDS)
    for name in ("csrfmiddlewaretoken", "verzendtoken"):
        fields[name] = re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(fields).encode()
    return _one(opener, base + "/voorbeeldstad/melden/", data=data, expect=302)


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
        for args in (["create_key"], ["migrate", "--no-input", "-v0"], ["createcachetable"], ["load_demo"]):
            subprocess.run(manage + args, env=env, check=True, capture_output=True, cwd=BASE_DIR)  # noqa: S603
        made = subprocess.run(  # noqa: S603
            manage + ["shell", "-c", MAKE_CODES.format(n=40)], env=env, check=True, capture_output=True, text=True
        )
        codes = re.findall(r"^[0-9 ]{34}$", made.stdout, re.M)
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603
            [str(BASE_DIR / ".venv/bin/gunicorn"), "meldpunt.wsgi", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", str(WORKERS), "--threads", str(THREADS), "--timeout", "60"],
            env=env,
            cwd=BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/voorbeeldstad/postvak/", timeout=2).read()  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.2)
            _level(base, 1, codes, "login")  # warm up every worker
            result = {"database": name, "workers": WORKERS, "threads": THREADS, "levels": []}
            for clients in LEVELS:
                result["levels"].append(
                    {
                        "clients": clients,
                        "baseline": _level(base, clients, codes, "baseline"),
                        "inbox_login": _level(base, clients, codes, "login"),
                        "submission": _level(base, clients, codes, "submission"),
                    }
                )
            result["peak_worker_mib"] = _worker_peaks(server.pid)
            return result
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    stamp = datetime.datetime.now(datetime.UTC)
    results = {"timestamp": stamp.isoformat(timespec="seconds"), "nproc": os.cpu_count(), "runs": []}
    backends = [("sqlite", None)]
    if _postgres_reachable():
        _recreate_postgres()
        backends.append(("postgresql", PG_URL))
    for name, url in backends:
        run = bench_backend(name, url)
        results["runs"].append(run)
        print(
            f"{name}: gunicorn --workers {run['workers']} --threads {run['threads']}, "
            f"peak MiB per worker {run['peak_worker_mib']}"
        )
        print(f"  {'':<10} {'clients':>7} {'per s':>7} {'p50':>7} {'p95':>7} {'fail':>4} {'baseline/this':>13}")
        for level in run["levels"]:
            b = level["baseline"]
            for label in ("baseline", "inbox_login", "submission"):
                m = level[label]
                print(
                    f"  {label:<10} {level['clients']:>7} {m['per_s']:>7.1f} {m['p50_ms']:>5.0f}ms "
                    f"{m['p95_ms']:>5.0f}ms {m['failures']:>4} {b['per_s'] / max(m['per_s'], 1e-9):>12.1f}x"
                )
    path = write_results(results, "load", stamp, "load-latest.json")
    print(f"Wrote {path.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
