"""Benchmark: how long from a submitted report until its notification e-mails are out.

Run with ``.venv/bin/python bench/notifications.py`` (``make bench`` runs it
after the receipt benchmark). It sets up the embedded default in a temporary
state folder (SQLite, a fresh key, the demo municipality), starts one
``manage.py db_worker`` beside it exactly as ``make run`` does (polling every
second), and submits reports about a wethouder through the same code as the
public form. Each report notifies the burgemeester and the
gemeentesecretaris, and the integrity office (its two handlers and its own
address); digests are off (``MELDPUNT_EMAIL_DIGEST_MINUTES=0``) so every
notification has its own e-mail. The figure per notification is the time from the
report's ``received_at`` (set inside the submission, so the submission's own
work is counted too) to the notification's ``emailed_at``.

Two rounds:

1. spaced: reports arrive one at a time, ``SPACING_S`` apart, the way the
   public form sees them;
2. burst: the same number of reports back to back, as fast as this process
   can submit them, while the worker sends.

Target: every notification e-mailed within 60 seconds of the submission.

It prints min/median/95th percentile/max per round and writes JSON to
``bench/results/notifications-<timestamp>.json`` and
``bench/results/notifications-latest.json``.
"""

import datetime
import email
import email.policy
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import package_version, write_results

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
LATEST = RESULTS_DIR / "notifications-latest.json"

REPORTS = 20
SPACING_S = 0.5
WORKER_INTERVAL_S = 1
TARGET_S = 60
WAIT_LIMIT_S = 180


def _environment_for(state_dir: Path) -> dict:
    """The embedded default in ``state_dir``: SQLite, file e-mail, no production settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MELDPUNT_")}
    env.update({"MELDPUNT_STATE_DIR": str(state_dir), "DJANGO_SETTINGS_MODULE": "meldpunt.settings"})
    # Every notification gets its own e-mail, so the figure is the latency of each one
    # (with digests, the e-mails after the first wait for the digest on purpose).
    env["MELDPUNT_EMAIL_DIGEST_MINUTES"] = "0"
    return env


def setup_django(state_dir: Path) -> None:
    for key in [key for key in os.environ if key.startswith("MELDPUNT_")]:
        del os.environ[key]
    os.environ.update(_environment_for(state_dir))
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "count": len(ordered),
        "min_s": ordered[0],
        "median_s": statistics.median(ordered),
        "p95_s": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max_s": ordered[-1],
    }


def count_messages(folder: Path) -> dict[str, int]:
    """Messages per notification id in the file backend's folder."""
    counts: dict[str, int] = {}
    for path in folder.glob("*.log"):
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                message = email.message_from_string(chunk.lstrip("\n"), policy=email.policy.default)
                for key in (message["X-Meldpunt-Notification"] or message["X-Meldpunt-Notifications"]).split(","):
                    counts[key] = counts.get(key, 0) + 1
    return counts


def submit(organisation, wethouder):
    from meldpunt.cases.actions import ReportInput, SubjectInput, submit_report
    from meldpunt.cases.models import Relation, SubjectLink, Wish

    report = ReportInput(
        relation=Relation.INWONER,
        anonymous=True,
        description="Benchmarkmelding: ongepaste opmerkingen tijdens een spreekuur.",
        wishes=[Wish.GEHOORD],
        subjects=[SubjectInput(role=SubjectLink.Role.BESCHULDIGDE, person=wethouder)],
    )
    case, _code = submit_report(organisation, report)
    return case


def run_round(name: str, organisation, wethouder, spacing: float) -> dict:
    from meldpunt.notifications.models import Notification

    cases = []
    started = time.perf_counter()
    for i in range(REPORTS):
        if i and spacing:
            time.sleep(spacing)
        cases.append(submit(organisation, wethouder))
    submit_s = time.perf_counter() - started

    pending = Notification.objects.filter(case__in=cases, emailed_at__isnull=True)
    deadline = time.monotonic() + WAIT_LIMIT_S
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.1)

    latencies, unsent = [], 0
    for notification in Notification.objects.filter(case__in=cases).select_related("case"):
        if notification.emailed_at is None:
            unsent += 1
        else:
            latencies.append((notification.emailed_at - notification.case.received_at).total_seconds())
    result = {
        "round": name,
        "reports": REPORTS,
        "spacing_s": spacing,
        "submitting_took_s": submit_s,
        "notifications": len(latencies) + unsent,
        "unsent_after_wait": unsent,
        "submission_to_email_s": summary(latencies) if latencies else None,
    }
    result["within_target"] = bool(latencies) and unsent == 0 and result["submission_to_email_s"]["max_s"] < TARGET_S
    return result


