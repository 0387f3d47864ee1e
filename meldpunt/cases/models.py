"""Cases: what a reporter submitted (melding) or staff registered (signaal).

Everything a reporter wrote, who they are and how to reach them, messages
and attachments are stored only encrypted under the case's own data key
(``meldpunt.crypto``). What stays readable is what the system needs to route,
count and keep deadlines: organisation, kind, channel, state, dates, the
reporter's relation to the organisation, and links to registry people.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from meldpunt.crypto import CaseKey
from meldpunt.organisations.models import Organisation
from meldpunt.registry.models import Person


class Kind(models.TextChoices):
    MELDING = "melding", _("Melding")
    SIGNAAL = "signaal", _("Signaal")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online formulier")
    TELEFOON = "telefoon", _("Telefoon")
    BRIEF = "brief", _("Brief")
    PERSOONLIJK = "persoonlijk", _("Persoonlijk gesprek")
    WAARNEMING = "waarneming", _("Eigen waarneming (signaal)")


class Relation(models.TextChoices):
    MEDEWERKER = "medewerker", _("Medewerker")
    OUD_MEDEWERKER = "oud_medewerker", _("Oud-medewerker")
    INWONER = "inwoner", _("Inwoner of burger")
    STUDENT = "student", _("Student")
    ONDERNEMER = "ondernemer", _("Ondernemer of bedrijf")
    INSPREKER = "inspreker", _("Inspreker bij een raadsvergadering")
    GETUIGE = "getuige", _("Getuige")
    ZEG_IK_LIEVER_NIET = "onbekend", _("Zeg ik liever niet")


class ContactContext(models.TextChoices):
    IN_PERSON = "persoonlijk", _("Persoonlijk")
    EMAIL = "email", _("E-mail")
    SOCIAL_MEDIA = "social_media", _("Sociale media")
    HULPVRAAG = "hulpvraag", _("Tijdens een hulpvraag of verzoek")
    RAADSVERGADERING = "raadsvergadering", _("Tijdens een raadsvergadering")
    WERK = "werk", _("Op het werk")
    TELEFOON = "telefoon", _("Telefoon of berichten-app")
    ANDERS = "anders", _("Anders")


class ToldBefore(models.TextChoices):
    NEE = "nee", _("Nee")
    JA = "ja", _("Ja")
    WEET_NIET = "weet_niet", _("Weet ik niet meer")


class Wish(models.TextChoices):
    GEHOORD = "gehoord", _("Gehoord worden")
    STEUN = "steun", _("Steun")
    ACTIE = "actie", _("Dat er iets gebeurt")
    VASTLEGGEN = "vastleggen", _("Alleen vastleggen")


class Behaviour(models.TextChoices):
    """Category of behaviour: the reporter's choice and the handler's
    assessment are kept apart (``Case.behaviour_reported`` and
    ``Case.behaviour_assessed``); the council figures count both."""

    SEKSUELE_INTIMIDATIE = "seksuele_intimidatie", _("Seksuele intimidatie")
    AGRESSIE_GEWELD = "agressie_geweld", _("Agressie en geweld")
    PESTEN = "pesten", _("Pesten")
    DISCRIMINATIE = "discriminatie", _("Discriminatie")
    MACHTSMISBRUIK = "machtsmisbruik", _("Machtsmisbruik")
    ANDERS = "anders", _("Anders")


class State(models.TextChoices):
    """The steps of a case, in order (the lifecycle table is ``cases.workflow``)."""

    ONTVANGEN = "ontvangen", _("Ontvangen")
    ONTVANGSTBEVESTIGD = "ontvangstbevestigd", _("Ontvangst bevestigd")
    BEOORDELING = "beoordeling", _("Beoordeling")
    ONDERZOEK = "onderzoek", _("Onderzoek")
    BESLUIT = "besluit", _("Besluit en maatregelen")
    TERUGKOPPELING = "terugkoppeling", _("Terugkoppeling aan de melder")
    NAZORG = "nazorg", _("Nazorg")
    AFGESLOTEN = "afgesloten", _("Afgesloten")
    INGETROKKEN = "ingetrokken", _("Ingetrokken")
    DOORVERWEZEN = "doorverwezen", _("Doorverwezen")


class Outcome(models.TextChoices):
    """How a case ended. The accused leaving is never an outcome (an event on the case)."""

    GEGROND = "gegrond", _("Gegrond")
    ONGEGROND = "ongegrond", _("Ongegrond")
    NIET_VAST_TE_STELLEN = "niet_vast_te_stellen", _("Niet vast te stellen")
    INGETROKKEN = "ingetrokken", _("Ingetrokken")
    DOORVERWEZEN = "doorverwezen", _("Doorverwezen")


class Investigation(models.TextChoices):
    INTERN = "intern", _("Intern onderzoek")
    EXTERN = "extern", _("Extern onderzoek")


# The properties the council figures split cases by (meldpunt.cijfers.figures).
FIGURES_DIMENSIONS = [
    "behaviour_reported",
    "behaviour_assessed",
    "relation",
    "accused_group",
    "channel",
    "outcome",
    "anonymous",
]
# What the council figures count of a case besides its organisation and
# receipt; kept in the figures index. The id too: the figures count it.
FIGURES_COLUMNS = [
    "id",
    "kind",
    *FIGURES_DIMENSIONS,
    "state",
    "acknowledged_at",
    "feedback_due",
    "feedback_given_at",
    "closed_at",
]


class Case(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(_("zaaknummer"), max_length=40)
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    channel = models.CharField(_("kanaal"), max_length=20, choices=Channel.choices)
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.ONTVANGEN)
    relation = models.CharField(_("relatie van de melder"), max_length=20, choices=Relation.choices)
    anonymous = models.BooleanField(_("anoniem"), default=True)
    wishes = models.JSONField(_("wensen"), default=list)
    received_at = models.DateTimeField(_("ontvangen"))
    acknowledged_at = models.DateTimeField(_("ontvangst bevestigd"), null=True)
    acknowledgement_due = models.DateTimeField(_("uiterste datum ontvangstbevestiging"))
    feedback_due = models.DateTimeField(_("uiterste datum terugkoppeling"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The handler who owns the case; None: the integrity office as a team,
    # until a handler picks it up (``cases.ownership``).
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_cases", verbose_name=_("eigenaar")
    )
    outcome = models.CharField(_("uitkomst"), max_length=30, choices=Outcome.choices, blank=True)
    investigation = models.CharField(_("onderzoek"), max_length=10, choices=Investigation.choices, blank=True)
    # When each deadline was met (``cases.deadlines``), set by the actions.
    first_contact_at = models.DateTimeField(_("eerste contact"), null=True, blank=True)
    assessed_at = models.DateTimeField(_("beoordeeld"), null=True, blank=True)
    feedback_given_at = models.DateTimeField(_("inhoudelijke terugkoppeling"), null=True, blank=True)
    aftercare_offered_at = models.DateTimeField(_("nazorg aangeboden"), null=True, blank=True)
    closed_at = models.DateTimeField(_("afgesloten"), null=True, blank=True)
    behaviour_reported = models.CharField(
        _("soort gedrag volgens de melder"), max_length=30, choices=Behaviour.choices, blank=True
    )
    behaviour_assessed = models.CharField(
        _("soort gedrag volgens de behandelaar"), max_length=30, choices=Behaviour.choices, blank=True
    )
    # A case that grew out of an earlier one: disadvantage (benadeling) reported after that report.
    follows_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("volgt op")
    )
    # Who reported, for pattern detection (meldpunt.cases.patterns.reporter_key):
    # a keyed hash of a named reporter's normalised identity, never the identity
    # itself; empty for an anonymous report and a signal, each its own source.
    reporter_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # The accused's group for the council figures (bestuurder, ambtenaar,
    # onbekend; ``cijfers.groups.accused_group``), written with every stored
    # routing decision (``protocol.service``) so the figures need no join.
    accused_group = models.CharField(max_length=20, blank=True, default="", editable=False)
    # The reporter asked, when withdrawing, that their identity be erased
    # (carried out by the retention rules; recorded here).
    erasure_requested_at = models.DateTimeField(_("verzoek identiteit wissen"), null=True, blank=True)

    # Receipt code: a look-up part (plain, unique per organisation) and an
    # argon2id hash of the secret part. See meldpunt.cases.receipts.
    receipt_lookup = models.CharField(max_length=12, null=True, blank=True)
    # Never empty (a database constraint): an empty hash must not be taken
    # for "no code", see receipts.secret_matches.
    receipt_hash = models.CharField(max_length=200)

    # The case's data key, wrapped by the key-encryption key.
    key_id = models.CharField(max_length=40)
    wrapped_key = models.BinaryField()
    # Encrypted JSON: the report text, period, contact context, earlier
    # signal, and the reporter's name and contact details.
    sealed_content = models.BinaryField()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="case_reference_unique"),
            models.UniqueConstraint(fields=["organisation", "receipt_lookup"], name="case_receipt_lookup_unique"),
            models.CheckConstraint(condition=~models.Q(receipt_hash=""), name="case_receipt_hash_not_blank"),
        ]
        indexes = [
            # The council figures: one organisation's cases of a period (meldpunt.cijfers.figures).
            # On PostgreSQL the index also holds every column the figures count, so
            # they are read from the index alone (an index-only scan), never from
            # the wide case rows with their sealed content.
            models.Index(fields=["organisation", "received_at"], include=FIGURES_COLUMNS, name="case_figures"),
        ]
        verbose_name = _("zaak")
        verbose_name_plural = _("zaken")

    def __str__(self):
        return self.reference

    @property
    def key_context(self) -> str:
        return f"case:{self.public_id}"

    @cached_property
    def key(self) -> CaseKey:
        return CaseKey.load(self.key_context, self.key_id, self.wrapped_key)

    @cached_property
    def content(self) -> dict:
        return self.key.open_json("content", self.sealed_content)

    def content_labels(self) -> dict:
        """Readable labels for the coded answers inside the sealed content."""
        content = self.content
        return {
            "contact_context": dict(ContactContext.choices).get(content.get("contact_context"), ""),
            "told_before": dict(ToldBefore.choices).get(content.get("told_before"), ""),
        }

    @cached_property
    def deadlines(self):
        """The reporter's deadlines and whether they are met (``cases.deadlines.status``).

        The case list sets this from its query annotations instead of asking per case."""
        from django.utils import timezone

        from meldpunt.cases import deadlines
        from meldpunt.cases.workflow import OPEN_STATES

        return deadlines.status(
            first_contact_due_at=self.acknowledgement_due,
            feedback_due_at=self.feedback_due,
            contacted=self.first_contact_at is not None,
            still_open=self.state in OPEN_STATES,
            now=timezone.now(),
        )

    def get_wishes_display(self) -> list[str]:
        labels = dict(Wish.choices)
        return [labels.get(w, w) for w in self.wishes]


class SubjectLink(models.Model):
    """Someone a case is about, or who was involved or saw it.

    Points to a registry person when the reporter picked one; otherwise the
    typed name and role are kept encrypted in ``sealed_description``.
    """

    class Role(models.TextChoices):
        BESCHULDIGDE = "beschuldigde", _("Gaat over deze persoon")
        BETROKKENE = "betrokkene", _("Was erbij betrokken of is getuige")

    class Origin(models.TextChoices):
        """How the link was made (meldpunt.cases.linking)."""

        MELDER = "melder", _("Gekozen door de melder")
        GETYPT = "getypt", _("Getypt door de melder, niet herkend")
        AUTOMATISCH = "automatisch", _("Getypt door de melder, automatisch herkend")
        BEVESTIGD = "bevestigd", _("Getypt door de melder, voorstel bevestigd")
        GECORRIGEERD = "gecorrigeerd", _("Gecorrigeerd door een behandelaar")
        BEHANDELAAR = "behandelaar", _("Toegevoegd door een behandelaar")
        VERMELD = "vermeld", _("Genoemd in de melding, bevestigd")

    # The links that hold the reporter's own words (the people the report named).
    FROM_REPORT = (Origin.MELDER, Origin.GETYPT, Origin.AUTOMATISCH, Origin.BEVESTIGD, Origin.GECORRIGEERD)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subjects")
    role = models.CharField(max_length=20, choices=Role.choices)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sealed_description = models.BinaryField(null=True, blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.BEHANDELAAR)
    # The resolver's score when it linked automatically (0-100).
    score = models.FloatField(null=True, blank=True)
    # Who confirmed or corrected the link, and when.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # A typed name that is nobody in the registry: a keyed hash of its
    # normalised form (meldpunt.cases.linking.outsider_key), never the name.
    outsider_key = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["role", "pk"]

    @property
    def from_report(self) -> bool:
        return self.origin in self.FROM_REPORT

    def description(self) -> dict:
        if self.sealed_description is None:
            return {}
        return self.case.key.open_json(f"subject:{self.public_id}", self.sealed_description)


class CaseEvent(models.Model):
    """One entry of the case's timeline: a step of the lifecycle, an internal
    note, a hearing of the accused, the accused leaving, a change of owner, a
    conversation with the reporter, an aftercare offer. Written only by
    ``cases.actions``, in the same transaction as the audit event. What a
    handler wrote (reasons, notes, summaries) is sealed under the case key."""

    class Kind(models.TextChoices):
        STEP = "step", _("Stap")
        NOTE = "note", _("Interne notitie")
        HEARING = "hearing", _("Hoor en wederhoor")
        ACCUSED_LEFT = "accused_left", _("Vertrek van de beschuldigde")
        OWNER = "owner", _("Eigenaar")
        CONVERSATION = "conversation", _("Gesprek met de melder")
        AFTERCARE = "aftercare", _("Nazorg aangeboden")
        ESCALATION = "escalation", _("Herinnering of escalatie")
        MEASURE = "measure", _("Maatregel")
        MINUTES = "minutes", _("Verslag")
        MEETING_REQUEST = "meeting_request", _("Verzoek om een gesprek")
        DISADVANTAGE = "disadvantage", _("Benadeling gemeld")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    staff_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # "melder", "system:...", or the staff actor label of ``audit.log.actor_for_user``.
    actor = models.CharField(max_length=150)
    step = models.CharField(max_length=30, blank=True)
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    # The registry person the event is about (the new owner, the accused who left).
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A date the handler gives (the hearing, the conversation, the day of leaving).
    occurred_on = models.DateField(null=True, blank=True)
    # Plain codes only (reason of leaving, kind of investigation, deadline kind); no report content.
    detail = models.JSONField(default=dict)
    sealed_text = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    @cached_property
    def sealed(self) -> dict:
        """What the handler wrote: ``text`` (the reason, note or summary) and,
        for some events, more (``referred_to``, ``heard_by``, ``held_by``)."""
        if self.sealed_text is None:
            return {}
        return self.case.key.open_json(f"event:{self.public_id}", self.sealed_text)

    @property
    def text(self) -> str:
        return self.sealed.get("text", "")


class SubjectProposal(models.Model):
    """A registry person who may be meant: by a typed name the resolver was not
    sure of, or by a name or role in the narrative. Never a link until a
    handler confirms it (meldpunt.cases.linking)."""

    class Source(models.TextChoices):
        GETYPT = "getypt", _("Getypte naam")
        VERMELDING = "vermelding", _("Genoemd in de beschrijving")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        BEVESTIGD = "bevestigd", _("Bevestigd")
        AFGEWEZEN = "afgewezen", _("Afgewezen")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proposals")
    # The typed name this proposal is for; empty for a mention in the narrative.
    link = models.ForeignKey(SubjectLink, null=True, blank=True, on_delete=models.CASCADE, related_name="proposals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=Source.choices)
    score = models.FloatField()
    # The resolver's explanation: registry facts only ("achternaam komt overeen; was wethouder Wonen op ...").
    explanation = models.CharField(max_length=500)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "link", "person"], name="proposal_once_per_link_and_person")
        ]


class Message(models.Model):
    class Author(models.TextChoices):
        MELDER = "melder", _("Melder")
        BEHANDELAAR = "behandelaar", _("Behandelaar")
        SYSTEEM = "systeem", _("Meldpunt")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=20, choices=Author.choices)
    staff_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    sent_at = models.DateTimeField()
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sealed_body = models.BinaryField()
    # The handler marked this message as the substantive feedback to the
    # reporter (what was done with the report): it meets the 3-month deadline.
    is_feedback = models.BooleanField(default=False)

    class Meta:
        ordering = ["sent_at", "pk"]

    @cached_property
    def body(self) -> str:
        return self.case.key.open_text(f"message:{self.public_id}", self.sealed_body)


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.CharField(max_length=20, choices=Message.Author.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sealed_name = models.BinaryField()
    sealed_data = models.BinaryField()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    @cached_property
    def filename(self) -> str:
        return self.case.key.open_text(f"attachment-name:{self.public_id}", self.sealed_name)

    def read(self) -> bytes:
        return self.case.key.open(f"attachment:{self.public_id}", self.sealed_data)


class CaseCounter(models.Model):
    """The last case number handed out per organisation and year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="case_counter_unique")]
