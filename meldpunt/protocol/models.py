"""The protocol: per organisation, versioned rules from the category of the
accused to who is told at once, the deadlines and the escalation chain.

A version is never changed after it is saved; editing makes a new version,
which routes new cases. Every routing decision points at the version that
made it.
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.cases.models import Case
from meldpunt.organisations.models import Organisation
from meldpunt.registry.models import Person, Position

# Who may open a case is cached in ``CaseRecipient`` and ``RuleExclusion``;
# ``meldpunt.protocol.service`` is the only code that rewrites those rows, and
# routing decisions are append-only. Everything else gets PermissionError.
_access_sync = contextvars.ContextVar("access_sync", default=False)


@contextmanager
def access_sync():
    """Allow writes to the access tables for the length of the block.
    Used by ``meldpunt.protocol.service`` only."""
    token = _access_sync.set(True)
    try:
        yield
    finally:
        _access_sync.reset(token)


def _check_sync(what: str):
    if not _access_sync.get():
        raise PermissionError(f"{what} are written only by meldpunt.protocol.service")


class SyncOnlyQuerySet(models.QuerySet):
    """Bulk writes are allowed inside ``access_sync()`` only."""

    label = "access rows"

    def update(self, **kwargs):
        _check_sync(self.label)
        return super().update(**kwargs)

    def delete(self):
        _check_sync(self.label)
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        _check_sync(self.label)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, *args, **kwargs):
        _check_sync(self.label)
        return super().bulk_update(objs, *args, **kwargs)


class AppendOnlyQuerySet(SyncOnlyQuerySet):
    """Routing decisions are added inside ``access_sync()`` and never changed."""

    label = "routing decisions"

    def update(self, **kwargs):
        raise PermissionError("routing decisions cannot be changed")

    def delete(self):
        raise PermissionError("routing decisions cannot be deleted")

    def bulk_update(self, objs, *args, **kwargs):
        raise PermissionError("routing decisions cannot be changed")


class SyncOnlyModel(models.Model):
    """Rows that only the access sync writes; append-only ones refuse changes."""

    append_only = False

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.append_only and self.pk is not None:
            raise PermissionError("routing decisions cannot be changed")
        _check_sync("access rows")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.append_only:
            raise PermissionError("routing decisions cannot be deleted")
        _check_sync("access rows")
        return super().delete(*args, **kwargs)


class FrozenQuerySet(models.QuerySet):
    """Protocol versions and their rules are added, never changed or removed."""

    def update(self, **kwargs):
        raise PermissionError("a protocol version cannot be changed; save a new version")

    def delete(self):
        raise PermissionError("a protocol version cannot be deleted")

    def bulk_update(self, objs, *args, **kwargs):
        raise PermissionError("a protocol version cannot be changed; save a new version")


class FrozenModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("a protocol version cannot be changed; save a new version")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("a protocol version cannot be deleted")


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


class ProtocolVersion(FrozenModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="protocol_versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(_("toelichting"), max_length=500, blank=True)

    objects = FrozenQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["organisation", "number"], name="protocol_version_unique")]

    def __str__(self):
        return f"v{self.number}"


class ProtocolRule(FrozenModel):
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

    objects = FrozenQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["version", "category"], name="protocol_rule_unique")]


class RoutingDecision(SyncOnlyModel):
    """Who was told about a case, by which protocol version, and why. Append-only."""

    append_only = True

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="routing_decisions")
    version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="decisions")
    decided_at = models.DateTimeField()
    trigger = models.CharField(max_length=30)
    categories = models.JSONField(default=list)
    external_address = models.TextField(blank=True)
    admin_alerted = models.BooleanField(default=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]


class RoutedRecipient(SyncOnlyModel):
    append_only = True

    decision = models.ForeignKey(RoutingDecision, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(Position, null=True, on_delete=models.SET_NULL, related_name="+")
    explanation = models.CharField(max_length=500)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]


class CaseRecipient(SyncOnlyModel):
    """The protocol recipients who may currently open a case (besides the
    integrity office): exactly those of its latest routing decision, with the
    position through which the protocol reached them (None for the functional
    admin as recipient of last resort)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="routed_cases")
    position = models.ForeignKey(Position, null=True, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()

    objects = SyncOnlyQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="case_recipient_unique")]


class RuleExclusion(SyncOnlyModel):
    """People a protocol rule keeps away from a case (on top of the accused,
    the involved and their conflicts, which are checked live): exactly those
    of the routing recomputed at the last registry, protocol or case change."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rule_exclusions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    objects = SyncOnlyQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="rule_exclusion_unique")]
