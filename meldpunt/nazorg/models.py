"""Aftercare (nazorg): the support an organisation offers reporters, every
offer made on a case and the reporter's answer, and the check for
disadvantage (benadeling) after closure.

The list of support options is configuration, readable (a name and contact
text per option, in Dutch and English). What a reporter writes back is
sealed under the case key; which options they chose are plain codes, like
the wishes of a report.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from meldpunt.cases.models import Case, CaseEvent
from meldpunt.organisations.models import Organisation

RETALIATION_CHECK_MONTHS = 3


class SupportOption(models.Model):
    """One kind of support a reporter can turn to, with how to reach it.
    Never deleted once offered (an offer names it): switched off instead."""

    class Kind(models.TextChoices):
        VERTROUWENSPERSOON = "vertrouwenspersoon", _("Vertrouwenspersoon")
        BEDRIJFSMAATSCHAPPELIJK_WERK = "bmw", _("Bedrijfsmaatschappelijk werk")
        EXTERN = "extern", _("Externe begeleiding of counseling")
        ANDERS = "anders", _("Andere steun")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="support_options")
    kind = models.CharField(_("soort"), max_length=30, choices=Kind.choices, default=Kind.ANDERS)
    name = models.CharField(_("naam"), max_length=120)
    name_en = models.CharField(_("naam, in het Engels"), max_length=120, blank=True)
    contact = models.TextField(_("hoe de melder deze steun bereikt"), max_length=2000)
    contact_en = models.TextField(_("hoe de melder deze steun bereikt, in het Engels"), max_length=2000, blank=True)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=10)
    active = models.BooleanField(_("aanbieden"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("steunaanbod")

    def __str__(self):
        return self.name

    @property
    def localised_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name

    @property
    def localised_contact(self) -> str:
        return self.contact_en if get_language() == "en" and self.contact_en else self.contact


class AftercareSettings(models.Model):
    """Per organisation: how long after closure the inbox asks about disadvantage."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="aftercare_settings")
    retaliation_check_months = models.PositiveSmallIntegerField(
        _("vraag naar benadeling, maanden na afsluiten"),
        default=RETALIATION_CHECK_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )


class SupportOffer(models.Model):
    """Support offered on a case: at intake (automatically, with the receipt),
    or at closure (by a handler: through the inbox, or in a conversation
    with a reporter who does not use it). The closing step needs a closure
    offer (``nazorg.support.offered_for_closure``)."""

    class Moment(models.TextChoices):
        INTAKE = "intake", _("Bij de melding")
        CLOSURE = "closure", _("Bij het afsluiten")

    class Via(models.TextChoices):
        INBOX = "inbox", _("In het postvak")
        HANDLER = "handler", _("Door de behandelaar vastgelegd")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_offers")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField()
    moment = models.CharField(max_length=10, choices=Moment.choices)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.INBOX)
    # What was offered, as it was named then: [{"id": option id, "name": ...}].
    options = models.JSONField(default=list)
    staff_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # The timeline entry of a handler's offer ("Nazorg aangeboden").
    event = models.OneToOneField(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "pk"]


class SupportAnswer(models.Model):
    """The reporter's answer to one offer: which support they want (none is an
    answer too), and a free text sealed under the case key. One per offer."""

    offer = models.OneToOneField(SupportOffer, on_delete=models.CASCADE, related_name="answer")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_answers")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField()
    # Option ids the reporter wants; empty: no support wanted.
    wanted = models.JSONField(default=list)
    sealed_text = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    @cached_property
    def text(self) -> str:
        if self.sealed_text is None:
            return ""
        return self.case.key.open_text(f"support-answer:{self.public_id}", self.sealed_text)

    def wanted_names(self) -> list[str]:
        names = {o["id"]: o["name"] for o in self.offer.options}
        return [names.get(pk, "?") for pk in self.wanted]


class DisadvantageAnswer(models.Model):
    """The reporter's answer about disadvantage (benadeling): to the question
    asked after a closure (``closed_at`` is that closure; once per closure), or
    reported from the inbox at any time (``closed_at`` empty). "Ja" opens a
    new case that follows from this one (``follow_up``)."""

    class Answer(models.TextChoices):
        JA = "ja", _("Ja")
        NEE = "nee", _("Nee")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disadvantage_answers")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=3, choices=Answer.choices)
    follow_up = models.OneToOneField(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "closed_at"],
                condition=models.Q(closed_at__isnull=False),
                name="disadvantage_answer_once_per_closure",
            )
        ]


class ReporterNotice(models.Model):
    """The e-mail to a named reporter who left an address: a question waits in
    the inbox (no content). One per case and closure; ``sent_at`` empty while
    it waits for the worker, ``no_address`` when there was nobody to tell."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    closed_at = models.DateTimeField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    no_address = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "closed_at"], name="reporter_notice_once_per_closure")]
