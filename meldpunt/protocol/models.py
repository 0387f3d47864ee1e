"""The protocol: per organisation, versioned rules from the category of the
accused to who is told at once, the deadlines and the escalation chain.

A version is never changed after it is saved; editing makes a new version,
which routes new cases. Every routing decision points at the version that
made it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.cases.models import Case
from meldpunt.organisations.models import Organisation
from meldpunt.registry.models import Person, Position


class AccusedCategory(models.TextChoices):
    WETHOUDER = "wethouder", _("Wethouder")
    RAADSLID = "raadslid", _("Raadslid")
    BURGEMEESTER = "burgemeester", _("Burgemeester")
    GEMEENTESECRETARIS = "gemeentesecretaris", _("Gemeentesecretaris")
    GRIFFIER = "griffier", _("Griffier")
    DIRECTEUR = "directeur", _("Directeur")
    MANAGER = "manager", _("Manager")
    MEDEWERKER = "medewerker", _("Medewerker")
    ONBEKEND = "onbekend", _("Onbekende persoon of niet in het register")
    EXTERN = "extern", _("Externe persoon")


class ProtocolVersion(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="protocol_versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(_("toelichting"), max_length=500, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["organisation", "number"], name="protocol_version_unique")]

    def __str__(self):
        return f"v{self.number}"


class ProtocolRule(models.Model):
    """What happens with a report about someone of one category.

    ``recipients``, ``escalation`` and ``exclusions`` are lists of recipient
    codes (see ``meldpunt.protocol.routing.RECIPIENT_CODES``).
    """

    version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="rules")
    category = models.CharField(max_length=30, choices=AccusedCategory.choices)
    recipients = models.JSONField(default=list)
    escalation = models.JSONField(default=list)
    exclusions = models.JSONField(default=list)
    first_contact_days = models.PositiveSmallIntegerField(default=7)
    assessment_days = models.PositiveSmallIntegerField(default=14)
    escalation_interval_days = models.PositiveSmallIntegerField(default=7)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["version", "category"], name="protocol_rule_unique")]


class RoutingDecision(models.Model):
    """Who was told about a case, by which protocol version, and why. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="routing_decisions")
    version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="decisions")
    decided_at = models.DateTimeField()
    trigger = models.CharField(max_length=30)
    categories = models.JSONField(default=list)
    external_address = models.TextField(blank=True)
    admin_alerted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-decided_at", "-pk"]


class RoutedRecipient(models.Model):
    decision = models.ForeignKey(RoutingDecision, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(Position, null=True, on_delete=models.SET_NULL, related_name="+")
    explanation = models.CharField(max_length=500)

    class Meta:
        ordering = ["pk"]


class CaseRecipient(models.Model):
    """The protocol recipients who may currently open a case (besides the
    integrity office). Kept in step with the latest routing decision."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="routed_cases")
    since = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="case_recipient_unique")]


class RuleExclusion(models.Model):
    """People a protocol rule keeps away from a case (on top of the accused,
    the involved and their conflicts, which are checked live)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rule_exclusions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="rule_exclusion_unique")]
