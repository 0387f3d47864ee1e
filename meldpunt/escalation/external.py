"""E-mail to the external address (``Organisation.external_oversight``, e.g.
the Commissaris van de Koning for a case about the burgemeester): by e-mail
only, without report content and without a link (they have no login).

The e-mail task claims the escalation row under a lock, sends, and marks it
sent in the same transaction: a second task or a second worker finds it sent.
A failed send is tried again later, like the notification e-mails.
"""

import datetime
import logging
import re

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

logger = logging.getLogger(__name__)

_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def external_address(text: str) -> str:
    """The first e-mail address in the organisation's external address text, or ''."""
    found = _ADDRESS.search(text or "")
    return found.group(0)[:254] if found else ""


def external_email_text(escalation) -> tuple[str, str]:
    case = escalation.due_date.case
    organisation = case.organisation
    office = organisation.integrity_office_name
    if organisation.integrity_office_email:
        office += f" ({organisation.integrity_office_email})"
    subject = _("%(org)s – Meldpunt: escalatie zaak %(ref)s") % {"org": organisation.name, "ref": case.reference}
    body = _(
        "Escalatie van een integriteitsmelding.\n\nWaarom u dit krijgt: %(reason)s\n\n"
        "Het integriteitsprotocol van %(org)s noemt u als extern adres voor deze zaak. "
        "Neem voor de zaak contact op met %(office)s en noem het zaaknummer.\n\n"
        "Dit bericht bevat bewust geen inhoud van de melding. Stuur het niet door."
    ) % {"reason": _reason(escalation), "org": organisation.name, "office": office}
    return subject, organisation.name + "\n\n" + body


def _reason(escalation) -> str:
    from meldpunt.escalation.sweep import reason_for

    row = escalation.due_date
    return reason_for(row.case.reference, row.kind, row.due_at, escalation.sent_at, escalation.round)


RETRY_DELAYS = (30, 120, 600, 1800, 3600, 6 * 3600)


@task()
def send_external_email(escalation_id: int, attempt: int = 1) -> str:
    from django.conf import settings

    from meldpunt.escalation.models import Escalation

    try:
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            escalation = (
                Escalation.objects.select_for_update(of=("self",))
                .select_related("due_date__case__organisation")
                .filter(pk=escalation_id)
                .first()
            )
            if escalation is None or escalation.external_emailed_at is not None:
                return "already sent"
            if not escalation.external_address:
                return "no address"
            subject, body = external_email_text(escalation)
            EmailMessage(
                subject, body, to=[escalation.external_address], headers={"X-Meldpunt-Escalation": str(escalation.pk)}
            ).send()
            escalation.external_emailed_at = timezone.now()
            escalation.save(update_fields=["external_emailed_at"])
    except Exception:
        if attempt > len(RETRY_DELAYS):
            raise
        delay = RETRY_DELAYS[attempt - 1]
        send_external_email.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(
            escalation_id, attempt + 1
        )
        logger.warning(
            "escalation %s: external e-mail failed (attempt %s), again in %ss", escalation_id, attempt, delay
        )
        return "retry"
    return "sent"
