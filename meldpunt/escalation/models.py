"""The deadlines of every case as stored rows, so that the sweep finds what is
due with one indexed range query, however many cases are open.

``DueDate.next_action_at`` is the next moment the sweep has something to do
for a deadline (remind the owner, escalate, escalate again); it is None once
the deadline is met or the case is no longer open, and the partial index
holds only the rows that still wait. The rows are rewritten from the pure
rules in ``meldpunt.cases.deadlines`` by ``service.refresh`` in the same
transaction as every change to a case that moves a deadline.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.cases import deadlines
from meldpunt.cases.models import Case
from meldpunt.registry.models import Person, Position

KIND_CHOICES = [
    (deadlines.ACKNOWLEDGEMENT, _("Ontvangstbevestiging")),
    (deadlines.FIRST_CONTACT, _("Eerste contact met de melder")),
    (deadlines.ASSESSMENT, _("Beoordeling")),
    (deadlines.FEEDBACK, _("Inhoudelijke terugkoppeling aan de melder")),
    (deadlines.MEETING, _("Gesprek op verzoek van de melder")),
]


class DueDate(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="due_dates")
    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    next_action_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Escalation rounds sent so far (each one an ``Escalation`` row).
    escalations = models.PositiveIntegerField(default=0)
    # Which one of its kind: a case has one deadline per meeting request
    # (``deadlines.MEETING``, numbered from 1); 0 for the other kinds.
    occurrence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "kind", "occurrence"], name="due_date_unique")]
        indexes = [
            models.Index(
                fields=["next_action_at"], name="due_date_waiting", condition=models.Q(next_action_at__isnull=False)
            )
        ]


class Escalation(models.Model):
    """One reminder (round 0) or escalation (round 1, 2, ...) that was sent for a
    deadline. The unique round makes the sweep idempotent: a second run, or a
    second worker, cannot store the same round again."""

    due_date = models.ForeignKey(DueDate, on_delete=models.CASCADE, related_name="sent")
    round = models.PositiveIntegerField()
    sent_at = models.DateTimeField()
    # The registry people it went to (ids), and whether the external address got it.
    recipients = models.JSONField(default=list)
    external = models.BooleanField(default=False)
    # The external address (``Organisation.external_oversight``) as it was when
    # sent, and when its e-mail went out (``external.send_external_email``).
    external_address = models.CharField(max_length=254, blank=True)
    external_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["due_date", "round"], name="escalation_round_unique")]


class EscalationRecipient(models.Model):
    """Whom an escalation reached, and through which position: they may open
    the case while they hold that position (``cases.access``), as a protocol
    recipient may; being named in the case, a conflict or a rule exclusion
    still keeps them out. Written only by ``escalation.sweep``."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="reached")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalation_recipients")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    position = models.ForeignKey(Position, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["person", "case"], name="escalation_recipient_person")]
