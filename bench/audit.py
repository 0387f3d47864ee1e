"""Benchmark: verifying the audit trail, in events per second, over 1,000,000 events.

Run with ``.venv/bin/python bench/audit.py`` (``make bench`` runs it after the
other benchmarks). For each database (SQLite in a temporary state folder;
PostgreSQL in a temporary database ``meldpunt_bench_audit`` when
127.0.0.1:5432 answers, or ``MELDPUNT_BENCH_PG_URL``) it writes one chain of
1,000,000 events sealed as ``meldpunt.audit.log.record_many`` seals them
(HMAC-SHA-256 under a fresh audit key, each linked to the one before), inserted
in bulk (setup time is reported but is not the figure), signs a checkpoint of
its head, and then measures:

(a) ``verify_chain``: the whole chain and the checkpoint, as ``manage.py
    verify_audit`` does (2 runs; events per second of the faster);
(b) ``verify_file``: the chain against the exported checkpoint file alone
    (``manage.py verify_audit --checkpoint``), 1 run;
(c) appending one event to the 1,000,000-event chain (``record``), 21 runs.

``MELDPUNT_BENCH_AUDIT_EVENTS`` sets another number of events and
``MELDPUNT_BENCH_AUDIT_DATABASES`` (``sqlite,postgresql``) the databases.
It prints the figures and writes JSON to ``bench/results/audit-<timestamp>.json``
and ``bench/results/audit-latest.json``.
"""

import datetime
import json
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
EVENTS = int(os.environ.get("MELDPUNT_BENCH_AUDIT_EVENTS", "1000000"))
BATCH = 10_000
VERIFY_RUNS = 2
APPEND_RUNS = 21
PG_DATABASE = "meldpunt_bench_audit"


def setup_django(state_dir: Path, database_url: str | None) -> None:
    for key in [key for key in os.environ if key.startswith("MELDPUNT_")]:
        del os.environ[key]
    os.environ.update({"MELDPUNT_STATE_DIR": str(state_dir), "DJANGO_SETTINGS_MODULE": "meldpunt.settings"})
    if database_url:
        os.environ["MELDPUNT_DATABASE_URL"] = database_url
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


ACTIONS = [
    ("case.read", {"what": "case"}),
    ("case.read", {"what": "attachment:0b7c2f8e-52a4-4c57-9a51-2f8f3f7d1c11"}),
    ("case.state_changed", {"from": "ontvangen", "to": "in_behandeling"}),
    ("message.sent", {"author": "behandelaar", "attachments": 0}),
    ("account.login", {"factor": "totp"}),
    ("notification.emailed", {"notification": 12345, "kind": "routed", "to": "person:17", "digest": False}),
]


def write_chain(organisation, count: int) -> float:
    """``count`` sealed events on the organisation's chain, inserted in batches; returns seconds."""
    from django.db import transaction
    from django.utils import timezone

    from meldpunt.audit.keys import audit_keys
    from meldpunt.audit.log import GENESIS, chain_for
    from meldpunt.audit.models import AuditEvent, AuditHead, canonical

    keys = audit_keys()
    chain = chain_for(organisation)
    started = time.perf_counter()
    prev = GENESIS
    at = timezone.now() - datetime.timedelta(days=365)
    step = datetime.timedelta(seconds=30)
    seq = 0
    while seq < count:
        batch = []
        for _ in range(min(BATCH, count - seq)):
            seq += 1
            action, detail = ACTIONS[seq % len(ACTIONS)]
            actor = f"staff:behandelaar{seq % 7}"
            case = f"2026-{seq % 20000:06d}"
            at = at + step
            digest = keys.seal(
                keys.active_id,
                canonical(chain, seq, at, actor, action, organisation.pk, case, detail, prev, key_id=keys.active_id),
            )
            batch.append(
                AuditEvent(
                    chain=chain,
                    seq=seq,
                    at=at,
                    actor=actor,
                    action=action,
                    organisation_id_ref=organisation.pk,
                    case_reference=case,
                    detail=detail,
                    prev_hash=prev,
                    hash=digest,
                    key_id=keys.active_id,
                )
            )
            prev = digest
        with transaction.atomic():
            AuditEvent.objects.bulk_create(batch, batch_size=2000)
        if seq % 100_000 == 0:
            print(f"    {seq:,} events written", flush=True)
    AuditHead.objects.update_or_create(chain=chain, defaults={"last_hash": prev, "length": count})
    return time.perf_counter() - started


