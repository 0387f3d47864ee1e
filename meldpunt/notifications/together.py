"""Notifications written together (``written_together``): a block whose
notifications, with their e-mail tasks, are kept and written at its end in
one insert each (``meldpunt.notifications.service`` creates them)."""

import contextlib
from contextvars import ContextVar

from meldpunt.notifications.models import Notification

# Inside ``written_together()`` the notifications of the block are kept here
# and written at its end; and the primary key of the case the block creates.
_kept: ContextVar[list | None] = ContextVar("kept_notifications", default=None)
_new_case: ContextVar[int | None] = ContextVar("new_case", default=None)


def kept_notifications() -> list[Notification] | tuple:
    """The notifications kept by the ``written_together`` block around the caller (none outside one)."""
    return _kept.get() or ()


def is_new_case(case) -> bool:
    """Whether ``case`` is the one the ``written_together(new_case=...)`` block
    around the caller creates: no notification about it is in the database yet."""
    return case is not None and case.pk is not None and _new_case.get() == case.pk


@contextlib.contextmanager
def written_together(new_case=None):
    """Keep every notification made inside the block, with its e-mail task, and
    write them all at its end: one insert for the rows and one for the tasks,
    in the caller's transaction (``submit_report``: a new case's five or so
    notifications are two statements, not ten). Whatever the block asks about
    earlier notifications (``already_told``, the office's pending e-mail, an
    admin's unread alert) sees the kept ones too; about ``new_case``, the
    case the block creates, it reads only those. When the block raises,
    nothing is written."""
    kept: list[Notification] = []
    token, case_token = _kept.set(kept), _new_case.set(new_case.pk if new_case is not None else None)
    try:
        yield
    finally:
        _kept.reset(token)
        _new_case.reset(case_token)
    if kept:
        Notification.objects.bulk_create(kept)
        queue_emails(kept)


def store(notification: Notification) -> Notification:
    """Write ``notification`` and queue its e-mail, or keep both for the end of ``written_together``."""
    from meldpunt.notifications.service import send_email

    kept = _kept.get()
    if kept is not None:
        kept.append(notification)
        return notification
    notification.save()
    send_email.enqueue(notification.pk)
    return notification


def queue_emails(notifications: list[Notification]) -> None:
    """``send_email.enqueue(pk)`` for each notification. With django-tasks'
    database backend (the one Meldpunt runs) the task rows are written in one
    insert, built as that backend builds them one at a time
    (``tests/test_notification_batch.py`` compares the two rows)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import normalize_json, task_enqueued
    from django_tasks_db.models import DBTaskResult, get_date_max

    from meldpunt.notifications.service import send_email

    backend = send_email.get_backend()
    if not isinstance(backend, DatabaseBackend) or len(notifications) < 2:
        for notification in notifications:
            send_email.enqueue(notification.pk)
        return
    backend.validate_task(send_email)
    rows = DBTaskResult.objects.bulk_create(
        DBTaskResult(
            id=backend._get_id(),
            args_kwargs=normalize_json({"args": [notification.pk], "kwargs": {}}),
            priority=send_email.priority,
            task_path=send_email.module_path,
            queue_name=send_email.queue_name,
            # What the backend's pre_save handler sets (bulk_create sends no signals).
            run_after=send_email.run_after or get_date_max(),
            backend_name=backend.alias,
        )
        for notification in notifications
    )
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)


def already_told(case, kind: str | None = None) -> set[int]:
    """The people who have a notification about ``case`` (of ``kind``), written or
    kept by ``written_together``."""
    kept = {
        n.person_id
        for n in kept_notifications()
        if n.person_id is not None and n.case_id == case.pk and (kind is None or n.kind == kind)
    }
    if is_new_case(case):
        return kept
    written = Notification.objects.filter(case=case, person__isnull=False)
    if kind is not None:
        written = written.filter(kind=kind)
    return kept | set(written.values_list("person_id", flat=True))
