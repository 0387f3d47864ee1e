"""The audit key: the secret under which every audit event is sealed.

An event's hash is HMAC-SHA-256 under the audit key, which lives in a file
outside the database (``settings.AUDIT_KEY_FILE``, ``MELDPUNT_AUDIT_KEY_FILE``,
default ``state/audit.key``). Whoever can write to the database but does not
hold this file cannot make a changed or invented event verify.

The file has the key file's format (``meldpunt/crypto.py``): one key a line,
``<key id> <base64 of 32 bytes>``. The first line seals new events; every line
can verify, and each event stores the id of the key it was sealed under, so a
key is rotated by adding a new first line and keeping the old ones
(docs/security.md, "Audit trail").
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from meldpunt.private_files import create_private_file

KEY_BYTES = 32


@dataclass(frozen=True)
class AuditKeys:
    keys: dict[str, bytes]
    active_id: str

    @classmethod
    def from_file(cls, path: Path) -> "AuditKeys":
        if not path.exists():
            raise ImproperlyConfigured(
                f"Audit key file {path} is missing. Create one with 'manage.py create_key' "
                "(make run does this) or point MELDPUNT_AUDIT_KEY_FILE at it."
            )
        keys: dict[str, bytes] = {}
        active_id = None
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                key_id, encoded = line.split()
                key = base64.b64decode(encoded, validate=True)
            except ValueError:
                raise ImproperlyConfigured(f"{path}, line {number}: expected '<key id> <base64 key>'") from None
            if len(key) != KEY_BYTES:
                raise ImproperlyConfigured(f"{path}, line {number}: the audit key must be {KEY_BYTES} bytes")
            if len(key_id) > 20:
                raise ImproperlyConfigured(f"{path}, line {number}: a key id has at most 20 characters")
            if key_id in keys:
                raise ImproperlyConfigured(
                    f"{path}, line {number}: key id {key_id!r} appears more than once; every key needs its own id"
                )
            keys[key_id] = key
            active_id = active_id or key_id
        if active_id is None:
            raise ImproperlyConfigured(f"Audit key file {path} holds no key")
        return cls(keys=keys, active_id=active_id)

    def seal(self, key_id: str, payload: bytes) -> str:
        """HMAC-SHA-256 (hex) of ``payload`` under key ``key_id``; KeyError if that key is not in the file."""
        return hmac.new(self.keys[key_id], payload, hashlib.sha256).hexdigest()


def create_audit_key_file(path: Path) -> bool:
    """Write a new audit key file with one random key; False if it already exists."""
    if path.exists():
        return False
    key_id = "a" + secrets.token_hex(4)
    encoded = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
    return create_private_file(
        path,
        "# Meldpunt audit key: seals the audit trail. Keep it secret, back it up apart from the database;\n"
        "# to rotate, add a new first line and keep the old lines (they verify the older events).\n"
        f"{key_id} {encoded}\n",
    )


def check_audit_key_file() -> None:
    """Refuse an audit key file that is there but wrong when Meldpunt starts;
    a missing one is reported at the first audit event, so that
    ``manage.py create_key`` can make it."""
    path = Path(settings.AUDIT_KEY_FILE)
    if path.exists():
        AuditKeys.from_file(path)


@lru_cache(maxsize=1)
def audit_keys() -> AuditKeys:
    return AuditKeys.from_file(Path(settings.AUDIT_KEY_FILE))
