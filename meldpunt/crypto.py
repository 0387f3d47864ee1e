"""Encryption at rest: the only module that uses AES-GCM and the key file.

(Other primitives live with their one use: argon2id for receipt codes in
``cases/receipts.py``, HMAC-SHA-256 for rate-limit keys in ``throttle/``,
SHA-256 for the audit chain in ``audit/models.py``.) The keyed hashes of
outsiders' names (``name_keys``) are HMAC-SHA-256 under a key derived from
each KEK, so a database reader without the key file cannot test a guess.

Design (docs/security.md has the full story):

* A key-encryption key (KEK) lives in a file outside the database
  (``settings.KEY_FILE``). The file may hold several keys, one per line as
  ``<key id> <base64 key>``; the first line is used to wrap new case keys,
  all lines can unwrap (key rotation).
* Every case gets its own random 256-bit data key. It is stored only
  wrapped (AES-GCM under the KEK) next to the case, with the KEK's id.
* Every encrypted value is AES-GCM under the case key with a fresh 96-bit
  nonce. The associated data binds a ciphertext to its case and purpose,
  so a value copied to another case or field fails to decrypt.
"""

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from meldpunt.private_files import create_key_file as create_private_key_file
from meldpunt.private_files import read_key_file

FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionError(Exception):
    """A value could not be decrypted: wrong key, wrong context or tampering."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    active_id: str

    @classmethod
    def from_file(cls, path: Path) -> "KeyRing":
        keys, active_id = read_key_file(path, label="Key file", variable="MELDPUNT_KEY_FILE", key_bytes=KEY_BYTES)
        return cls(keys=keys, active_id=active_id)

    def wrap(self, data_key: bytes, context: str) -> tuple[str, bytes]:
        kek = self.keys[self.active_id]
        return self.active_id, _seal(kek, data_key, b"case-key:" + context.encode())

    def unwrap(self, key_id: str, wrapped: bytes, context: str) -> bytes:
        try:
            kek = self.keys[key_id]
        except KeyError:
            raise DecryptionError(f"key-encryption key {key_id!r} is not in the key file") from None
        return _open(kek, bytes(wrapped), b"case-key:" + context.encode())


def create_key_file(path: Path) -> bool:
    """Write a new key file with one random key; False if it already exists."""
    header = "# Meldpunt key-encryption key. Keep it secret, back it up apart from the database.\n"
    return create_private_key_file(path, id_prefix="k", header=header, key_bytes=KEY_BYTES)


def check_key_file() -> None:
    """Refuse a key file that is there but wrong (a duplicate key id, a bad
    line) when Meldpunt starts, not at the first report. A missing file is
    reported at first use, so that ``manage.py create_key`` can make it."""
    path = Path(settings.KEY_FILE)
    if path.exists():
        KeyRing.from_file(path)


@lru_cache(maxsize=1)
def keyring() -> KeyRing:
    return KeyRing.from_file(Path(settings.KEY_FILE))


def name_keys(scope: str, normalised: str) -> list[str]:
    """Keyed hashes (HMAC-SHA-256, hex) of a normalised name within ``scope``
    (an organisation), one under each KEK of the key file, the active one
    first: a new value is stored under the first, a look-up matches any, so
    rotating the KEK does not keep two reports about one outsider apart."""
    return _keyed_hashes(b"outsider-name-key", scope, normalised)


def reporter_keys(scope: str, normalised: str) -> list[str]:
    """Keyed hashes of a named reporter's normalised identity within ``scope``
    (pattern detection counts reporters, not reports): as ``name_keys``, under
    a key of its own, so a reporter's key never equals an outsider's."""
    return _keyed_hashes(b"reporter-identity-key", scope, normalised)


def _keyed_hashes(purpose: bytes, scope: str, normalised: str) -> list[str]:
    ring = keyring()
    ordered = [ring.active_id, *(k for k in ring.keys if k != ring.active_id)]
    found = []
    for key_id in ordered:
        purpose_key = hmac.new(ring.keys[key_id], purpose, hashlib.sha256).digest()
        found.append(hmac.new(purpose_key, f"{scope}:{normalised}".encode(), hashlib.sha256).hexdigest())
    return found


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != FORMAT_VERSION:
        raise DecryptionError("not a Meldpunt ciphertext")
    nonce, ciphertext = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise DecryptionError("ciphertext does not match its key or context") from None


class CaseKey:
    """The data key of one case, unwrapped in memory for the length of a request."""

    def __init__(self, context: str, data_key: bytes):
        self._context = context
        self._key = data_key

    @classmethod
    def create(cls, context: str) -> tuple["CaseKey", str, bytes]:
        """A new random key for the case identified by ``context``; returns
        the key and what to store: the KEK id and the wrapped key."""
        data_key = AESGCM.generate_key(bit_length=256)
        key_id, wrapped = keyring().wrap(data_key, context)
        return cls(context, data_key), key_id, wrapped

    @classmethod
    def load(cls, context: str, key_id: str, wrapped: bytes) -> "CaseKey":
        return cls(context, keyring().unwrap(key_id, wrapped, context))

    def _aad(self, purpose: str) -> bytes:
        return f"{self._context}|{purpose}".encode()

    def seal(self, purpose: str, data: bytes) -> bytes:
        return _seal(self._key, data, self._aad(purpose))

    def open(self, purpose: str, blob: bytes) -> bytes:
        return _open(self._key, bytes(blob), self._aad(purpose))

    def seal_text(self, purpose: str, text: str) -> bytes:
        return self.seal(purpose, text.encode("utf-8"))

    def open_text(self, purpose: str, blob: bytes) -> str:
        return self.open(purpose, blob).decode("utf-8")

    def seal_json(self, purpose: str, value) -> bytes:
        return self.seal(purpose, json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    def open_json(self, purpose: str, blob: bytes):
        return json.loads(self.open(purpose, blob))


# Secrets only a browser holds -----------------------------------------------------------------------
# A one-time token that a reporter's browser holds (the report form's submission
# token) is stored only as a digest; a value sealed under a key derived from the
# token can be opened only by whoever presents the token again. The token is 256
# random bits, so neither the digest nor the sealed value can be worked back.


def new_token() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def token_digest(token: str, purpose: str) -> str:
    import hashlib

    return hashlib.sha256(f"{purpose}|{token}".encode()).hexdigest()


def _holder_key(token: str, purpose: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode()).derive(token.encode())


def seal_for_token_holder(token: str, purpose: str, text: str) -> bytes:
    return _seal(_holder_key(token, purpose), text.encode("utf-8"), purpose.encode())


def open_for_token_holder(token: str, purpose: str, blob: bytes) -> str:
    return _open(_holder_key(token, purpose), bytes(blob), purpose.encode()).decode("utf-8")
