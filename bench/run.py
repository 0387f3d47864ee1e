"""Benchmark for receipt codes and encryption at rest.

Run with ``make bench`` (or ``.venv/bin/python bench/run.py``). Needs no
database: it measures the cryptography Meldpunt uses, through the same
modules the application uses.

What it measures:

1. One receipt-code check with our parameters (``meldpunt.cases.receipts``:
   one argon2id call, 8 MiB, 1 pass, 1 lane): min/median/max; and one check
   of an older 24-digit code (64 MiB, 2 passes), which still works.
2. One argon2id call at the reference parameters (128 MiB, 16 passes,
   1 lane), for comparison.
3. The offline guessing cost of a stolen database: ours is 10^22 secrets
   times our cost per guess, the reference 10^16 times its cost per guess,
   in seconds (measured here) and in MiB-passes (fixed by the parameters).
4. Concurrency: 1, 2, 4 and 8 threads checking codes at once. argon2-cffi
   releases the GIL, so throughput grows with the number of CPU cores;
   nothing serialises checks behind one lock.
5. Encryption: seal + open of a 10 KB report and a 10 MB attachment with
   ``meldpunt.crypto.CaseKey`` under a temporary key file.

It prints a table and writes JSON to ``bench/results/receipts-<timestamp>.json``
and ``bench/results/latest.json``. The whole run takes about a minute.

Afterwards it runs ``bench/notifications.py`` (seconds from a submitted
report to its notification e-mails, with a real ``db_worker``) and
``bench/sweep.py`` (the escalation sweep over 100,000 open cases on SQLite and
PostgreSQL) and ``bench/figures.py`` (the council figures over 100,000 cases on
SQLite and 1,000,000 on PostgreSQL), each in its own process, since they set up
their own temporary databases.
"""

import datetime
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from common import package_version, write_results

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"

sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")

import django  # noqa: E402

django.setup()

from argon2 import PasswordHasher  # noqa: E402
from django.conf import settings  # noqa: E402

from meldpunt import crypto  # noqa: E402
from meldpunt.cases import receipts  # noqa: E402

OUR_RUNS = 20
REFERENCE_RUNS = 3
WORKER_COUNTS = (1, 2, 4, 8)
CHECKS_PER_LEVEL = 32
SMALL_REPORT_BYTES = 10 * 1024
LARGE_ATTACHMENT_BYTES = 10 * 1024 * 1024
SMALL_RUNS = 200
LARGE_RUNS = 10

# The reference we compare with: a 16-digit code under argon2id at 128 MiB and 16 passes.
REFERENCE_MEMORY_KIB = 128 * 1024
REFERENCE_PASSES = 16
REFERENCE_LANES = 1
REFERENCE_SECRET_DIGITS = 16


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def summary(samples: list[float]) -> dict:
    return {
        "runs": len(samples),
        "min_s": min(samples),
        "median_s": statistics.median(samples),
        "max_s": max(samples),
    }


def mib_passes(memory_kib: int, passes: int) -> float:
    return memory_kib / 1024 * passes


