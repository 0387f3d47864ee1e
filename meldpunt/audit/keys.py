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

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from meldpunt.private_files import create_key_file, read_key_file

KEY_BYTES = 32


@dataclass(frozen=True)
class AuditKeys:
    keys: dict[str, bytes]
    active_id: str

    @classmethod
    def from_file(cls, path: Path) -> "AuditKeys":
        keys, active_id = read_key_file(
            path,
            label="Audit key file",
            variable="MELDPUNT_AUDIT_KEY_FILE",
            key_name="the audit key",
            key_bytes=KEY_BYTES,
            max_id_length=20,
        )
        return cls(keys=keys, active_id=active_id)

    def seal(self, key_id: str, payload: bytes) -> str:
        """HMAC-SHA-256 (hex) of ``payload`` under key ``key_id``; KeyError if that key is not in the file."""
        return hmac.new(self.keys[key_id], payload, hashlib.sha256).hexdigest()


def create_audit_key_file(path: Path) -> bool:
    """Write a new audit key file with one random key; False if it already exists."""
    header = (
        "# Meldpunt audit key: seals the audit trail. Keep it secret, back it up apart from the database;\n"
        "# to rotate, add a new first line and keep the old lines (they verify the older events).\n"
    )
    return create_key_file(path, id_prefix="a", header=header, key_bytes=KEY_BYTES)


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
