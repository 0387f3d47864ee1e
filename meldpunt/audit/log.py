"""Writing and verifying the audit trail. Call ``record`` inside the
transaction of the change it describes; never put report content in it.

Every event is sealed: its hash is HMAC-SHA-256 under the audit key
(``audit/keys.py``) over its fields and the previous event's hash. Events
from before the audit key kept their plain SHA-256; migration
``audit/0002`` appended to each such chain one sealed ``audit.keyed`` event
whose detail ``plain_until`` names the last of them. Verification accepts a
plain hash only in front of that sealed cut-over: a chain rewritten with
plain hashes (by someone without the audit key) fails at its first event.
"""

import contextlib
import datetime
import hashlib
import hmac
import json
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from meldpunt.audit.keys import audit_keys
from meldpunt.audit.models import AuditCheckpoint, AuditEvent, AuditHead, canonical, plain_hash

GENESIS = "0" * 64
CUT_OVER = "audit.keyed"


def chain_for(organisation) -> str:
    return f"org:{organisation.pk}" if organisation is not None else "global"


def organisation_id_of(chain: str) -> int | None:
    return int(chain.split(":", 1)[1]) if chain.startswith("org:") else None


def actor_for_user(user) -> str:
    return f"staff:{user.get_username()}" if user is not None else "system"


def record(action: str, *, actor: str, organisation=None, case=None, **detail) -> AuditEvent | None:
    """One event; None inside ``written_at_the_end`` (written at its end)."""
    events = record_many([(action, case, detail)], actor=actor, organisation=organisation)
    return events[0] if events else None


# Inside ``written_at_the_end``: the events kept, as (entries, actor, organisation).
_kept: ContextVar[list | None] = ContextVar("audit_events_kept", default=None)


@contextlib.contextmanager
def written_at_the_end():
    """Keep what ``record`` and ``record_many`` are asked to write inside the
    block, and write it, in the same order, when the block ends without an
    error. Every writer of a chain waits for the lock on its head, held to the
    commit; the block takes it only at its end, so a long transaction (a new
    case's routing, notifications and pattern check) holds it for its last
    statements only. Use it inside the transaction the events describe: when
    the block raises, the events are dropped with that transaction's changes.
    The events' case numbers are read when they are written."""
    kept: list = []
    token = _kept.set(kept)
    try:
        yield
    finally:
        _kept.reset(token)
    for entries, actor, organisation in kept:
        record_many(entries, actor=actor, organisation=organisation)


def record_many(entries, *, actor: str, organisation=None) -> list[AuditEvent]:
    """Several events ``(action, case, detail)`` on one chain, in order, under
    one lock of its head (the escalation sweep's batch): the same chain as
    that many ``record`` calls. Inside ``written_at_the_end`` they are kept
    for its end, and nothing is returned."""
    kept = _kept.get()
    if kept is not None:
        if kept and kept[-1][1] == actor and chain_for(kept[-1][2]) == chain_for(organisation):
            kept[-1][0].extend(entries)  # the same chain and actor: one write, one turn at the head
        else:
            kept.append((list(entries), actor, organisation))
        return []
    chain = chain_for(organisation)
    keys = audit_keys()  # before the lock: a missing key file stops here, with its message
    # No savepoint inside a caller's transaction: a failure here fails the caller's whole transaction.
    with transaction.atomic(savepoint=False):
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
                key_id=keys.active_id,
            )
            event.hash = event.compute_hash(keys)
            events.append(event)
            head.last_hash, head.length = event.hash, event.seq
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.bulk_create(events)
        head.save(update_fields=["last_hash", "length"])
    return events


# Verifying ------------------------------------------------------------------------------------------------


@dataclass
class ChainReport:
    chain: str
    length: int
    broken_at: int | None = None
    reason: str = ""
    event: AuditEvent | None = None  # the event where the chain breaks, when it is still there
    checkpoints_checked: int = 0
    problems: list[str] = field(default_factory=list)  # checkpoints that do not hold (beside a break)

    def describe_break(self) -> str:
        """'event 12 (case.read, case MP-2026-0001, at 2026-12-01T22:04:05+00:00): the event was changed ...'."""
        if self.event is None:
            return f"event {self.broken_at}: {self.reason}"
        return f"{describe_event(self.event)}: {self.reason}"

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.problems


def describe_event(event: AuditEvent) -> str:
    case = f"case {event.case_reference}" if event.case_reference else "no case"
    return f"event {event.seq} ({event.action}, {case}, at {event.at.isoformat()})"


COLUMNS = "id, seq, at, actor, action, organisation_id_ref, case_reference, detail, prev_hash, hash, key_id"


