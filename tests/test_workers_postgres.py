"""Two ``db_worker`` processes at once on PostgreSQL: no notification is sent
twice and none is lost, with one e-mail per notification and with digests.

The reports are committed (``transactional_db``) so that workers in other
processes see them. Both workers run ``manage.py db_worker --batch`` against
this test database and write their e-mails as files into a temporary state
folder (``MELDPUNT_STATE_DIR``; the demo's file backend writes to its
``mail`` folder). A lock on the task table holds both workers at their first
query until both are up, so they really run side by side.
"""

import email
import email.policy
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from meldpunt.notifications.models import Notification
from meldpunt.notifications.service import send_digest, send_email
from tests.factories import no_patterns, report_about

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (MELDPUNT_DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]

REPORTS = 10
# Each tells the burgemeester, the gemeentesecretaris, the two handlers of the integrity
# office and the office's own address.
NOTIFICATIONS = 5 * REPORTS
OFFICE_ADDRESS = "integriteit@voorbeeldstad.example"


def address_of(notification) -> str:
    return OFFICE_ADDRESS if notification.to_office else notification.person.email


WORKERS = ["worker-a", "worker-b"]


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def conninfo() -> dict:
    s = connection.settings_dict
    info = {"dbname": s["NAME"], "user": s["USER"], "host": s["HOST"] or "127.0.0.1", "port": s["PORT"] or 5432}
    if s["PASSWORD"]:
        info["password"] = s["PASSWORD"]
    return info


