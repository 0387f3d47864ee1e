"""Background work of aftercare: once a day, the e-mails to named reporters
that a question waits in their inbox (``retaliation.queue_notices``), and
each e-mail as its own task. Without cron, like the escalation sweep
(``escalation.tasks``): the daily task queues its own next run; ``manage.py
aftercare --schedule`` starts the cycle (``make run`` does) and is safe to
call from any number of machines."""

import datetime

from django.utils import timezone
from django_tasks import task

EVERY = datetime.timedelta(hours=24)


def _waiting():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=aftercare_notices.module_path, status="READY")


def schedule(now=None) -> bool:
    """Queue the next daily run unless one waits already (and drop a second
    waiting one). Returns whether it queued one."""
    now = now or timezone.now()
    waiting = list(_waiting().order_by("run_after", "enqueued_at").values_list("pk", flat=True))
    if waiting:
        _waiting().filter(pk__in=waiting[1:]).delete()
        return False
    aftercare_notices.using(run_after=now + EVERY).enqueue()
    return True


@task()
def aftercare_notices() -> int:
    from meldpunt.nazorg.retaliation import queue_notices

    queued = queue_notices()
    schedule()
    return queued


@task()
def send_notice(notice_id: int) -> str:
    from meldpunt.nazorg.retaliation import send_one

    return send_one(notice_id)
