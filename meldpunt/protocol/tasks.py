"""Access follows the calendar too: a daily run of the access sync.

Registry changes route every case at once (``meldpunt.registry.actions``).
What no write announces is a date passing: an appointment that starts or ends
on a planned day. An appointment that has ended stops giving access by itself
(``meldpunt.cases.access`` checks the recipient's position on every request);
this task gives the new holder of a position the cases the protocol now sends
them, and tells them about the open ones. It runs shortly after midnight and
schedules its next run; ``manage.py sync_access --schedule`` starts the cycle
(``make run`` does), and a worker that was down catches up on start.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from meldpunt.organisations.models import Organisation
from meldpunt.protocol.service import REGISTRY_CHANGED, sync_organisation

DAILY_AT = datetime.time(0, 5)


def sync_all(*, actor: str = "system:daily") -> int:
    """Route every case of every organisation again; returns how many changed."""
    changed = 0
    for organisation in Organisation.objects.order_by("pk"):
        with transaction.atomic():
            changed += sync_organisation(organisation, trigger=REGISTRY_CHANGED, actor=actor)
    return changed


def next_run(now: datetime.datetime) -> datetime.datetime:
    """Five past midnight after ``now``, local time."""
    local = timezone.localtime(now)
    tomorrow = local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, DAILY_AT), local.tzinfo)


def schedule() -> bool:
    """Queue the next daily run unless one is already waiting. Returns whether it queued one."""
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=daily_access_sync.module_path, status="READY").exists():
        return False
    daily_access_sync.using(run_after=next_run(timezone.now())).enqueue()
    return True


@task()
def daily_access_sync() -> int:
    changed = sync_all()
    schedule()
    return changed
