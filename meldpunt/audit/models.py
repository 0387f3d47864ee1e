"""Append-only, hash-chained audit events.

Each organisation has its own chain. ``AuditHead`` holds the latest hash of a
chain; appending locks that row, so concurrent writers queue for the length
of one insert and the chain never forks. Events are never updated or
deleted: the queryset refuses bulk changes and ``save`` refuses updates.
"""

import hashlib
import json

from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events cannot be changed")

    def delete(self):
        raise PermissionError("audit events cannot be deleted")


class AuditHead(models.Model):
    chain = models.CharField(max_length=40, unique=True)
    last_hash = models.CharField(max_length=64)
    length = models.PositiveBigIntegerField(default=0)


class AuditEvent(models.Model):
    chain = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=60)
    organisation_id_ref = models.BigIntegerField(null=True)
    case_reference = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events cannot be deleted")

    def compute_hash(self) -> str:
        payload = json.dumps(
            {
                "chain": self.chain,
                "seq": self.seq,
                "at": self.at.isoformat(),
                "actor": self.actor,
                "action": self.action,
                "organisation": self.organisation_id_ref,
                "case": self.case_reference,
                "detail": self.detail,
                "prev": self.prev_hash,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
