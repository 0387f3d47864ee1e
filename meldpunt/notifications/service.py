"""Creating notifications and getting them out.

A notification row and the background task that e-mails it are written in
the same transaction as the change that caused them (django-tasks with the
database backend), so either both exist or neither does; any number of
``db_worker`` processes can run the tasks, and ``send_email`` sends each
notification at most once.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from meldpunt.notifications.models import Notification


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
    if notification.case is not None:
        link = settings.BASE_URL + reverse("behandelen:case", args=[notification.case.reference])
        subject = _("%(org)s – Meldpunt: zaak %(ref)s") % {"org": organisation.name, "ref": notification.case.reference}
    else:
        link = settings.BASE_URL + reverse("behandelen:notifications")
        subject = _("%(org)s – Meldpunt: actie nodig") % {"org": organisation.name}
    body = _(
        "%(kind)s.\n\nWaarom u dit krijgt: %(reason)s\n\nOpen de zaak (inloggen met tweede factor): %(link)s\n\n"
        "Dit bericht bevat bewust geen inhoud van de melding. Stuur het niet door."
    ) % {"kind": notification.get_kind_display(), "reason": notification.reason, "link": link}
    return subject, body


@task()
def send_email(notification_id: int) -> str:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("person", "organisation", "case")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return "already sent"
        if not notification.person.email:
            return "no address"
        subject, body = email_text(notification)
        send_mail(subject, body, None, [notification.person.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return "sent"
