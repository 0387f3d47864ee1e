"""Append-only, sealed and chained audit events, and signed checkpoints.

Each organisation has its own chain (and the installation one, "global").
``AuditHead`` holds the latest hash of a chain; appending locks that row, so
concurrent writers queue for the length of one insert and the chain never
forks. Events are never updated or deleted: the queryset refuses bulk
changes (``update``, ``bulk_update``, ``delete``) and ``save`` refuses updates.

An event's hash is HMAC-SHA-256 under the audit key (``audit/keys.py``) over
its canonical JSON, the previous event's hash and the id of the key
(``key_id``). Events written before the audit key existed keep their plain
SHA-256 (``key_id`` empty); a sealed ``audit.keyed`` event right after them
vouches for them (``audit/log.py``). An ``AuditCheckpoint`` is a chain's head
signed with the organisation's Ed25519 key (``meldpunt/signing.py``).
"""

import hashlib
import json

from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events cannot be changed")

    def delete(self):
        raise PermissionError("audit events cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("audit events cannot be changed")


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
    # The audit key the hash is an HMAC under; empty: a plain SHA-256 from before the audit key.
    key_id = models.CharField(max_length=20, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]
        indexes = [
            models.Index(fields=["organisation_id_ref", "-at"], name="audit_org_at"),
            models.Index(fields=["organisation_id_ref", "case_reference", "-at"], name="audit_org_case_at"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events cannot be deleted")

    def values(self) -> tuple:
        return (
            self.chain,
            self.seq,
            self.at,
            self.actor,
            self.action,
            self.organisation_id_ref,
            self.case_reference,
            self.detail,
            self.prev_hash,
        )

    def compute_hash(self, keys=None) -> str:
        """The hash this event must have: under its ``key_id`` (``keys`` is the
        audit key ring, read from the file when not given), else plain SHA-256."""
        if not self.key_id:
            return plain_hash(*self.values())
        if keys is None:
            from meldpunt.audit.keys import audit_keys

            keys = audit_keys()
        return keys.seal(self.key_id, canonical(*self.values(), key_id=self.key_id))


def canonical(chain, seq, at, actor, action, organisation, case, detail, prev, key_id=None) -> bytes:
    """The bytes an event's hash covers: every stored field, the link to the
    previous event and (for a sealed event) the id of its audit key."""
    fields = {
        "chain": chain,
        "seq": seq,
        "at": at.isoformat(),
        "actor": actor,
        "action": action,
        "organisation": organisation,
        "case": case,
        "detail": detail,
        "prev": prev,
    }
    if key_id is not None:
        fields["key"] = key_id
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def plain_hash(*values) -> str:
    """The unkeyed SHA-256 of events written before the audit key (anyone can compute it)."""
    return hashlib.sha256(canonical(*values)).hexdigest()


class AuditCheckpoint(models.Model):
    """The head of one chain at one moment, signed with the organisation's
    Ed25519 key (the installation key for the global chain). Kept here and,
    exported as a small file, anywhere the database administrators cannot
    write. Never changed or deleted."""

    chain = models.CharField(max_length=40)
    organisation_id_ref = models.BigIntegerField(null=True)
    seq = models.PositiveBigIntegerField()  # the chain's length: the last event covered
    head_hash = models.CharField(max_length=64)
    made_at = models.DateTimeField()
    made_by = models.CharField(max_length=200)  # staff:<username>, or system for the scheduled ones
    signing_key_id = models.CharField(max_length=64)
    signature = models.TextField()  # base64

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "seq", "made_at"]
        indexes = [models.Index(fields=["chain", "-made_at"], name="audit_checkpoint_chain")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit checkpoints cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit checkpoints cannot be deleted")
