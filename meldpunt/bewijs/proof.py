"""The proof of filing: what is signed, how it is written down and how it is checked.

docs/proof.md describes the formats for someone who wants to check a proof
without Meldpunt. In short:

* The **submitted document** is the report exactly as submitted, as canonical
  JSON (UTF-8, keys sorted, no whitespace between tokens; see
  ``submitted_document``). It is stored sealed under the case key; the
  reporter can download it from the inbox.
* The **statement** is seven lines of text naming the organisation, the case
  number, the time of receipt (UTC), the SHA-256 of the submitted document and
  the signing key's id. It is signed with the organisation's Ed25519 key
  (``meldpunt.signing``).
* The **proof** is the statement and its signature between
  ``-----BEGIN MELDPUNT PROOF-----`` and ``-----END MELDPUNT PROOF-----``;
  the PDF shows the same block.

Checking a proof (``check``) needs the text only and the organisation's keys:
no case is looked up, so the answer says nothing the proof does not say.
"""

import base64
import binascii
import datetime
import hashlib
import json
import re
import secrets
from dataclasses import dataclass

from meldpunt import signing

FORMAT = "meldpunt-melding-v1"
HEADER = "MELDPUNT-BEWIJS v1"
BEGIN = "-----BEGIN MELDPUNT PROOF-----"
END = "-----END MELDPUNT PROOF-----"
FIELDS = ("organisatie", "naam", "zaak", "ontvangen", "sha256", "sleutel")
SIGNATURE_FIELD = "handtekening"

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
_REFERENCE = re.compile(r"[0-9]{4}-[0-9]{4,8}")
_RECEIVED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_BASE64 = re.compile(r"[A-Za-z0-9+/=]{1,88}")


# The submitted document ------------------------------------------------------------------------------


def canonical_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def submitted_document(report, *, kind: str, channel: str) -> bytes:
    """The report exactly as submitted, as canonical JSON bytes.

    What the reporter told: the text, the people as typed (or, picked from the
    list, the name shown), the dates, the answers to the questions, the wishes,
    and each attachment's name, size and SHA-256; how it arrived (kind,
    channel). Not the reporter's own name or contact details: the proof can be
    shown to someone without them, and it stays true when they are erased.
    A random ``nonce`` makes the digest useless for guessing the text.
    """
    subjects = []
    for subject in report.subjects:
        entry = {"role": subject.role, "name": subject.name, "function": subject.function}
        if subject.person is not None:
            entry["registry_person"] = subject.person.name
        subjects.append(entry)
    document = {
        "format": FORMAT,
        "nonce": base64.urlsafe_b64encode(secrets.token_bytes(16)).decode("ascii").rstrip("="),
        "kind": str(kind),
        "channel": str(channel),
        "relation": report.relation,
        "anonymous": bool(report.anonymous),
        "description": report.description,
        "period_start": report.period_start.isoformat() if report.period_start else "",
        "period_end": report.period_end.isoformat() if report.period_end else "",
        "contact_context": report.contact_context,
        "told_before": report.told_before,
        "told_before_details": report.told_before_details,
        "wishes": list(report.wishes),
        "subjects": subjects,
        "attachments": [
            {"name": f.name, "size": len(f.data), "sha256": hashlib.sha256(f.data).hexdigest()} for f in report.files
        ],
    }
    return canonical_json(document)


