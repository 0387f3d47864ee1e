"""A new case's notifications are written together (``notifications.together.written_together``):
one insert for the rows and one for their e-mail tasks, with the same rows as one at a time.

What a user would notice if this broke: a notification missing or doubled, an
e-mail task that the worker cannot run, or notifications left behind by a
submission that failed.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from meldpunt.notifications import service, together
from meldpunt.notifications.models import Notification
from tests.factories import report_about

pytestmark = pytest.mark.django_db(transaction=False)

# What may differ between two task rows for two notifications: their own ids and moments.
OWN = {"id", "enqueued_at", "args_kwargs"}


def task_of(notification) -> DBTaskResult:
    (row,) = [
        r
        for r in DBTaskResult.objects.filter(task_path=service.send_email.module_path)
        if r.args_kwargs["args"] == [notification.pk]
    ]
    return row


def columns(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in DBTaskResult._meta.concrete_fields if f.attname not in OWN}


def test_a_submission_writes_its_notifications_and_tasks_in_one_insert_each(organisation, person):
    """Tried: a report about a wethouder (burgemeester, gemeentesecretaris, both handlers and the office told),
    as the first report about him and as the second (the pattern check then tells them too)."""
    with CaptureQueriesContext(connection) as captured:
        case, _code = report_about(organisation, person("Henk Bosman"))
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].upper().startswith("INSERT")]
    assert sum('"notifications_notification"' in sql for sql in inserts) == 1
    assert sum('"django_tasks_database_dbtaskresult"' in sql for sql in inserts) == 1
    # Who was told already, and whether the office has an e-mail pending, are
    # answered from the kept notifications alone: a new case has none stored.
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].upper().startswith("SELECT")]
    assert not [sql for sql in selects if 'FROM "notifications_notification"' in sql]
    told = Notification.objects.filter(case=case)
    names = sorted(n.person.name if n.person else "office" for n in told)
    assert names == ["Daan Schouten", "Ingrid Vos", "Marieke van Dalen", "Willem Jacobs", "office"]
    # Every one of them has exactly one e-mail task, that names it.
    for notification in told:
        assert task_of(notification).status == "READY"

    with CaptureQueriesContext(connection) as captured:
        second, _code = report_about(organisation, person("Henk Bosman"))
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].upper().startswith("SELECT")]
    assert not [sql for sql in selects if 'FROM "notifications_notification"' in sql]
    alerted = Notification.objects.filter(case=second, kind=Notification.Kind.PATTERN)
    assert sorted(n.person.name for n in alerted) == [
        "Daan Schouten",
        "Ingrid Vos",
        "Marieke van Dalen",
        "Willem Jacobs",
    ]
    assert Notification.objects.filter(case=second, to_office=True).count() == 1


def test_a_task_written_together_is_the_row_enqueue_writes(organisation, person):
    """Tried: the bulk-written task row beside one written by ``send_email.enqueue``,
    column by column (the database backend's own pre_save fills run_after)."""
    case, _code = report_about(organisation, person("Henk Bosman"))
    together = task_of(Notification.objects.filter(case=case).first())
    alone = service.notify(person("Ingrid Vos").pk, organisation, case, Notification.Kind.ASSIGNED, "Toegewezen.")
    assert columns(together) == columns(task_of(alone))


def test_a_block_that_fails_writes_no_notification(organisation, person):
    """Tried: notifications made inside the block, then an error before it ends."""
    case, _code = report_about(organisation, person("Henk Bosman"))
    before = (Notification.objects.count(), DBTaskResult.objects.count())
    with pytest.raises(RuntimeError), transaction.atomic(), together.written_together():
        service.notify(person("Ingrid Vos").pk, organisation, case, Notification.Kind.ASSIGNED, "Toegewezen.")
        raise RuntimeError("the submission failed")
    assert (Notification.objects.count(), DBTaskResult.objects.count()) == before


def test_inside_the_block_who_was_told_counts_the_kept_notifications(organisation, person):
    """Tried: a person told inside the block, then the question whether they were told."""
    case, _code = report_about(organisation, person("Henk Bosman"))
    lotte = person("Lotte Jansen")
    with together.written_together():
        assert lotte.pk not in together.already_told(case)
        service.notify(lotte.pk, organisation, case, Notification.Kind.ASSIGNED, "Toegewezen.", person=lotte)
        assert lotte.pk in together.already_told(case)
        assert lotte.pk not in together.already_told(case, Notification.Kind.PATTERN)
        assert not Notification.objects.filter(case=case, person=lotte).exists()  # not written yet
    assert Notification.objects.filter(case=case, person=lotte).count() == 1
