"""Minutes (verslagen) of what a reporter told us orally, and their meeting requests.

A report made by phone or in a meeting is registered with minutes; so is
every later meeting with the reporter. The minutes are kept in versions:
each version is the whole text as a handler wrote it, sealed under the case
key, never changed afterwards. The reporter reads them in the inbox, proposes
corrections (sealed too) and approves a version; an approved version is
frozen, and a later version needs its own approval (Directive 2019/1937
art. 18(2) and (4): the reporter checks, corrects and agrees to the minutes).

A recording instead of (or beside) written minutes is an encrypted
``cases.Attachment``, stored only when the reporter's consent to recording is
recorded with it.

Everything here is written only by ``meldpunt.verslagen.actions``, in the
same transaction as its timeline entry and audit event.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from meldpunt.cases.models import Attachment, Case


class Minutes(models.Model):
    """The minutes of one conversation with the reporter."""

    class Occasion(models.TextChoices):
        REPORT = "melding", _("De melding zelf (telefonisch of in een gesprek)")
        MEETING = "gesprek", _("Een later gesprek met de melder")

    class Channel(models.TextChoices):
        TELEFOON = "telefoon", _("Telefoon")
        PERSOONLIJK = "persoonlijk", _("Persoonlijk gesprek")
        VIDEO = "video", _("Videogesprek")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="minutes")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occasion = models.CharField(max_length=10, choices=Occasion.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    held_on = models.DateField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The reporter agreed to the conversation being recorded (the day they said so);
    # a recording is stored only with it.
    recording_consent_on = models.DateField(null=True, blank=True)
    recording = models.OneToOneField(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="minutes_recording"
    )

    class Meta:
        ordering = ["held_on", "created_at", "pk"]
        verbose_name = _("verslag")
        verbose_name_plural = _("verslagen")
        constraints = [
            models.CheckConstraint(
                condition=Q(recording__isnull=True) | Q(recording_consent_on__isnull=False),
                name="minutes_recording_needs_consent",
            )
        ]

    @cached_property
    def ordered_versions(self) -> list["MinutesVersion"]:
        return list(self.versions.order_by("number"))

    @property
    def latest(self) -> "MinutesVersion | None":
        versions = self.ordered_versions
        return versions[-1] if versions else None

    @property
    def approved(self) -> "MinutesVersion | None":
        """The last version the reporter approved (an older one stays approved as what it was)."""
        approved = [v for v in self.ordered_versions if v.approved_at is not None]
        return approved[-1] if approved else None


class MinutesVersion(models.Model):
    """One version of the minutes: the whole text, never changed once written."""

    class ApprovedBy(models.TextChoices):
        INBOX = "postvak", _("Door de melder in het postvak")
        IN_PERSON = "persoonlijk", _("Door de melder mondeling of op papier, vastgelegd door een behandelaar")

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    written_at = models.DateTimeField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The text, sealed under the case key (associated data: "minutes:<public id>").
    sealed_text = models.BinaryField()
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.CharField(max_length=20, choices=ApprovedBy.choices, blank=True)
    # Approval given in person: on which day (who recorded it and how is sealed in ``sealed_approval``).
    approved_on = models.DateField(null=True, blank=True)
    sealed_approval = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["minutes", "number"]
        constraints = [models.UniqueConstraint(fields=["minutes", "number"], name="minutes_version_unique")]

    @property
    def case(self) -> Case:
        return self.minutes.case

    @cached_property
    def text(self) -> str:
        return self.case.key.open_text(f"minutes:{self.public_id}", self.sealed_text)

    @cached_property
    def approval(self) -> dict:
        """For an approval recorded by a handler: ``given_to`` (who heard it) and ``how``."""
        if self.sealed_approval is None:
            return {}
        return self.case.key.open_json(f"minutes-approval:{self.public_id}", self.sealed_approval)


class Correction(models.Model):
    """A correction the reporter proposed to one version of the minutes."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="corrections")
    version = models.ForeignKey(MinutesVersion, on_delete=models.CASCADE, related_name="corrections")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposed_at = models.DateTimeField()
    sealed_text = models.BinaryField()
    # The version the handler wrote in answer (None while it waits).
    answered_by = models.ForeignKey(
        MinutesVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )

    class Meta:
        ordering = ["proposed_at", "pk"]

    @cached_property
    def text(self) -> str:
        return self.minutes.case.key.open_text(f"minutes-correction:{self.public_id}", self.sealed_text)


class MeetingRequest(models.Model):
    """The reporter asked for an in-person meeting. A deadline for the handler
    (``cases.deadlines.MEETING``, one per request), met when the meeting took
    place and its minutes were recorded. One open request per case at a time."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meeting_requests")
    number = models.PositiveIntegerField()
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_at = models.DateTimeField()
    # The reporter's note on when they can (optional), sealed.
    sealed_note = models.BinaryField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    minutes = models.OneToOneField(
        Minutes, null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting_request"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="meeting_request_number_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(held_at__isnull=True), name="meeting_request_one_open"
            ),
        ]

    @cached_property
    def note(self) -> str:
        if self.sealed_note is None:
            return ""
        return self.case.key.open_text(f"meeting-request:{self.public_id}", self.sealed_note)
