"""The registry: who holds which office in an organisation, and when.

A ``Position`` is an office or job (wethouder Wonen, manager Vergunningen);
an ``Appointment`` says which ``Person`` held it from when to when. Reporting
lines and deputies belong to positions, so they survive a change of holder.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldpunt.organisations.models import Organisation
from meldpunt.registry import portfolios


class Category(models.TextChoices):
    BURGEMEESTER = "burgemeester", _("Burgemeester")
    WETHOUDER = "wethouder", _("Wethouder")
    RAADSLID = "raadslid", _("Raadslid")
    GRIFFIER = "griffier", _("Griffier")
    GEMEENTESECRETARIS = "gemeentesecretaris", _("Gemeentesecretaris")
    DIRECTEUR = "directeur", _("Directeur")
    MANAGER = "manager", _("Manager")
    MEDEWERKER = "medewerker", _("Medewerker")
    BEHANDELAAR = "behandelaar", _("Behandelaar integriteitsbureau")
    VERTROUWENSPERSOON = "vertrouwenspersoon", _("Vertrouwenspersoon")
    FUNCTIONEEL_BEHEERDER = "functioneel_beheerder", _("Functioneel beheerder")
    # Reads the audit trail, never report content (docs/security.md).
    AUDITOR = "auditor", _("Auditor")


# Political office holders ("bestuurders").
BESTUURDERS = {Category.BURGEMEESTER, Category.WETHOUDER, Category.RAADSLID}


def today() -> datetime.date:
    return timezone.localdate()


def lines(text: str) -> tuple[str, ...]:
    """The non-empty lines of a one-per-line field (aliases, addresses, handles)."""
    if not text:
        return ()
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


class Person(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    name = models.CharField(_("naam"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    # How the person is called, for finding them in what reporters write
    # (meldpunt.registry.resolve). All optional; the name above is what is shown.
    voornamen = models.CharField(
        _("voornamen"), max_length=200, blank=True, help_text=_("Officiële voornamen, bijvoorbeeld Abraham Johannes.")
    )
    voorletters = models.CharField(_("voorletters"), max_length=30, blank=True, help_text=_("Bijvoorbeeld A.J."))
    roepnaam = models.CharField(_("roepnaam"), max_length=100, blank=True, help_text=_("Bijvoorbeeld Bram."))
    tussenvoegsel = models.CharField(
        _("tussenvoegsel"), max_length=30, blank=True, help_text=_("Bijvoorbeeld van der.")
    )
    achternaam = models.CharField(
        _("achternaam"), max_length=200, blank=True, help_text=_("Zonder tussenvoegsel, bijvoorbeeld Veld.")
    )
    aliases = models.TextField(
        _("andere namen"),
        blank=True,
        help_text=_("Andere namen of schrijfwijzen waaronder mensen deze persoon kennen, één per regel."),
    )
    other_emails = models.TextField(
        _("andere e-mailadressen"),
        blank=True,
        help_text=_("Eigen e-mailadressen naast het adres hierboven, één per regel."),
    )
    handles = models.TextField(
        _("accounts op sociale media"), blank=True, help_text=_("Bijvoorbeeld @bramvdveld, één per regel.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("persoon")
        verbose_name_plural = _("personen")

    def __str__(self):
        return self.name

    def appointments_on(self, day: datetime.date):
        return self.appointments.filter(Appointment.held_on(day)).select_related("position")

    def email_addresses(self) -> tuple[str, ...]:
        return tuple(a for a in (self.email, *lines(self.other_emails)) if a)


class Position(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="positions")
    code = models.SlugField(
        _("code"), max_length=60, help_text=_("Korte, unieke sleutel, bijvoorbeeld weth-wonen; gebruikt bij import.")
    )
    title = models.CharField(_("functie"), max_length=200)
    category = models.CharField(_("categorie"), max_length=30, choices=Category.choices)
    portfolio = models.CharField(
        _("portefeuille"), max_length=300, blank=True, help_text=_("Bijvoorbeeld: Wonen, Bouwen, Sport.")
    )
    unit = models.CharField(_("afdeling"), max_length=200, blank=True)
    # The office's own addresses: they belong to whoever held the office on the date.
    email = models.EmailField(
        _("e-mailadres van de functie"), blank=True, help_text=_("Bijvoorbeeld wethouder.wonen@gemeente.nl.")
    )
    handles = models.TextField(
        _("accounts van de functie"),
        blank=True,
        help_text=_("Accounts op sociale media van de functie, één per regel."),
    )
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("rapporteert aan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    deputy = models.ForeignKey(
        "self",
        verbose_name=_("plaatsvervanger"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputy_for",
    )

    class Meta:
        ordering = ["category", "title"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="position_code_unique")]
        verbose_name = _("functie")
        verbose_name_plural = _("functies")

    def __str__(self):
        return self.title

    @property
    def is_bestuurder(self) -> bool:
        return self.category in BESTUURDERS

    @property
    def is_locoburgemeester(self) -> bool:
        """The wethouder who deputises for the burgemeester (see meldpunt.registry.roles)."""
        return self.category == Category.WETHOUDER and self.deputy_for.filter(category=Category.BURGEMEESTER).exists()

    def holders_on(self, day: datetime.date):
        return Person.objects.filter(appointments__in=self.appointments.filter(Appointment.held_on(day)))

    def clean(self):
        for field in ("reports_to", "deputy"):
            other = getattr(self, field)
            if other is None:
                continue
            if other.organisation_id != self.organisation_id:
                raise ValidationError({field: _("Kies een functie uit dezelfde organisatie.")})
            if self.pk and other.pk == self.pk:
                raise ValidationError({field: _("Een functie kan niet naar zichzelf verwijzen.")})
            if self.pk and _leads_back(other, field, self.pk):
                raise ValidationError({field: _("Dit maakt een kring: de keten komt terug bij deze functie.")})


def _leads_back(start: "Position", field: str, target_pk: int) -> bool:
    seen = set()
    current = start
    while current is not None and current.pk not in seen:
        if current.pk == target_pk:
            return True
        seen.add(current.pk)
        current = getattr(current, field)
    return False


class EndReason(models.TextChoices):
    """Why someone left a position."""

    AFTREDEN = "aftreden", _("Aftreden")
    EINDE_TERMIJN = "einde_termijn", _("Einde termijn")
    ONTSLAG = "ontslag", _("Ontslag")
    OVERLIJDEN = "overlijden", _("Overlijden")


class Appointment(models.Model):
    """A person holding a position, from a start date to an (open) end date."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="appointments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="appointments")
    start_date = models.DateField(_("begindatum"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    # Why the appointment ended, when it is known (recorded with the accused
    # leaving, ``cases.actions.record_accused_left``).
    end_reason = models.CharField(_("reden van het einde"), max_length=20, choices=EndReason.choices, blank=True)
    # The portfolio held during this appointment; empty: the position's own
    # (the default). See docs/adr/0004-dated-portfolios.md.
    portfolio = models.CharField(
        _("portefeuille in deze periode"),
        max_length=300,
        blank=True,
        help_text=_("Leeg: de portefeuille van de functie."),
    )

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("benoeming")
        verbose_name_plural = _("benoemingen")

    def __str__(self):
        return f"{self.person} — {self.position}"

    @property
    def held_portfolio(self) -> str:
        """The portfolio held during this appointment (meldpunt.registry.portfolios)."""
        return portfolios.held_portfolio(self.position.portfolio, self.portfolio)

    @property
    def held_title(self) -> str:
        """'Wethouder Financiën' when this appointment held another portfolio than the position's."""
        position = self.position
        # The label stays lazy: it is translated only when the title needs it.
        label = Category(position.category).label
        return portfolios.held_title(position.title, label, position.portfolio, self.portfolio)

    @staticmethod
    def held_on(day: datetime.date) -> Q:
        return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("De einddatum ligt voor de begindatum.")})
        if self.position_id and self.person_id and self.position.organisation_id != self.person.organisation_id:
            raise ValidationError({"person": _("Persoon en functie horen bij verschillende organisaties.")})
        if self.position_id and self.start_date:
            overlapping = self.position.appointments.exclude(pk=self.pk).filter(
                Q(end_date__isnull=True) | Q(end_date__gte=self.start_date)
            )
            if self.end_date:
                overlapping = overlapping.filter(start_date__lte=self.end_date)
            if overlapping.exists():
                raise ValidationError(_("Deze functie is in die periode al bezet door iemand anders."))