def digest(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()


# The statement and the proof -------------------------------------------------------------------------


def utc_text(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def statement(*, slug: str, name: str, reference: str, received_at: datetime.datetime, sha256: str, key_id: str) -> str:
    values = (slug, _one_line(name), reference, utc_text(received_at), sha256, key_id)
    return HEADER + "\n" + "".join(f"{field}: {value}\n" for field, value in zip(FIELDS, values, strict=True))


def armour(statement_text: str, signature: bytes) -> str:
    signature_line = f"{SIGNATURE_FIELD}: {base64.b64encode(signature).decode('ascii')}\n"
    return f"{BEGIN}\n{statement_text}{signature_line}{END}\n"


def sign_statement(organisation, statement_builder) -> tuple[str, signing.Signature]:
    """Sign the statement built by ``statement_builder(key_id)`` with the
    organisation's active key (the statement names the key that signs it)."""
    key_id = signing.signing_ring().active_id
    text = statement_builder(key_id)
    signature = signing.sign(organisation, text.encode("utf-8"))
    assert signature.key_id == key_id
    return text, signature


# Reading and checking a proof ------------------------------------------------------------------------


class Unreadable(Exception):
    """The text is not a whole Meldpunt proof; ``reason`` says what is missing, for the page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Why a text cannot be read as a proof (the page shows the matching sentence).
NO_BLOCK, INCOMPLETE, MALFORMED = "no-block", "incomplete", "malformed"


@dataclass(frozen=True)
class ParsedProof:
    statement: str  # exactly the signed text
    fields: dict[str, str]
    signature: bytes

    @property
    def slug(self) -> str:
        return self.fields["organisatie"]

    @property
    def received_at(self) -> datetime.datetime:
        return datetime.datetime.strptime(self.fields["ontvangen"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)


def parse(text: str) -> ParsedProof:
    """Read the block between the BEGIN and END lines. Surrounding text, blank
    lines, indentation and e-mail quote marks are ignored; the lines inside
    must be exactly the statement's and the signature. Raises ``Unreadable``."""
    lines = [line.strip().lstrip(">").strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    if BEGIN not in lines:
        raise Unreadable(NO_BLOCK)
    start = lines.index(BEGIN) + 1
    if END not in lines[start:]:
        raise Unreadable(INCOMPLETE)
    inner = [line for line in lines[start : lines.index(END, start)] if line]
    # A signature wrapped by a mail program or copied from a narrow PDF: its
    # base64 continued on the next lines.
    signature_at = next((i for i, line in enumerate(inner) if line.startswith(f"{SIGNATURE_FIELD}: ")), None)
    if signature_at is not None and all(_BASE64.fullmatch(line) for line in inner[signature_at + 1 :]):
        inner = [*inner[:signature_at], "".join(inner[signature_at:])]
    expected = [None, *FIELDS, SIGNATURE_FIELD]
    if len(inner) != len(expected) or inner[0] != HEADER:
        raise Unreadable(INCOMPLETE if len(inner) < len(expected) else MALFORMED)
    fields = {}
    for line, field in zip(inner[1:], expected[1:], strict=True):
        label, separator, value = line.partition(": ")
        if label != field or not separator or value != value.strip() or not value:
            raise Unreadable(MALFORMED)
        fields[field] = value
    checks = {
        "organisatie": _SLUG,
        "zaak": _REFERENCE,
        "ontvangen": _RECEIVED,
        "sha256": _DIGEST,
        "sleutel": _KEY_ID,
    }
    if any(not pattern.fullmatch(fields[field]) for field, pattern in checks.items()):
        raise Unreadable(MALFORMED)
    try:
        signature = base64.b64decode(fields.pop(SIGNATURE_FIELD), validate=True)
        received = datetime.datetime.strptime(fields["ontvangen"], "%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, binascii.Error):
        raise Unreadable(MALFORMED) from None
    if len(signature) != signing.SIGNATURE_BYTES or received.year < 2000:
        raise Unreadable(MALFORMED)
    statement_text = HEADER + "\n" + "".join(f"{field}: {fields[field]}\n" for field in FIELDS)
    return ParsedProof(statement=statement_text, fields=fields, signature=signature)


@dataclass(frozen=True)
class Verdict:
    valid: bool
    proof: ParsedProof | None = None
    unreadable: str = ""  # NO_BLOCK, INCOMPLETE or MALFORMED when the text could not be read


def check(text: str, find_organisation) -> Verdict:
    """Whether ``text`` holds a proof signed by the organisation it names.

    ``find_organisation(slug)`` gives the organisation or None; nothing else is
    looked up. Never raises on any text."""
    try:
        parsed = parse(text)
    except Unreadable as unreadable:
        return Verdict(valid=False, unreadable=unreadable.reason)
    organisation = find_organisation(parsed.slug)
    if organisation is None:
        return Verdict(valid=False)
    valid = signing.verify(organisation, parsed.fields["sleutel"], parsed.statement.encode("utf-8"), parsed.signature)
    return Verdict(valid=valid, proof=parsed if valid else None)


def document_matches(proof: ParsedProof, document: bytes) -> bool:
    return digest(document) == proof.fields["sha256"]
