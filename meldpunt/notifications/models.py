"""Notifications to staff: in the app and by e-mail. They never carry report
content: only the organisation, the case number, why you get it, and a link."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.cases.models import Case
from meldpunt.organisations.models import Organisation
from meldpunt.registry.models import Person


class Notification(models.Model):
    class Kind(models.TextChoices):
        ROUTED = "routed", _("Nieuwe zaak volgens het protocol")
        REROUTED = "rerouted", _("Zaak opnieuw ingedeeld")
        ADMIN_ALERT = "admin_alert", _("Protocol vond niemand")
        NEW_CASE = "new_case", _("Nieuwe zaak voor het integriteitsbureau")
        REPORTER_MESSAGE = "reporter_message", _("Nieuw bericht van de melder")
        REPORTER_ATTACHMENT = "reporter_attachment", _("Nieuw bericht met bijlage van de melder")
        WITHDRAWN = "withdrawn", _("Melding ingetrokken door de melder")
        UNREACHABLE = "unreachable", _("Notificatie niet te e-mailen")
        REMINDER = "reminder", _("Herinnering: een termijn nadert")
        ESCALATION = "escalation", _("Escalatie: een termijn is verstreken")
        ASSIGNED = "assigned", _("Zaak aan u toegewezen")
        BACK_TO_TEAM = "back_to_team", _("Zaak terug bij het team")
        PATTERN = "pattern", _("Meer zaken over dezelfde persoon")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    # A person (in the app, and by e-mail to their registry address), or the
    # integrity office's own address (``Organisation.integrity_office_email``,
    # e-mail only: ``to_office``, no person).
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    to_office = models.BooleanField(default=False)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # A worker that is about to send the e-mail claims the notification until
    # ``claimed_until`` (a lease), commits, sends outside any transaction, and
    # marks it sent only if its ``claim_token`` still stands. A worker that
    # dies mid-send leaves a claim that simply runs out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    # Waits for the recipient's digest e-mail: they had an e-mail from
    # Meldpunt less than EMAIL_DIGEST_MINUTES ago (``service.send_digest``).
    bundled = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, to_office=False)
                | models.Q(person__isnull=True, to_office=True),
                name="notification_person_or_office",
            )
        ]


class CaseAttention(models.Model):
    """The reporter did something on a case (wrote, sent a file, withdrew)
    that no handler has seen yet: the "nieuw bericht" marker on the case list.
    Set by ``service.reporter_activity`` in the reporter's transaction; gone
    when a handler opens the case (``service.case_opened``)."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Nieuw bericht")
        ATTACHMENT = "attachment", _("Nieuw bericht met bijlage")
        WITHDRAWN = "withdrawn", _("Ingetrokken door de melder")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="attention")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    since = models.DateTimeField()
