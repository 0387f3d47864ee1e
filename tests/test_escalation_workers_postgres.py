"""Two ``db_worker`` processes sweep at the same time on PostgreSQL: every
escalation round is stored and sent once (``select_for_update(skip_locked)``
on the due date, the unique round as the last guard), and each of its
notifications is e-mailed once. Workers are run as in test_workers_postgres."""

import datetime
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django_tasks_db.models import DBTaskResult

from meldpunt.escalation import tasks
from meldpunt.escalation.models import Escalation
from meldpunt.notifications.models import Notification
from tests.factories import report_about
from tests.test_workers_postgres import run_two_workers, sent_messages

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (MELDPUNT_DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]

CASES = 12


def test_two_workers_sweeping_at_once_send_each_escalation_once(organisation, person, tmp_path):
    employees = [person(name) for name in ("Lotte Jansen", "Mark de Wit", "Yara Koster")]
    four_months_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=125)
    with time_machine.travel(four_months_ago, tick=False):
        cases = [report_about(organisation, employees[i % 3])[0] for i in range(CASES)]
    DBTaskResult.objects.all().delete()  # the new-case e-mails are not what this test counts
    Notification.objects.update(emailed_at=datetime.datetime.now(datetime.UTC))
    # Two sweeps waiting at once, one for each worker.
    tasks.escalation_sweep.enqueue()
    tasks.escalation_sweep.enqueue()
    run_two_workers(tmp_path, digest_minutes=0)

    sweeps = DBTaskResult.objects.filter(task_path=tasks.escalation_sweep.module_path).exclude(status="READY")
    assert set(sweeps.values_list("status", flat=True)) == {"SUCCESSFUL"}
    by_worker = Counter(ids[0] for ids in sweeps.values_list("worker_ids", flat=True))
    assert set(by_worker) == {"worker-a", "worker-b"}, by_worker
    # Each case: first contact, assessment and feedback overdue (an online report is acknowledged at once).
    escalations = Escalation.objects.filter(due_date__case__in=cases)
    assert escalations.count() == 3 * CASES
    # Between them the two sweeps sent every round once.
    assert sum(sweeps.values_list("return_value", flat=True)) == 3 * CASES
    secretary = person("Willem Jacobs")
    notifications = Notification.objects.filter(kind=Notification.Kind.ESCALATION)
    assert notifications.count() == 3 * CASES
    assert set(notifications.values_list("person_id", flat=True)) == {secretary.pk}
    messages = [m for m in sent_messages(tmp_path / "state" / "mail") if m["X-Meldpunt-Notification"]]
    per_notification = Counter(int(m["X-Meldpunt-Notification"]) for m in messages)
    assert set(per_notification) == set(notifications.values_list("pk", flat=True))
    assert set(per_notification.values()) == {1}
    # The next sweep is queued once, for later.
    assert DBTaskResult.objects.filter(task_path=tasks.escalation_sweep.module_path, status="READY").count() == 1