def sent_messages(folder: Path) -> list[email.message.Message]:
    """The file backend appends each message followed by a line of 79 dashes."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.lstrip("\n"), policy=email.policy.default))
    return messages


def run_two_workers(tmp_path, digest_minutes: int) -> None:
    """Start both workers, held at a lock on the task table until both wait, and let them drain the queue."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MELDPUNT_EMAIL")}
    env |= {
        "MELDPUNT_DATABASE_URL": database_url(),
        "MELDPUNT_STATE_DIR": str(tmp_path / "state"),
        "MELDPUNT_EMAIL_DIGEST_MINUTES": str(digest_minutes),
        # The test session's own keys: the workers seal audit events (notification.emailed)
        # on the same chains as this process, so they need the same audit key.
        "MELDPUNT_KEY_FILE": str(settings.KEY_FILE),
        "MELDPUNT_AUDIT_KEY_FILE": str(settings.AUDIT_KEY_FILE),
        "MELDPUNT_SIGNING_KEY_FILE": str(settings.SIGNING_KEY_FILE),
    }
    table = DBTaskResult._meta.db_table
    with psycopg.connect(**conninfo()) as gate:
        # Hold both workers at their first look at the queue until both are waiting.
        gate.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        workers = [
            subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--interval", "0"]
                + ["--worker-id", worker_id, "--verbosity", "0"],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for worker_id in WORKERS
        ]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            gate.execute("SELECT pg_stat_clear_snapshot()")  # activity is otherwise frozen for the transaction
            waiting = gate.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                [connection.settings_dict["NAME"]],
            ).fetchone()[0]
            if waiting >= len(WORKERS) or any(w.poll() is not None for w in workers):
                break
            time.sleep(0.05)
        gate.commit()

    outputs = [w.communicate(timeout=120)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs


@pytest.fixture(autouse=True)
def no_pattern_alerts(organisation):
    """Ten reports about two people are a pattern; its alerts are tested in tests/test_pattern_alerts.py."""
    no_patterns(organisation)


def submit_reports_with_duplicate_tasks(organisation, person):
    wethouders = [person(name) for name in ("Henk Bosman", "Fatima El Amrani")]
    for i in range(REPORTS):
        report_about(organisation, wethouders[i % 2])
    notifications = Notification.objects.filter(case__isnull=False)
    assert notifications.count() == NOTIFICATIONS
    assert DBTaskResult.objects.ready().count() == NOTIFICATIONS
    # A second task for every notification (as a re-queue by hand would make), placed
    # next to the first in the queue, so the two workers often run both at the same
    # time: then the claim on the notification (taken under a row lock, committed
    # before the send) is what keeps it to one e-mail.
    for task in list(DBTaskResult.objects.all()):
        duplicate = send_email.enqueue(*task.args_kwargs["args"])
        DBTaskResult.objects.filter(pk=duplicate.id).update(enqueued_at=task.enqueued_at)
    return notifications


def test_two_workers_send_every_notification_exactly_once(organisation, person, tmp_path):
    """Without digests (MELDPUNT_EMAIL_DIGEST_MINUTES=0): one e-mail per notification."""
    notifications = submit_reports_with_duplicate_tasks(organisation, person)
    run_two_workers(tmp_path, digest_minutes=0)

    # None lost: every notification is marked sent and every task finished well.
    assert not notifications.filter(emailed_at__isnull=True).exists()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    outcomes = Counter(DBTaskResult.objects.values_list("return_value", flat=True))
    print("task outcomes:", dict(outcomes))
    # The duplicate of each task found its notification sent, or claimed by the other worker.
    assert outcomes["sent"] == NOTIFICATIONS
    assert set(outcomes) <= {"sent", "already sent", "being sent"}
    assert sum(outcomes.values()) == 2 * NOTIFICATIONS

    # None twice: exactly one message per notification with an address.
    messages = sent_messages(tmp_path / "state" / "mail")
    per_notification = Counter(int(m["X-Meldpunt-Notification"]) for m in messages)
    with_address = set(notifications.exclude(person__email="").values_list("pk", flat=True))
    assert len(messages) == len(with_address) == NOTIFICATIONS
    assert set(per_notification) == with_address
    assert set(per_notification.values()) == {1}
    for message in messages:
        notification = Notification.objects.select_related("case", "person").get(pk=message["X-Meldpunt-Notification"])
        assert message["To"] == address_of(notification)
        assert notification.case.reference in message["Subject"]

    # Both workers took part.
    by_worker = Counter(ids[0] for ids in DBTaskResult.objects.values_list("worker_ids", flat=True))
    print("tasks per worker:", dict(by_worker))
    assert set(by_worker) == set(WORKERS), by_worker
    assert sum(by_worker.values()) == 2 * NOTIFICATIONS


def test_two_workers_with_digests_put_every_notification_in_exactly_one_email(organisation, person, tmp_path):
    """With digests (10 minutes): each recipient gets one e-mail at once and one
    digest when the ten minutes have passed, and every notification is in exactly
    one of them, while both workers take the tasks and the duplicates."""
    notifications = submit_reports_with_duplicate_tasks(organisation, person)
    run_two_workers(tmp_path, digest_minutes=10)
    digests = DBTaskResult.objects.filter(task_path=send_digest.module_path, status="READY")
    assert digests.count() == 5  # one per recipient, however many notifications wait
    digests.update(run_after=timezone.now())  # the ten minutes have passed
    run_two_workers(tmp_path, digest_minutes=10)

    assert not notifications.filter(emailed_at__isnull=True).exists()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    print("task outcomes:", dict(Counter(DBTaskResult.objects.values_list("return_value", flat=True))))
    messages = sent_messages(tmp_path / "state" / "mail")
    covered = Counter()
    for message in messages:
        ids = message["X-Meldpunt-Notification"] or message["X-Meldpunt-Notifications"]
        for pk in ids.split(","):
            covered[int(pk)] += 1
            assert address_of(Notification.objects.get(pk=pk)) == message["To"]
    assert set(covered) == set(notifications.values_list("pk", flat=True))
    assert set(covered.values()) == {1}
    assert Counter(m["To"] for m in messages) == {
        "m.vandalen@voorbeeldstad.example": 2,
        "w.jacobs@voorbeeldstad.example": 2,
        "i.vos@voorbeeldstad.example": 2,
        "d.schouten@voorbeeldstad.example": 2,
        OFFICE_ADDRESS: 2,
    }