class Conflict(models.Model):
    """Two people who must never handle a case about each other (partners,
    family, a business relation). Symmetric: one row covers both ways."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="conflicts_out")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="conflicts_in")
    reason = models.CharField(_("reden"), max_length=200)
    # Empty for conflicts registered before this field existed.
    created_at = models.DateTimeField(_("vastgelegd op"), null=True, blank=True, default=timezone.now)

    class Meta:
        constraints = [
            # One row per pair, whichever way round it was entered.
            models.UniqueConstraint(
                Least("person", "other"),
                Greatest("person", "other"),
                name="conflict_pair_unique",
                violation_error_message=_("Voor deze twee personen is al een belangenverstrengeling vastgelegd."),
            ),
            models.CheckConstraint(
                condition=~Q(person=F("other")),
                name="conflict_two_people",
                violation_error_message=_("Kies twee verschillende personen."),
            ),
        ]
        verbose_name = _("belangenverstrengeling")
        verbose_name_plural = _("belangenverstrengelingen")

    def __str__(self):
        return f"{self.person} ↔ {self.other}"

    def clean(self):
        # Two different people, and one row per pair: see the constraints.
        if self.person_id and self.other_id and self.person.organisation_id != self.other.organisation_id:
            raise ValidationError(_("Beide personen moeten bij dezelfde organisatie horen."))


def conflicted_with(person_ids) -> set[int]:
    """The given people and everyone who has a conflict with one of them."""
    ids = set(person_ids)
    if not ids:
        return set()
    pairs = Conflict.objects.filter(Q(person_id__in=ids) | Q(other_id__in=ids)).values_list("person_id", "other_id")
    for a, b in pairs:
        ids.update((a, b))
    return ids
