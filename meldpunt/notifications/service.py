"""Creating notifications and getting them out.

A notification row and the background task that e-mails it are written in
the same transaction as the change that caused them (django-tasks with the
database backend), so either both exist or neither does. Any number of
``db_worker`` processes can run the tasks. ``send_email`` claims a
notification in a short transaction, sends with no transaction open (so a
slow mail server holds no lock that a submission waits for), then marks it
sent. A failed send (mail server down) is tried again later by a new
deferred task, so a notification is not lost to a hiccup. The delivery
guarantee is at least once; see ``send_email``.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from meldpunt.notifications.models import Notification

logger = logging.getLogger(__name__)

# Seconds to wait before each new attempt after a failed send; after the
# last one the task fails and stays visible in the task results.
RETRY_DELAYS = (30, 120, 600, 1800, 3600, 6 * 3600)


def notify(person_id: int, organisation, case, kind: str, reason: str) -> Notification:
    notification = Notification.objects.create(
        organisation=organisation,
        person_id=person_id,
        case=case,
        kind=kind,
        reason=reason[:500],
        created_at=timezone.now(),
    )
    send_email.enqueue(notification.pk)
    return notification


def email_text(notification: Notification) -> tuple[str, str]:
    organisation = notification.organisation
    heading = organisation.name
    if notification.case is not None:
        heading += " – " + _("zaak %(ref)s") % {"ref": notification.case.reference}
        link = settings.BASE_URL + reverse("behandelen:case", args=[notification.case.reference])
        subject = _("%(org)s – Meldpunt: zaak %(ref)s") % {"org": organisation.name, "ref": notification.case.reference}
    else:
        link = settings.BASE_URL + reverse("behandelen:notifications")
        subject = _("%(org)s – Meldpunt: actie nodig") % {"org": organisation.name}
    body = _(
        "%(kind)s.\n\nWaarom u dit krijgt: %(reason)s\n\nOpen de zaak (inloggen met tweede factor): %(link)s\n\n"
        "Dit bericht bevat bewust geen inhoud van de melding. Stuur het niet door."
    ) % {"kind": notification.get_kind_display(), "reason": notification.reason, "link": link}
    return subject, heading + "\n\n" + body


def still_allowed(notification: Notification) -> bool:
    """Whether the recipient may open the case right now: the full access rule
    (handler today, or a recipient who still holds the position that reached
    them, and not excluded), checked again right before every send."""
    from meldpunt.cases.access import may_open

    return may_open(notification.person, notification.case)


def claim_lease() -> datetime.timedelta:
    """How long a claim lasts: long enough for the slowest send (an SMTP
    conversation is several steps, each allowed ``EMAIL_TIMEOUT``), short
    enough that a dead worker's notification is sent by the next
    ``resend_notifications`` run (default: older than 15 minutes)."""
    return datetime.timedelta(seconds=max(300, 10 * settings.EMAIL_TIMEOUT))


def _claim(notification_id: int) -> tuple[Notification, str] | str:
    """In one short transaction: check the notification still needs its
    e-mail and claim it for this worker. Returns the notification and the
    claim token, or why there is nothing to send."""
    now = timezone.now()
    with transaction.atomic():
        # Lock only the notification row: the case is an outer join (admin
        # alerts have none), which PostgreSQL refuses to lock.
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("person", "organisation", "case")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return "already sent"
        if notification.claimed_until is not None and notification.claimed_until > now:
            # Another worker is sending it right now; if that worker dies, its
            # claim runs out and ``requeue_unsent`` queues the e-mail again.
            return "being sent"
        if not notification.person.email:
            return "no address"
        if notification.case is not None and not still_allowed(notification):
            # Since it was queued the person left the position that reached
            # them, or a re-classification excluded them.
            return "recipient excluded"
        token = uuid.uuid4().hex
        notification.claimed_until = now + claim_lease()
        notification.claim_token = token
        notification.save(update_fields=["claimed_until", "claim_token"])
    return notification, token


def _release(notification_ids: list[int], token: str) -> None:
    Notification.objects.filter(pk__in=notification_ids, claim_token=token, emailed_at__isnull=True).update(
        claimed_until=None, claim_token=""
    )


def _mark_sent(notification_ids: list[int], token: str) -> int:
    """Mark the claimed notifications sent; only while this worker's claim stands."""
    return Notification.objects.filter(pk__in=notification_ids, claim_token=token).update(
        emailed_at=timezone.now(), claimed_until=None, claim_token=""
    )


@task()
def send_email(notification_id: int, attempt: int = 1) -> str:
    """E-mail one notification: claim it (short transaction, committed), send
    with no transaction open and no lock held, then mark it sent.

    Delivery is at least once: a worker that dies, or whose database goes
    away, after the mail server accepted the message and before the mark is
    committed leaves a claim that runs out (``claim_lease``), after which the
    e-mail is sent again. Outside that window each notification is e-mailed
    once, however many workers or duplicate tasks there are.
    """
    claimed = _claim(notification_id)
    if isinstance(claimed, str):
        return claimed
    notification, token = claimed
    subject, body = email_text(notification)
    message = EmailMessage(
        subject,
        body,
        to=[notification.person.email],
        headers={"X-Meldpunt-Notification": str(notification.pk)},
    )
    try:
        message.send()
    except Exception:
        if attempt > len(RETRY_DELAYS):
            # The task fails and stays visible; ``requeue_unsent`` picks it up later.
            _release([notification_id], token)
            raise
        delay = RETRY_DELAYS[attempt - 1]
        with transaction.atomic():
            _release([notification_id], token)
            send_email.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(
                notification_id, attempt + 1
            )
        logger.warning(
            "notification %s: sending failed (attempt %s), trying again in %ss", notification_id, attempt, delay
        )
        return "retry"
    if not _mark_sent([notification_id], token):
        logger.warning("notification %s: sent after its claim ran out; it may be sent twice", notification_id)
    return "sent"


def requeue_unsent(older_than: datetime.timedelta) -> list[int]:
    """Queue a new e-mail task for every notification that should have gone out but has
    no live task: its worker died mid-send (the task stays RUNNING and its claim runs
    out), or every retry failed. A notification whose claim still stands is left alone.

    Safe to run at any time and from several machines: a second task for a notification
    that is sent, or being sent, sends nothing.
    Returns the notification ids queued again.
    """
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - older_than
    unsent = set(
        Notification.objects.filter(emailed_at__isnull=True, created_at__lte=cutoff)
        .exclude(person__email="")
        .exclude(claimed_until__gt=timezone.now())
        .values_list("pk", flat=True)
    )
    if not unsent:
        return []
    live = DBTaskResult.objects.filter(task_path=send_email.module_path).filter(
        Q(status="READY") | Q(status="RUNNING", started_at__gt=cutoff)
    )
    pending = {row["args"][0] for row in live.values_list("args_kwargs", flat=True) if row.get("args")}
    candidates = Notification.objects.filter(pk__in=unsent - pending).select_related("person")
    # A recipient excluded since (re-classification) is never e-mailed; do not keep queuing them.
    queued = sorted(n.pk for n in candidates if n.case_id is None or still_allowed(n))
    for notification_id in queued:
        send_email.enqueue(notification_id)
    if queued:
        logger.warning("queued %s unsent notification e-mail(s) again", len(queued))
    return queued
