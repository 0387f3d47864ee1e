"""Files only Meldpunt's own user may read: the key files (key-encryption,
signing and audit keys) and the generated secret key.

A file is written whole to a temporary file that is created readable by its
owner only (0600), then linked under its name in one step. So it is never
readable by others, not even for a moment, and nobody ever reads it half
written; when two processes start at once, the first link wins and the other
uses that file.
"""

import base64
import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def create_private_file(path: Path, text: str) -> bool:
    """Write ``text`` to a new file ``path``, mode 0600; False (and nothing
    changed) if ``path`` already exists."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(temporary)


# Key files ------------------------------------------------------------------------------------------
# The three key files share one format: ``<key id> <base64 key>`` a line, comments
# with ``#``. The first key is the active one; the lines below it are older keys,
# kept so that what they sealed or signed can still be opened or checked (rotation).


def read_key_file(
    path: Path,
    *,
    label: str,
    variable: str,
    key_name: str = "key",
    key_bytes: int = 32,
    max_id_length: int | None = None,
) -> tuple[dict[str, bytes], str]:
    """The keys of a key file by id, and the active (first) id. ``label`` names
    the file in messages ("Key file", "Signing key file"), ``variable`` the
    setting that points at it; every fault stops Meldpunt with the line number."""
    if not path.exists():
        raise ImproperlyConfigured(
            f"{label} {path} is missing. Create one with 'manage.py create_key' "
            f"(make run does this) or point {variable} at it."
        )
    keys: dict[str, bytes] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            key_id, encoded = line.split()
            key = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise ImproperlyConfigured(f"{path}, line {number}: expected '<key id> <base64 key>'") from None
        if len(key) != key_bytes:
            raise ImproperlyConfigured(f"{path}, line {number}: {key_name} must be {key_bytes} bytes")
        if max_id_length is not None and len(key_id) > max_id_length:
            raise ImproperlyConfigured(f"{path}, line {number}: a key id has at most {max_id_length} characters")
        if key_id in keys:
            # A later line would silently replace the key that seals (or opens) under this id.
            raise ImproperlyConfigured(
                f"{path}, line {number}: key id {key_id!r} appears more than once; every key needs its own id"
            )
        keys[key_id] = key
    if not keys:
        raise ImproperlyConfigured(f"{label} {path} holds no key")
    return keys, next(iter(keys))


def create_key_file(path: Path, *, id_prefix: str, header: str, key_bytes: int = 32) -> bool:
    """Write a new key file with one random key under ``header`` (comment lines);
    False if it already exists."""
    path = Path(path)
    if path.exists():
        return False
    encoded = base64.b64encode(secrets.token_bytes(key_bytes)).decode()
    return create_private_file(path, f"{header}{id_prefix}{secrets.token_hex(4)} {encoded}\n")