def run_one(database: str) -> dict:
    """In this process: set up ``database`` and measure (called with --database)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from meldpunt import crypto, signing
    from meldpunt.audit.checkpoints import export, make_checkpoint, verify_file
    from meldpunt.audit.keys import create_audit_key_file
    from meldpunt.audit.log import chain_for, record, verify_chain
    from meldpunt.organisations.models import Organisation

    crypto.create_key_file(Path(settings.KEY_FILE))
    create_audit_key_file(Path(settings.AUDIT_KEY_FILE))
    signing.create_signing_key_file(Path(settings.SIGNING_KEY_FILE))
    call_command("migrate", verbosity=0, interactive=False)
    organisation = Organisation.objects.create(slug="benchstad", name="Gemeente Benchstad")
    print(f"  {database}: writing {EVENTS:,} sealed events...", flush=True)
    setup_s = write_chain(organisation, EVENTS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE audit_auditevent")
    print(f"  {database}: {EVENTS:,} events written in {setup_s:.0f} s", flush=True)
    chain = chain_for(organisation)
    checkpoint = make_checkpoint(chain)
    file_text = export(checkpoint)

    runs = []
    for _ in range(VERIFY_RUNS):
        started = time.perf_counter()
        report = verify_chain(chain)
        runs.append(time.perf_counter() - started)
        assert report.ok and report.length == EVENTS and report.checkpoints_checked == 1, report
    best = min(runs)
    print(f"  {database}: (a) verify_chain: {best:.1f} s, {EVENTS / best:,.0f} events/s", flush=True)

    started = time.perf_counter()
    file_report = verify_file(file_text)
    file_s = time.perf_counter() - started
    assert file_report.ok, file_report.lines
    print(f"  {database}: (b) from the checkpoint file: {file_s:.1f} s, {EVENTS / file_s:,.0f} events/s", flush=True)

    appends = []
    for number in range(APPEND_RUNS):
        started = time.perf_counter()
        record("case.read", actor="staff:behandelaar1", organisation=organisation, what="case", n=number)
        appends.append(time.perf_counter() - started)
    print(f"  {database}: (c) one more event: {statistics.median(appends) * 1000:.2f} ms (median)", flush=True)
    return {
        "database": database,
        "events": EVENTS,
        "setup_s": setup_s,
        "verify_chain": {
            "runs_s": runs,
            "best_s": best,
            "events_per_s": EVENTS / best,
            "median_events_per_s": EVENTS / statistics.median(runs),
        },
        "verify_from_checkpoint_file": {"seconds": file_s, "events_per_s": EVENTS / file_s},
        "append_one_event": {"median_ms": statistics.median(appends) * 1000, "max_ms": max(appends) * 1000},
    }


def main() -> int:
    stamp = datetime.datetime.now(datetime.UTC)
    started = time.perf_counter()
    runs = []
    wanted = os.environ.get("MELDPUNT_BENCH_AUDIT_DATABASES", "sqlite,postgresql").split(",")
    targets = [("sqlite", None)] if "sqlite" in wanted else []
    pg = fresh_postgres(PG_DATABASE) if "postgresql" in wanted else None
    if pg:
        targets.append(("postgresql", pg))
    for database, url in targets:
        print(f"Audit verification bench on {database}...", flush=True)
        with tempfile.TemporaryDirectory(prefix="meldpunt-bench-audit-") as folder:
            output = Path(folder) / "result.json"
            env = {key: value for key, value in os.environ.items() if not key.startswith("MELDPUNT_")}
            env["MELDPUNT_BENCH_AUDIT_EVENTS"] = str(EVENTS)
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
        "runs": runs,
        "duration_s": time.perf_counter() - started,
    }
    path = write_results(result, "audit", stamp, "audit-latest.json")
    for run in runs:
        print(
            f"{run['database']:>10}: {run['events']:,} events: verify_audit "
            f"{run['verify_chain']['events_per_s']:,.0f} events/s ({run['verify_chain']['best_s']:.1f} s), "
            f"from a checkpoint file {run['verify_from_checkpoint_file']['events_per_s']:,.0f} events/s, "
            f"one more event {run['append_one_event']['median_ms']:.2f} ms"
        )
    print(f"Took {result['duration_s']:.0f} s. Wrote {path.relative_to(BASE_DIR)} and bench/results/audit-latest.json")
    return 0 if len(runs) == len(targets) else 1


if __name__ == "__main__":
    if "--database" in sys.argv:
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("--database", required=True)
        parser.add_argument("--state", required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--url")
        arguments = parser.parse_args()
        setup_django(Path(arguments.state), arguments.url)
        Path(arguments.out).write_text(json.dumps(run_one(arguments.database)))
        sys.exit(0)
    sys.exit(main())
