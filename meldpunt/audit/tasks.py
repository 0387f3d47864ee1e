"""Checkpoints by themselves, without cron: a django-tasks task that signs the
head of every chain that grew and queues its own next run every ``EVERY``
(the escalation sweep's pattern, ``meldpunt/escalation/tasks.py``). Started by
``manage.py audit_checkpoint --schedule`` (``make run`` does; in production
next to every ``db_worker``; safe from any number of machines). Two
schedulers at the same moment leave two waiting runs at most; ``schedule``
keeps only the earliest.
"""

import datetime

from django.utils import timezone
from django_tasks import task

from meldpunt.audit.checkpoints import checkpoint_all

EVERY = datetime.timedelta(hours=1)


def _waiting():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=audit_checkpoints.module_path, status="READY")


def schedule(now=None) -> bool:
    """Queue the next round ``EVERY`` from now unless one waits already (and
    drop any second waiting one). Returns whether it queued one."""
    now = now or timezone.now()
    waiting = list(_waiting().order_by("run_after", "enqueued_at").values_list("pk", flat=True))
    if waiting:
        _waiting().filter(pk__in=waiting[1:]).delete()
        return False
    audit_checkpoints.using(run_after=now + EVERY).enqueue()
    return True


@task()
def audit_checkpoints() -> int:
    made = len(checkpoint_all())
    schedule()
    return made
