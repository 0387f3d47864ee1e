"""The sweep runs by itself, without cron: a django-tasks task that sweeps
and queues its own next run (``run_after``) every ``EVERY``. Started by
``manage.py escalate --schedule`` (``make run`` does; in production, next to
every ``db_worker``: it is safe to call from any number of machines). A
worker that was down runs the waiting task at once when it comes back, and
the sweep catches up on everything that fell due meanwhile.

Two schedulers started at the same moment could leave two waiting runs;
``schedule`` keeps only the earliest, so the cycle never doubles.
"""

import datetime

from django.utils import timezone
from django_tasks import task

from meldpunt.escalation.sweep import sweep

EVERY = datetime.timedelta(minutes=15)


def _waiting():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=escalation_sweep.module_path, status="READY")


def schedule(now=None) -> bool:
    """Queue the next sweep ``EVERY`` from now unless one waits already (and
    drop any second waiting one). Returns whether it queued one."""
    now = now or timezone.now()
    waiting = list(_waiting().order_by("run_after", "enqueued_at").values_list("pk", flat=True))
    if waiting:
        _waiting().filter(pk__in=waiting[1:]).delete()
        return False
    escalation_sweep.using(run_after=now + EVERY).enqueue()
    return True


@task()
def escalation_sweep() -> int:
    sent = sweep()
    schedule()
    return sent
