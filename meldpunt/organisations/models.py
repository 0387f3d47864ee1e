import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A municipality, province, water board or agency served by this installation.

    Every other record belongs to exactly one organisation and every query is
    scoped to one; the public pages live under ``/<slug>/``.
    """

    class Kind(models.TextChoices):
        GEMEENTE = "gemeente", _("Gemeente")
        PROVINCIE = "provincie", _("Provincie")
        WATERSCHAP = "waterschap", _("Waterschap")
        ORGANISATIE = "organisatie", _("Organisatie")

    slug = models.SlugField(unique=True)
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.GEMEENTE)
    integrity_office_name = models.CharField(_("naam integriteitsbureau"), max_length=200, default="Integriteitsbureau")
    integrity_office_email = models.EmailField(_("e-mail integriteitsbureau"), blank=True)
    support_text = models.TextField(
        _("steun en advies"),
        blank=True,
        help_text=_("Hoe een melder de vertrouwenspersoon en andere steun bereikt."),
    )
    support_text_en = models.TextField(
        _("steun en advies, in het Engels"),
        blank=True,
        help_text=_("Dezelfde tekst voor de Engelse pagina's. Leeg: de Nederlandse tekst."),
    )
    logo = models.CharField(
        _("logo"),
        max_length=200,
        blank=True,
        help_text=_(
            "Pad van het logo tussen de statische bestanden, bijvoorbeeld 'theme/logo.svg' "
            "(uit MELDPUNT_THEME_DIR). Leeg: alleen de naam."
        ),
    )
    external_oversight = models.TextField(
        _("extern adres"),
        blank=True,
        help_text=_("Bijvoorbeeld het adres van de Commissaris van de Koning, voor meldingen over de burgemeester."),
    )

    # Deadlines (``meldpunt.cases.deadlines``). The two the law sets can only be
    # made shorter; the protocol rules add the internal ones per category.
    acknowledgement_days = models.PositiveSmallIntegerField(
        _("dagen voor de ontvangstbevestiging"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text=_("Online meldingen worden direct bevestigd; dit geldt voor meldingen die u registreert. 1 tot 7."),
    )
    feedback_months = models.PositiveSmallIntegerField(
        _("maanden voor de inhoudelijke terugkoppeling"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("Na de ontvangstbevestiging; de wet staat ten hoogste 3 maanden toe."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("herinnering aan de eigenaar, dagen vóór een termijn"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    count_working_days = models.BooleanField(
        _("werkdagen tellen"),
        default=True,
        help_text=_(
            "Interne termijnen, herinneringen en escalaties tellen in werkdagen: zonder weekend en "
            "Nederlandse feestdagen. De wettelijke termijnen blijven kalenderdagen."
        ),
    )
    # A reporter's request for an in-person meeting is met "binnen redelijke
    # termijn" (Directive 2019/1937 art. 9(2), Wbk): this many days, counted
    # like the internal deadlines (meldpunt.verslagen).
    meeting_days = models.PositiveSmallIntegerField(
        _("gesprek op verzoek van de melder binnen (dagen)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Een verzoek van de melder om een persoonlijk gesprek. 1 tot 60."),
    )
    # Pattern detection (meldpunt.cases.patterns): an alert once this many
    # different reporters made reports or signals about one person.
    pattern_threshold = models.PositiveSmallIntegerField(
        _("patroon vanaf (aantal melders)"),
        default=2,
        validators=[MinValueValidator(2), MaxValueValidator(20)],
        help_text=_("Zoveel verschillende melders over dezelfde persoon geven een patroonsignaal. 2 tot 20."),
    )
    # A new value in the same transaction as every change to the registry
    # (meldpunt.registry.revision): what is derived from the registry is cached
    # per process under it. Random, not a counter: a rolled-back change or a
    # reused id never repeats an earlier revision.
    registry_revision = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self):
        return self.name

    @property
    def localised_support_text(self) -> str:
        """The support text in the page's language (English when there is one, else Dutch)."""
        if get_language() == "en" and self.support_text_en:
            return self.support_text_en
        return self.support_text
