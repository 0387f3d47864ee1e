"""Replay protection for API report submissions: the ``Idempotency-Key`` header.

A client that sends a report and does not hear back (a time-out, a dropped
connection) sends it again with the same key. The key is the API's form of the
web form's one-time submission token (``meldpunt.melden.submissions``): storing
the report claims it, unique, in the case's own transaction, together with the
SHA-256 of the request (every field and every file). So:

* the same key with the same request gets the same answer, 201 with the same
  receipt code (``Idempotent-Replayed: true``), while the receipt's one-time
  view lasts (``submissions.RECEIPT_VIEW_SECONDS``, half an hour); after that a
  409 saying the report was stored once and its code is not shown again;
* the same key with another request is a 409 naming ``Idempotency-Key``;
* two requests with one key at the same moment store one case: the second
  one's claim fails and it answers as a replay.

The receipt code is kept only sealed under a key derived from the
Idempotency-Key, which only the client holds; the database has the key's
digest. Keys are scoped to the organisation, and must be 16 to 100 letters,
digits, ``-`` or ``_`` (a random UUID is the intended value): whoever knows a
key and the exact request can read that receipt again, so the key is a secret.
"""

import hashlib
import json
import re

from meldpunt.melden import submissions

HEADER = "Idempotency-Key"
_PURPOSE = "api-idempotency-key"
KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,100}")


def _token(organisation, key: str) -> str:
    return f"{organisation.pk}:{key}"


def request_digest(request) -> str:
    """SHA-256 of what was sent: every field with its values, every file with its
    field, name, type and content (read in chunks, then rewound for the form)."""
    digest = hashlib.sha256()
    fields = sorted((name, request.POST.getlist(name)) for name in request.POST)
    digest.update(json.dumps(fields, ensure_ascii=False).encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            content = hashlib.sha256()
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)
            described = [name, upload.name, upload.content_type, upload.size, content.hexdigest()]
            digest.update(json.dumps(described, ensure_ascii=False).encode())
    return digest.hexdigest()


def find(organisation, key: str):
    return submissions.find(organisation, _token(organisation, key), purpose=_PURPOSE)


def claim(organisation, key: str, digest: str):
    """``on_stored`` for ``actions.submit_report``."""
    return submissions.claim(_token(organisation, key), purpose=_PURPOSE, request_digest=digest)


def same_request(earlier, digest: str) -> bool:
    return earlier.request_digest == digest


def receipt_code(earlier, organisation, key: str) -> str | None:
    """The stored report's receipt code while its one-time view lasts, else None."""
    return submissions.receipt_code(earlier, _token(organisation, key))
