"""The measures register: what was decided in a case and whom it burdens.

A measure (maatregel) is a decision taken because of a case: a talk with the
accused, a warning, keeping the parties apart, moving someone, other duties,
a suspension, an investigation. It is recorded with whom it burdens, because
the seed's failure was that the reporters were "kept away from him as the
solution". A measure that burdens the reporter needs a written justification
and the reporter's recorded consent; until they consent it is only proposed
(``State.VOORGESTELD``), never taken. The rules are in
``meldpunt.maatregelen.rules``; this module only stores.

What a handler or the reporter wrote (the reason, the justification, a
decision maker outside the registry, the reporter's remark, who held the
consent conversation) is sealed under the case key. What stays readable is
what oversight counts: kind, whom it burdens, state and dates.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from meldpunt.cases.models import Case
from meldpunt.registry.models import Person


class Measure(models.Model):
    class Kind(models.TextChoices):
        GESPREK = "gesprek", _("Gesprek")
        WAARSCHUWING = "waarschuwing", _("Waarschuwing")
        PARTIJEN_SCHEIDEN = "partijen_scheiden", _("Partijen scheiden")
        OVERPLAATSING = "overplaatsing", _("Overplaatsing")
        ANDERE_TAKEN = "andere_taken", _("Andere taken")
        SCHORSING = "schorsing", _("Schorsing")
        ONDERZOEK = "onderzoek", _("Onderzoek")
        ANDERS = "anders", _("Anders")

    class Burden(models.TextChoices):
        BESCHULDIGDE = "beschuldigde", _("De beschuldigde")
        MELDER = "melder", _("De melder")
        ORGANISATIE = "organisatie", _("De organisatie")
        ANDERS = "anders", _("Iemand anders")

    class State(models.TextChoices):
        VOORGESTELD = "voorgesteld", _("Voorgesteld")
        GENOMEN = "genomen", _("Genomen")
        # Never took effect: the reporter did not agree, or the proposal was withdrawn.
        VERVALLEN = "vervallen", _("Vervallen")

    class Consent(models.TextChoices):
        AKKOORD = "akkoord", _("Akkoord")
        NIET_AKKOORD = "niet_akkoord", _("Niet akkoord")

    class ConsentVia(models.TextChoices):
        POSTVAK = "postvak", _("Via het postvak")
        GESPREK = "gesprek", _("In een gesprek")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("soort maatregel"), max_length=30, choices=Kind.choices)
    burdens = models.CharField(_("belast"), max_length=20, choices=Burden.choices)
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.VOORGESTELD)
    decided_on = models.DateField(_("datum van het besluit"))
    # Who decides: a registry person (the handler, the burgemeester for a
    # bestuurder case); someone outside the registry is named in the sealed text.
    decision_maker = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("besluit door")
    )
    # Sealed JSON under the case key: reason, justification, decision_maker (a name outside the registry).
    sealed_text = models.BinaryField()

    # The reporter's consent, for a measure that burdens them.
    consent = models.CharField(_("instemming van de melder"), max_length=20, choices=Consent.choices, blank=True)
    consent_via = models.CharField(_("instemming gegeven"), max_length=20, choices=ConsentVia.choices, blank=True)
    consent_at = models.DateTimeField(_("instemming vastgelegd"), null=True, blank=True)
    # For consent given in a conversation: its date; who held it is sealed (``held_by``).
    consent_conversation_on = models.DateField(_("datum van het gesprek"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Sealed JSON under the case key: the reporter's remark, who held the conversation.
    sealed_consent = models.BinaryField(null=True, blank=True)

    created_at = models.DateTimeField(_("vastgelegd"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(_("genomen"), null=True, blank=True)
    lapsed_at = models.DateTimeField(_("vervallen"), null=True, blank=True)

    class Meta:
        ordering = ["decided_on", "created_at", "pk"]
        indexes = [models.Index(fields=["case", "burdens", "state"], name="measure_case_burden_state")]
        constraints = [
            # The register's one promise, also in the database: a measure that
            # burdens the reporter is taken only with their consent.
            models.CheckConstraint(
                condition=~Q(state="genomen", burdens="melder") | Q(consent="akkoord"),
                name="measure_burdening_reporter_needs_consent",
            ),
            models.CheckConstraint(
                condition=Q(consent="", consent_via="", consent_at__isnull=True)
                | (~Q(consent="") & ~Q(consent_via="") & Q(consent_at__isnull=False)),
                name="measure_consent_complete",
            ),
            models.CheckConstraint(
                condition=~Q(state="genomen") | Q(taken_at__isnull=False), name="measure_taken_has_time"
            ),
        ]
        verbose_name = _("maatregel")
        verbose_name_plural = _("maatregelen")

    def __str__(self):
        return f"{self.case_id}: {self.kind} ({self.state})"

    @property
    def burdens_reporter(self) -> bool:
        return self.burdens == self.Burden.MELDER

    @cached_property
    def sealed(self) -> dict:
        """``reason``, ``justification`` and ``decision_maker`` (a name outside the registry)."""
        return self.case.key.open_json(f"measure:{self.public_id}", self.sealed_text)

    @cached_property
    def consent_sealed(self) -> dict:
        """``remark`` (the reporter's) and ``held_by`` (for a consent conversation)."""
        if not self.sealed_consent:
            return {}
        return self.case.key.open_json(f"measure-consent:{self.public_id}", self.sealed_consent)