def environment() -> dict:

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "database": "sqlite",
        "django": package_version("django"),
        "django-tasks": package_version("django-tasks"),
        "django-tasks-db": package_version("django-tasks-db"),
        "workers": 1,
        "worker_interval_s": WORKER_INTERVAL_S,
    }


def print_report(result: dict) -> None:
    env = result["environment"]
    print(f"Meldpunt notification latency, {result['timestamp']}")
    print(
        f"SQLite, one db_worker polling every {env['worker_interval_s']} s, Python {env['python']}, "
        f"django-tasks {env['django-tasks']}, django-tasks-db {env['django-tasks-db']}, {env['cpu_count']} CPUs"
    )
    print(f"Seconds from submission to e-mail out (target: under {TARGET_S} s)")
    columns = ("min", "median", "p95", "max")
    print(f"  {'round':<8} {'reports':>7} {'e-mails':>7} " + " ".join(f"{c:>7}" for c in columns) + "  within target")
    for r in result["rounds"]:
        s = r["submission_to_email_s"] or {"min_s": 0, "median_s": 0, "p95_s": 0, "max_s": 0}
        print(
            f"  {r['round']:<8} {r['reports']:>7} {r['notifications'] - r['unsent_after_wait']:>7} "
            f"{s['min_s']:>7.2f} {s['median_s']:>7.2f} {s['p95_s']:>7.2f} {s['max_s']:>7.2f}  "
            f"{'yes' if r['within_target'] else 'NO':>13}"
        )
    mail = result["mail"]
    print(
        f"  e-mail files: {mail['messages']} messages for {mail['notifications_with_address']} notifications "
        f"with an address, {mail['duplicates']} duplicates"
    )


def main() -> int:
    stamp = datetime.datetime.now(datetime.UTC)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="meldpunt-bench-") as folder:
        state_dir = Path(folder) / "state"
        setup_django(state_dir)

        from django.conf import settings
        from django.core.management import call_command

        from meldpunt import crypto
        from meldpunt.demo.loader import load_demo
        from meldpunt.notifications.models import Notification
        from meldpunt.registry.models import Person

        print("Setting up a temporary SQLite database with the demo municipality...", flush=True)
        crypto.create_key_file(Path(settings.KEY_FILE))
        call_command("migrate", verbosity=0, interactive=False)
        organisation = load_demo()
        wethouder = Person.objects.get(organisation=organisation, name="Henk Bosman")

        worker = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", "db_worker", "--interval", str(WORKER_INTERVAL_S), "--no-reload"]
            + ["--verbosity", "0"],
            cwd=BASE_DIR,
            env=_environment_for(state_dir),
        )
        try:
            time.sleep(3)  # let the worker start, as it has long before anyone reports in `make run`
            if worker.poll() is not None:
                raise SystemExit(f"the worker stopped at start-up (exit code {worker.returncode})")
            print(f"Worker running; submitting {REPORTS} reports per round...", flush=True)
            rounds = [
                run_round("spaced", organisation, wethouder, SPACING_S),
                run_round("burst", organisation, wethouder, 0),
            ]
        finally:
            worker.terminate()
            worker.wait(timeout=30)

        counts = count_messages(Path(settings.EMAIL_FILE_PATH))
        with_address = Notification.objects.exclude(person__email="").count()
        result = {
            "timestamp": stamp.isoformat(timespec="seconds"),
            "environment": environment(),
            "target_s": TARGET_S,
            "rounds": rounds,
            "mail": {
                "messages": sum(counts.values()),
                "notifications_with_address": with_address,
                "duplicates": sum(n - 1 for n in counts.values() if n > 1),
            },
        }
    result["all_within_target"] = all(r["within_target"] for r in rounds) and result["mail"]["duplicates"] == 0
    result["duration_s"] = time.perf_counter() - started
    print_report(result)

    path = write_results(result, "notifications", stamp, LATEST.name)
    print(f"Took {result['duration_s']:.0f} s. Wrote {path.relative_to(BASE_DIR)} and {LATEST.relative_to(BASE_DIR)}")
    return 0 if result["all_within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