def _rows(chain: str, until: int | None):
    """The chain's events in order as plain tuples, straight from the database
    (a server-side cursor on PostgreSQL): verifying a million events spends
    its time on the seals, not on building model instances."""
    from django.db import connection

    table = AuditEvent._meta.db_table
    sql = f"SELECT {COLUMNS} FROM {table} WHERE chain = %s"  # noqa: S608 - fixed names, values as parameters
    params = [chain]
    if until is not None:
        sql += " AND seq <= %s"
        params.append(until)
    sqlite = connection.vendor == "sqlite"
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql + " ORDER BY seq", params)
        while batch := cursor.fetchmany(5000):
            for pk, seq, at, actor, action, org, case, detail, prev, stored, key_id in batch:
                if isinstance(at, str):
                    at = datetime.datetime.fromisoformat(at)
                if at.tzinfo is None or sqlite:
                    at = at.replace(tzinfo=datetime.UTC)
                if isinstance(detail, str | bytes):
                    detail = json.loads(detail)
                yield pk, seq, at, actor, action, org, case, detail, prev, stored, key_id


def walk_chain(chain: str, *, until: int | None = None, keys=None, expected: dict[int, str] | None = None):
    """Check ``chain`` event by event (up to ``until``): numbering, links, seals
    and the plain-hash cut-over. Returns ``(length, broken_at, reason, pk,
    seen)``: how far it verified, where and why it broke (None), the broken
    event's pk when it exists, and the hashes found at the seqs in ``expected``."""
    keys = keys or audit_keys()
    wanted = expected or {}
    seen: dict[int, str] = {}
    sealers = {key_id: hmac.new(key, digestmod=hashlib.sha256) for key_id, key in keys.keys.items()}
    expected_prev, expected_seq = GENESIS, 1
    plain_from = None  # the first plain-hashed event not yet vouched for by a cut-over: (seq, pk)
    sealed_seen = False
    for pk, seq, at, actor, action, org, case, detail, prev, stored, key_id in _rows(chain, until):
        if seq != expected_seq:
            return (
                expected_seq - 1,
                expected_seq,
                f"an event is missing: event {expected_seq} should come before this one",
                pk,
                seen,
            )
        if prev != expected_prev:
            return seq - 1, seq, "the link to the previous event is broken", pk, seen
        values = (chain, seq, at, actor, action, org, case, detail, prev)
        if not key_id:
            if sealed_seen:
                return seq - 1, seq, "the event is not sealed with the audit key", pk, seen
            if plain_hash(*values) != stored:
                return seq - 1, seq, "the event was changed after it was written", pk, seen
            plain_from = plain_from or (seq, pk)
        else:
            if key_id not in sealers:
                reason = f"the event is sealed under audit key {key_id!r}, which is not in the audit key file"
                return seq - 1, seq, reason, pk, seen
            sealer = sealers[key_id].copy()
            sealer.update(canonical(*values, key_id=key_id))
            if sealer.hexdigest() != stored:
                return seq - 1, seq, "the event was changed after it was written", pk, seen
            if plain_from is not None:
                if action != CUT_OVER or (detail or {}).get("plain_until") != seq - 1:
                    reason = "the event has only a plain hash, and no event sealed with the audit key vouches for it"
                    return plain_from[0] - 1, plain_from[0], reason, plain_from[1], seen
                plain_from = None
            sealed_seen = True
        if seq in wanted:
            seen[seq] = stored
        expected_prev, expected_seq = stored, expected_seq + 1
    if plain_from is not None:
        reason = (
            "the event has only a plain hash, and no event sealed with the audit key vouches for it "
            "(written or rewritten without the audit key)"
        )
        return plain_from[0] - 1, plain_from[0], reason, plain_from[1], seen
    return expected_seq - 1, None, "", None, seen


def verify_chain(chain: str, keys=None) -> ChainReport:
    from meldpunt.audit.checkpoints import checkpoint_problem

    head = AuditHead.objects.filter(chain=chain).first()
    checkpoints = list(AuditCheckpoint.objects.filter(chain=chain).order_by("seq", "made_at"))
    expected = {c.seq: c.head_hash for c in checkpoints}
    length, broken_at, reason, pk, seen = walk_chain(chain, keys=keys, expected=expected)
    report = ChainReport(chain, length, broken_at, reason)
    if pk is not None:
        report.event = AuditEvent.objects.get(pk=pk)
    elif broken_at is None and head is not None and (head.length != length or head.last_hash != _last_hash(chain)):
        report.broken_at, report.reason = length + 1, "events at the end of the chain are missing"
    for checkpoint in checkpoints:
        problem = checkpoint_problem(checkpoint, length, seen, broken_at)
        if problem:
            report.problems.append(problem)
        else:
            report.checkpoints_checked += 1
    return report


def _last_hash(chain: str) -> str:
    last = AuditEvent.objects.filter(chain=chain).order_by("-seq").values_list("hash", flat=True).first()
    return last or GENESIS


def all_chains() -> list[str]:
    chains = set(AuditHead.objects.values_list("chain", flat=True))
    chains |= set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    chains |= set(AuditCheckpoint.objects.values_list("chain", flat=True).distinct())
    return sorted(chains)


def verify_all() -> list[ChainReport]:
    keys = audit_keys()
    return [verify_chain(chain, keys) for chain in all_chains()]
