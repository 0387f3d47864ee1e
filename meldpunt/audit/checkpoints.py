"""Checkpoints: a chain's head signed with the organisation's Ed25519 key.

A checkpoint says "chain C had N events, and the N-th had hash H, at time T",
signed (``meldpunt/signing.py``) with the key of the chain's organisation
(the installation key for the global chain). It is stored here and can be
exported as a small JSON file (``export``) to keep where the database
administrators cannot write: a file elsewhere, an e-mail to the griffie, a
print. ``verify_file`` answers, from such a file alone, "has anything up to
this point changed?".

What a checkpoint adds to the sealed chain: someone with database access but
without the audit key cannot change or invent an event, but can still cut
off the newest events and set the head back. A checkpoint made before that
still names the missing events. And a file kept outside detects even a
rewrite by someone who also held the audit key.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from meldpunt import signing
from meldpunt.audit.models import AuditCheckpoint, AuditEvent, AuditHead

FORMAT = "meldpunt-audit-checkpoint/1"


def message(chain: str, seq: int, head_hash: str, made_at) -> bytes:
    """The signed bytes; they name what they are, so the signature serves no other purpose."""
    return f"{FORMAT}\nchain={chain}\nseq={seq}\nhead={head_hash}\nmade_at={made_at.isoformat()}\n".encode()


def _organisation(organisation_id):
    from meldpunt.organisations.models import Organisation

    return None if organisation_id is None else Organisation.objects.get(pk=organisation_id)


def make_checkpoint(chain: str, *, actor: str = "system") -> AuditCheckpoint | None:
    """Sign the current head of ``chain``; None for a chain without events."""
    from meldpunt.audit.log import organisation_id_of

    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(chain=chain).first()
        if head is None or head.length == 0:
            return None
        organisation_id = organisation_id_of(chain)
        made_at = timezone.now()
        signature = signing.sign(_organisation(organisation_id), message(chain, head.length, head.last_hash, made_at))
        checkpoint = AuditCheckpoint(
            chain=chain,
            organisation_id_ref=organisation_id,
            seq=head.length,
            head_hash=head.last_hash,
            made_at=made_at,
            made_by=actor,
            signing_key_id=signature.key_id,
            signature=signature.b64,
        )
        checkpoint.save()
    return checkpoint


def checkpoint_all(*, actor: str = "system", only_if_new: bool = True) -> list[AuditCheckpoint]:
    """A checkpoint of every chain (with ``only_if_new``: every chain that grew since its last one)."""
    made = []
    for chain, length in AuditHead.objects.filter(length__gt=0).order_by("chain").values_list("chain", "length"):
        last = AuditCheckpoint.objects.filter(chain=chain).order_by("-seq").values_list("seq", flat=True).first()
        if only_if_new and last is not None and last >= length:
            continue
        checkpoint = make_checkpoint(chain, actor=actor)
        if checkpoint is not None:
            made.append(checkpoint)
    return made


def signature_holds(checkpoint: AuditCheckpoint) -> bool:
    try:
        raw = base64.b64decode(checkpoint.signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    signed = message(checkpoint.chain, checkpoint.seq, checkpoint.head_hash, checkpoint.made_at)
    return signing.verify(_organisation(checkpoint.organisation_id_ref), checkpoint.signing_key_id, signed, raw)


def describe(checkpoint) -> str:
    return f"checkpoint of {checkpoint.made_at.isoformat()} ({checkpoint.seq} events)"


def checkpoint_problem(checkpoint: AuditCheckpoint, length: int, seen: dict[int, str], broken_at) -> str:
    """What is wrong with one stored checkpoint, given the verified walk of its chain; "" when it holds."""
    if not signature_holds(checkpoint):
        return f"{describe(checkpoint)}: the signature does not hold (the checkpoint was changed or forged)"
    if broken_at is not None and broken_at <= checkpoint.seq:
        return f"{describe(checkpoint)}: the chain breaks at event {broken_at}, before the checkpoint"
    if length < checkpoint.seq:
        return f"{describe(checkpoint)}: events {length + 1} to {checkpoint.seq} are missing"
    if seen.get(checkpoint.seq) != checkpoint.head_hash:
        return f"{describe(checkpoint)}: event {checkpoint.seq} is not the event that was signed"
    return ""


# The exported file ----------------------------------------------------------------------------------------


def export(checkpoint: AuditCheckpoint) -> str:
    """The checkpoint as a small JSON file, with the public key that checks it and a line for a human."""
    organisation = _organisation(checkpoint.organisation_id_ref)
    public = next(
        (k for k in signing.public_keys(organisation) if k.key_id == checkpoint.signing_key_id),
        None,
    )
    data = {
        "format": FORMAT,
        "about": (
            f"Meldpunt audit checkpoint: chain {checkpoint.chain}"
            f"{f' ({organisation.name})' if organisation else ' (installation)'} had {checkpoint.seq} events "
            f"at {checkpoint.made_at.isoformat()}. Check with: manage.py verify_audit --checkpoint <this file>"
        ),
        "chain": checkpoint.chain,
        "organisation": organisation.slug if organisation else None,
        "seq": checkpoint.seq,
        "head_hash": checkpoint.head_hash,
        "made_at": checkpoint.made_at.isoformat(),
        "made_by": checkpoint.made_by,
        "signing_key_id": checkpoint.signing_key_id,
        "public_key": public.b64 if public else None,
        "signature": checkpoint.signature,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def filename(checkpoint: AuditCheckpoint) -> str:
    chain = checkpoint.chain.replace(":", "-")
    return f"audit-checkpoint-{chain}-{checkpoint.seq}-{checkpoint.made_at:%Y%m%dT%H%M%SZ}.json"


class BadCheckpointFile(ValueError):
    pass


@dataclass
class FileReport:
    chain: str
    seq: int
    made_at: str
    ok: bool
    lines: list[str]


def read_file(text: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError:
        raise BadCheckpointFile("not a checkpoint file: not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BadCheckpointFile(f"not a checkpoint file: 'format' is not {FORMAT!r}")
    for name, kind in (("chain", str), ("seq", int), ("head_hash", str), ("made_at", str), ("signature", str)):
        if not isinstance(data.get(name), kind):
            raise BadCheckpointFile(f"checkpoint file: '{name}' is missing or not a {kind.__name__}")
    if parse_datetime(data["made_at"]) is None:
        raise BadCheckpointFile("checkpoint file: 'made_at' is not a time")
    return data


def verify_file(text: str) -> FileReport:
    """Check the chain in the database against one exported checkpoint: its
    signature, and every event up to its point (needs the audit key)."""
    from meldpunt.audit.log import describe_event, organisation_id_of, walk_chain

    data = read_file(text)
    chain, seq, made_at = data["chain"], data["seq"], parse_datetime(data["made_at"])
    lines: list[str] = []
    ok = True
    try:
        signature = base64.b64decode(data["signature"], validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    signed = message(chain, seq, data["head_hash"], made_at)
    organisation = None
    try:
        organisation = _organisation(organisation_id_of(chain))
    except Exception:  # the organisation is gone: checked against the file's public key alone
        organisation = None
    by_installation = signing.verify(organisation, str(data.get("signing_key_id", "")), signed, signature)
    by_file_key = False
    if isinstance(data.get("public_key"), str):
        try:
            by_file_key = signing.verify_with_public_key(base64.b64decode(data["public_key"]), signed, signature)
        except (binascii.Error, ValueError):
            by_file_key = False
    if by_installation:
        lines.append("signature: valid, by this installation's signing key")
    elif by_file_key:
        lines.append(
            "signature: valid for the public key in the file, which is not a key of this installation's "
            "signing key file; compare it with the public key you published"
        )
    else:
        ok = False
        lines.append("signature: DOES NOT HOLD (the file was changed, or was not made by Meldpunt)")
    length, broken_at, reason, pk, seen = walk_chain(chain, until=seq, expected={seq: data["head_hash"]})
    if broken_at is not None:
        ok = False
        where = describe_event(AuditEvent.objects.get(pk=pk)) if pk is not None else f"event {broken_at}"
        lines.append(f"chain: BROKEN at {where}: {reason}")
    elif length < seq:
        ok = False
        lines.append(f"chain: events {length + 1} to {seq} are missing (the checkpoint covers {seq})")
    elif seen.get(seq) != data["head_hash"]:
        ok = False
        lines.append(f"chain: event {seq} is not the event that was signed (the chain was rewritten)")
    else:
        lines.append(f"chain: events 1 to {seq} are unchanged since {made_at.isoformat()}")
    return FileReport(chain, seq, data["made_at"], ok, lines)