def bench_our_check() -> dict:
    """One receipt check exactly as the inbox login does it (minus the indexed query)."""
    code = receipts.ReceiptCode.generate()
    stored = code.secret_hash()
    assert receipts.secret_matches(code, stored)
    wrong = receipts.ReceiptCode(lookup=code.lookup, secret="1" * receipts.SECRET_DIGITS)
    right_samples = [timed(lambda: receipts.secret_matches(code, stored)) for _ in range(OUR_RUNS)]
    # A look-up part that matches no case: checked against the dummy hash.
    no_case_samples = [timed(lambda: receipts.secret_matches(wrong, None)) for _ in range(OUR_RUNS // 2)]
    wrong_secret_samples = [timed(lambda: receipts.secret_matches(wrong, stored)) for _ in range(OUR_RUNS // 2)]
    # A code handed out before (24 digits, 64 MiB / 2 passes): still checked, at its own cost.
    old = receipts.ReceiptCode(lookup=code.lookup, secret="7" * receipts.OLD_SECRET_DIGITS)
    old_stored = receipts._old_hasher.hash(old.secret)
    assert receipts.secret_matches(old, old_stored)
    old_samples = [timed(lambda: receipts.secret_matches(old, old_stored)) for _ in range(OUR_RUNS // 2)]
    return {
        "parameters": {
            "memory_mib": receipts.ARGON2_MEMORY_KIB // 1024,
            "passes": receipts.ARGON2_PASSES,
            "lanes": receipts.ARGON2_LANES,
            "secret_digits": receipts.SECRET_DIGITS,
            "lookup_digits": receipts.LOOKUP_DIGITS,
        },
        "right_code": summary(right_samples),
        "wrong_secret": summary(wrong_secret_samples),
        "no_such_case_dummy_hash": summary(no_case_samples),
        "old_code_64mib_2_passes": summary(old_samples),
    }


def bench_reference() -> dict:
    hasher = PasswordHasher(
        time_cost=REFERENCE_PASSES,
        memory_cost=REFERENCE_MEMORY_KIB,
        parallelism=REFERENCE_LANES,
        hash_len=32,
        salt_len=16,
    )
    secret = "".join(secrets.choice("0123456789") for _ in range(REFERENCE_SECRET_DIGITS))
    stored = hasher.hash(secret)
    samples = [timed(lambda: hasher.verify(stored, secret)) for _ in range(REFERENCE_RUNS)]
    return {
        "parameters": {
            "memory_mib": REFERENCE_MEMORY_KIB // 1024,
            "passes": REFERENCE_PASSES,
            "lanes": REFERENCE_LANES,
            "secret_digits": REFERENCE_SECRET_DIGITS,
        },
        "call": summary(samples),
    }


def guessing_cost(ours: dict, reference: dict) -> dict:
    our_space = 10**receipts.SECRET_DIGITS
    reference_space = 10**REFERENCE_SECRET_DIGITS
    our_guess_s = ours["right_code"]["median_s"]
    reference_guess_s = reference["call"]["median_s"]
    our_guess_mp = mib_passes(receipts.ARGON2_MEMORY_KIB, receipts.ARGON2_PASSES)
    reference_guess_mp = mib_passes(REFERENCE_MEMORY_KIB, REFERENCE_PASSES)
    return {
        "ours": {
            "secret_digits": receipts.SECRET_DIGITS,
            "secrets": our_space,
            "per_guess_s": our_guess_s,
            "per_guess_mib_passes": our_guess_mp,
            "total_s": our_space * our_guess_s,
            "total_mib_passes": our_space * our_guess_mp,
        },
        "reference": {
            "secret_digits": REFERENCE_SECRET_DIGITS,
            "secrets": reference_space,
            "per_guess_s": reference_guess_s,
            "per_guess_mib_passes": reference_guess_mp,
            "total_s": reference_space * reference_guess_s,
            "total_mib_passes": reference_space * reference_guess_mp,
        },
        # How many times more an attacker must spend on our codes than on the reference.
        "ratio_seconds": (our_space * our_guess_s) / (reference_space * reference_guess_s),
        "ratio_mib_passes": (our_space * our_guess_mp) / (reference_space * reference_guess_mp),
    }


def _check_many(stored: str, secret: str, count: int) -> dict:
    """``count`` receipt checks one after another, in one thread. Top level, so a process pool can run it.

    Returns each check's (start, end) on the system-wide monotonic clock, so
    checks in different threads and processes can be laid side by side, and
    the CPU time this thread used.
    """
    code = receipts.ReceiptCode(lookup="000000", secret=secret)
    intervals = []
    cpu_start = time.thread_time()
    for _ in range(count):
        begin = time.perf_counter()
        matched = receipts.secret_matches(code, stored)
        intervals.append((begin, time.perf_counter()))
        assert matched
    return {"intervals": intervals, "cpu_s": time.thread_time() - cpu_start}


def _time_with_overlap(intervals: list[tuple[float, float]]) -> tuple[int, float]:
    """The most checks that ran at the same moment, and for how long two or more ran at once."""
    events = sorted([(begin, 1) for begin, _end in intervals] + [(end, -1) for _begin, end in intervals])
    running, most, overlapping, previous = 0, 0, 0.0, None
    for moment, change in events:
        if previous is not None and running >= 2:
            overlapping += moment - previous
        running += change
        most = max(most, running)
        previous = moment
    return most, overlapping


def _run_level(executor_class, workers: int, stored: str, secret: str) -> dict:
    per_worker = CHECKS_PER_LEVEL // workers
    with executor_class(max_workers=workers) as pool:
        list(pool.map(_check_many, [stored] * workers, [secret] * workers, [1] * workers))  # warm up the workers
        start = time.perf_counter()
        batches = list(pool.map(_check_many, [stored] * workers, [secret] * workers, [per_worker] * workers))
        wall = time.perf_counter() - start
    intervals = [interval for batch in batches for interval in batch["intervals"]]
    latencies = [end - begin for begin, end in intervals]
    most_at_once, overlapping = _time_with_overlap(intervals)
    cpu = sum(batch["cpu_s"] for batch in batches)
    return {
        "workers": workers,
        "checks": len(intervals),
        "wall_s": wall,
        "checks_per_s": len(intervals) / wall,
        "latency_median_s": statistics.median(latencies),
        "latency_max_s": max(latencies),
        # Proof that no lock serialises the checks: several were inside argon2 at the same moment.
        "most_checks_at_once": most_at_once,
        "share_of_time_with_2_or_more_at_once": overlapping / wall,
        # CPU cores the checks actually got: when this stays near 1 while checks overlap,
        # the machine had no second core free (other work), not a lock.
        "cores_used": cpu / wall,
    }


def bench_concurrency() -> dict:
    """Threads in one process (as gunicorn's --threads runs them) and separate
    processes (as --workers does). argon2-cffi releases the GIL during the
    hash, so checks in threads run side by side; throughput then grows with
    the free CPU cores, as it does for processes."""
    code = receipts.ReceiptCode.generate()
    stored = code.secret_hash()
    result = {"cpu_count": os.cpu_count(), "checks_per_level": CHECKS_PER_LEVEL}
    for name, executor_class in (("threads", ThreadPoolExecutor), ("processes", ProcessPoolExecutor)):
        levels = [_run_level(executor_class, workers, stored, code.secret) for workers in WORKER_COUNTS]
        single = levels[0]["checks_per_s"]
        for level in levels:
            level["speedup"] = level["checks_per_s"] / single
        result[name] = levels
    return result


def bench_encryption() -> dict:
    original_key_file = settings.KEY_FILE
    with tempfile.TemporaryDirectory() as folder:
        settings.KEY_FILE = Path(folder) / "kek.key"
        crypto.create_key_file(settings.KEY_FILE)
        crypto.keyring.cache_clear()
        try:
            context = "case:00000000-0000-0000-0000-000000000000"
            create_samples = [timed(lambda: crypto.CaseKey.create(context)) for _ in range(SMALL_RUNS)]
            key, key_id, wrapped = crypto.CaseKey.create(context)
            load_samples = [timed(lambda: crypto.CaseKey.load(context, key_id, wrapped)) for _ in range(SMALL_RUNS)]
            results = {
                "case_key_create_and_wrap": summary(create_samples),
                "case_key_unwrap": summary(load_samples),
            }
            for label, size, runs in (
                ("report_10kb", SMALL_REPORT_BYTES, SMALL_RUNS),
                ("attachment_10mb", LARGE_ATTACHMENT_BYTES, LARGE_RUNS),
            ):
                data = os.urandom(size)
                seal_samples, open_samples, both_samples = [], [], []
                for _ in range(runs):
                    start = time.perf_counter()
                    blob = key.seal("attachment:bench", data)
                    middle = time.perf_counter()
                    plain = key.open("attachment:bench", blob)
                    end = time.perf_counter()
                    assert plain == data
                    seal_samples.append(middle - start)
                    open_samples.append(end - middle)
                    both_samples.append(end - start)
                results[label] = {
                    "bytes": size,
                    "ciphertext_overhead_bytes": len(blob) - size,
                    "seal": summary(seal_samples),
                    "open": summary(open_samples),
                    "seal_and_open": summary(both_samples),
                    "seal_and_open_mb_per_s": size / 1024 / 1024 / statistics.median(both_samples),
                }
            return results
        finally:
            settings.KEY_FILE = original_key_file
            crypto.keyring.cache_clear()


def environment() -> dict:
    from cryptography.hazmat.backends.openssl.backend import backend

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "argon2-cffi": package_version("argon2-cffi"),
        "argon2-cffi-bindings": package_version("argon2-cffi-bindings"),
        "cryptography": package_version("cryptography"),
        "openssl": backend.openssl_version_text(),
    }


def _load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def duration(seconds: float) -> str:
    if seconds < 0.001:
        return f"{seconds * 1_000_000:7.1f} µs"
    return f"{seconds * 1000:7.1f} ms"


def timing_row(label: str, s: dict) -> str:
    return f"  {label:<50} {duration(s['min_s'])} {duration(s['median_s'])} {duration(s['max_s'])}   ({s['runs']} runs)"


def print_report(result: dict) -> None:
    env = result["environment"]
    print(f"Meldpunt receipt and encryption benchmark, {result['timestamp']}")
    print(f"{env['processor']}, {env['cpu_count']} CPUs, Python {env['python']}, argon2-cffi {env['argon2-cffi']}")
    print(f"Load average before / after: {env['load_before']} / {env['load_after']} (other work skews the figures)")
    print()

    ours, ref = result["our_check"], result["reference"]
    p, rp = ours["parameters"], ref["parameters"]
    print(f"1-2. One argon2id call {'':<27} {'min':>10} {'median':>10} {'max':>10}")
    print(
        timing_row(
            f"ours, right code ({p['memory_mib']} MiB, {p['passes']} passes, {p['lanes']} lane)", ours["right_code"]
        )
    )
    print(timing_row("ours, wrong secret", ours["wrong_secret"]))
    print(timing_row("ours, no case has the look-up part (dummy hash)", ours["no_such_case_dummy_hash"]))
    print(timing_row("older 24-digit code (64 MiB, 2 passes)", ours["old_code_64mib_2_passes"]))
    print(timing_row(f"reference ({rp['memory_mib']} MiB, {rp['passes']} passes, {rp['lanes']} lane)", ref["call"]))
    print()

    cost = result["guessing_cost"]
    print("3. Offline guessing cost of the whole secret space")
    print(f"  {'':<10} {'secrets':>8} {'per guess':>11} {'MiB-passes':>11} {'core-seconds':>13} {'MiB-passes':>10}")
    for name in ("ours", "reference"):
        c = cost[name]
        print(
            f"  {name:<10} {'10^' + str(c['secret_digits']):>8} {duration(c['per_guess_s']):>11} "
            f"{c['per_guess_mib_passes']:>11.0f} {c['total_s']:>13.2e} {c['total_mib_passes']:>10.2e}"
        )
    print(
        f"  ours / reference: {cost['ratio_seconds']:.1f}x in measured time, "
        f"{cost['ratio_mib_passes']:.2f}x in memory x passes"
    )
    print()

    conc = result["concurrency"]
    print(f"4. Concurrent checks, {conc['checks_per_level']} checks per row ({conc['cpu_count']} CPUs)")
    print(
        f"  {'':<10} {'workers':>7} {'checks/s':>9} {'speed-up':>9} {'median latency':>15} {'max latency':>12}"
        f" {'at once':>8} {'2+ at once':>11} {'cores used':>11}"
    )
    for name in ("threads", "processes"):
        for level in conc[name]:
            print(
                f"  {name:<10} {level['workers']:>7} {level['checks_per_s']:>9.1f} "
                f"{level['speedup']:>8.2f}x {duration(level['latency_median_s']):>15} "
                f"{duration(level['latency_max_s']):>12} {level['most_checks_at_once']:>8} "
                f"{level['share_of_time_with_2_or_more_at_once']:>10.0%} {level['cores_used']:>11.2f}"
            )
    print("  'at once': most checks inside argon2 at the same moment; 'cores used': CPU time / wall time.")
    print()

    enc = result["encryption"]
    print(f"5. Encryption with CaseKey (AES-256-GCM) {'':<9} {'min':>10} {'median':>10} {'max':>10}")
    print(timing_row("new case key, wrapped by the KEK", enc["case_key_create_and_wrap"]))
    print(timing_row("unwrap a case key", enc["case_key_unwrap"]))
    for label, key in (("10 KB report", "report_10kb"), ("10 MB attachment", "attachment_10mb")):
        e = enc[key]
        print(timing_row(f"{label}, seal", e["seal"]))
        print(timing_row(f"{label}, open", e["open"]))
        print(timing_row(f"{label}, seal + open", e["seal_and_open"]))
        print(f"  {'':<50} {e['seal_and_open_mb_per_s']:.0f} MB/s seal + open; +{e['ciphertext_overhead_bytes']} bytes")
    print()


def main() -> None:
    started = time.perf_counter()
    stamp = datetime.datetime.now(datetime.UTC)
    print("Measuring (about a minute)...", flush=True)
    load_before = _load_average()
    ours = bench_our_check()
    reference = bench_reference()
    result = {
        "timestamp": stamp.isoformat(timespec="seconds"),
        "environment": environment(),
        "our_check": ours,
        "reference": reference,
        "guessing_cost": guessing_cost(ours, reference),
        "concurrency": bench_concurrency(),
        "encryption": bench_encryption(),
    }
    result["environment"]["load_before"] = load_before
    result["environment"]["load_after"] = _load_average()
    result["duration_s"] = time.perf_counter() - started
    print_report(result)

    path = write_results(result, "receipts", stamp, "latest.json")
    print(f"Took {result['duration_s']:.0f} s. Wrote {path.relative_to(BASE_DIR)} and bench/results/latest.json")


if __name__ == "__main__":
    main()
    print()
    notifications = subprocess.call([sys.executable, str(BASE_DIR / "bench" / "notifications.py")])  # noqa: S603
    print()
    sweep = subprocess.call([sys.executable, str(BASE_DIR / "bench" / "sweep.py")])  # noqa: S603
    print()
    figures = subprocess.call([sys.executable, str(BASE_DIR / "bench" / "figures.py")])  # noqa: S603
    sys.exit(notifications or sweep or figures)
