"""Writing and verifying the audit trail. Call ``record`` inside the
transaction of the change it describes; never put report content in it."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from meldpunt.audit.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def chain_for(organisation) -> str:
    return f"org:{organisation.pk}" if organisation is not None else "global"


def actor_for_user(user) -> str:
    return f"staff:{user.get_username()}" if user is not None else "system"


def record(action: str, *, actor: str, organisation=None, case=None, **detail) -> AuditEvent:
    return record_many([(action, case, detail)], actor=actor, organisation=organisation)[0]


def record_many(entries, *, actor: str, organisation=None) -> list[AuditEvent]:
    """Several events ``(action, case, detail)`` on one chain, in order, under
    one lock of its head (the escalation sweep's batch): the same chain as
    that many ``record`` calls."""
    chain = chain_for(organisation)
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(
            chain=chain, defaults={"last_hash": GENESIS}
        )
        events = []
        for action, case, detail in entries:
            event = AuditEvent(
                chain=chain,
                seq=head.length + 1,
                at=timezone.now(),
                actor=actor,
                action=action,
                organisation_id_ref=organisation.pk if organisation is not None else None,
                case_reference=case.reference if case is not None else "",
                detail=detail,
                prev_hash=head.last_hash,
            )
            event.hash = event.compute_hash()
            events.append(event)
            head.last_hash, head.length = event.hash, event.seq
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.bulk_create(events)
        head.save(update_fields=["last_hash", "length"])
    return events


@dataclass
class ChainReport:
    chain: str
    length: int
    broken_at: int | None = None
    reason: str = ""
    event: AuditEvent | None = None  # the event where the chain breaks, when it is still there

    def describe_break(self) -> str:
        """'event 12 (case.read, case MP-2026-0001, at 2026-12-01T22:04:05+00:00): the event was changed ...'."""
        if self.event is None:
            return f"event {self.broken_at}: {self.reason}"
        case = f"case {self.event.case_reference}" if self.event.case_reference else "no case"
        return f"event {self.event.seq} ({self.event.action}, {case}, at {self.event.at.isoformat()}): {self.reason}"

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(chain: str) -> ChainReport:
    head = AuditHead.objects.filter(chain=chain).first()
    expected_prev, expected_seq = GENESIS, 1
    for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator():
        if event.seq != expected_seq:
            reason = f"an event is missing: event {expected_seq} should come before this one"
            return ChainReport(chain, expected_seq - 1, expected_seq, reason, event)
        if event.prev_hash != expected_prev:
            return ChainReport(chain, expected_seq - 1, event.seq, "the link to the previous event is broken", event)
        if event.compute_hash() != event.hash:
            return ChainReport(chain, expected_seq - 1, event.seq, "the event was changed after it was written", event)
        expected_prev, expected_seq = event.hash, expected_seq + 1
    length = expected_seq - 1
    if head is not None and (head.length != length or head.last_hash != expected_prev):
        return ChainReport(chain, length, length + 1, "events at the end of the chain are missing")
    return ChainReport(chain, length)


def verify_all() -> list[ChainReport]:
    chains = set(AuditHead.objects.values_list("chain", flat=True))
    chains |= set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    return [verify_chain(chain) for chain in sorted(chains)]
