"""Signatures: the only module that uses Ed25519 and the signing key file.

What is signed with it: the proof of filing (``meldpunt/bewijs``) and the
audit checkpoints. docs/security.md ('De ondertekeningssleutel') has the full
story; in short:

* A signing key file lives outside the database (``settings.SIGNING_KEY_FILE``),
  apart from the key-encryption key. It has the same line format as that
  file: ``<key id> <base64 32-byte master seed>``. The first line signs, every
  line verifies, so a rotation adds a new first line and keeps the old ones:
  what was signed before still verifies, and a key that is removed (after a
  compromise) no longer verifies anything.
* Every organisation has its own Ed25519 key, derived from the master seed
  with HKDF-SHA-256 bound to the organisation's primary key (``None`` is the
  installation itself, for the global audit chain). So creating an
  organisation writes nothing, and one organisation's signature never
  verifies as another's.
* A signed message must say what it is in its own bytes (the proof starts
  with ``MELDPUNT-BEWIJS``, a checkpoint names itself), so that a signature
  made for one purpose cannot be presented as another. ``sign`` signs the
  message as given, so anyone can check a proof with the published public
  key and any Ed25519 tool.
"""

import base64
import binascii
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from meldpunt.private_files import create_key_file, read_key_file

SEED_BYTES = 32
SIGNATURE_BYTES = 64
PUBLIC_KEY_BYTES = 32
_SALT = b"meldpunt-signing-key-v1"


@dataclass(frozen=True)
class Signature:
    key_id: str
    signature: bytes  # 64 bytes, Ed25519

    @property
    def b64(self) -> str:
        return base64.b64encode(self.signature).decode("ascii")


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    raw: bytes  # 32 bytes, Ed25519
    active: bool

    @property
    def b64(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")


@dataclass(frozen=True)
class SigningRing:
    seeds: dict[str, bytes]
    active_id: str

    @classmethod
    def from_file(cls, path: Path) -> "SigningRing":
        seeds, active_id = read_key_file(
            path, label="Signing key file", variable="MELDPUNT_SIGNING_KEY_FILE", key_bytes=SEED_BYTES
        )
        return cls(seeds=seeds, active_id=active_id)

    def ordered_ids(self) -> list[str]:
        return [self.active_id, *(k for k in self.seeds if k != self.active_id)]


def create_signing_key_file(path: Path) -> bool:
    """Write a new signing key file with one random master seed; False if it already exists."""
    header = (
        "# Meldpunt signing key (proofs of filing, audit checkpoints). Keep it secret, back it up apart\n"
        "# from the database. First line signs; older lines below it keep old signatures verifiable.\n"
    )
    return create_key_file(path, id_prefix="s", header=header, key_bytes=SEED_BYTES)


def check_signing_key_file() -> None:
    """Refuse a signing key file that is there but wrong when Meldpunt starts;
    a missing file is reported at first use (``manage.py create_key`` makes it)."""
    path = Path(settings.SIGNING_KEY_FILE)
    if path.exists():
        SigningRing.from_file(path)


@lru_cache(maxsize=1)
def signing_ring() -> SigningRing:
    return SigningRing.from_file(Path(settings.SIGNING_KEY_FILE))


def clear_cache() -> None:
    """Forget the read key file and the derived keys (tests, after a rotation)."""
    signing_ring.cache_clear()
    _derived_key.cache_clear()


def _owner(organisation) -> str:
    if organisation is None:
        return "installation"
    if organisation.pk is None:
        raise ValueError("an organisation must be saved before it can sign")
    return f"organisation:{organisation.pk}"


@lru_cache(maxsize=256)
def _derived_key(seed: bytes, owner: str) -> Ed25519PrivateKey:
    derived = HKDF(algorithm=hashes.SHA256(), length=SEED_BYTES, salt=_SALT, info=owner.encode()).derive(seed)
    return Ed25519PrivateKey.from_private_bytes(derived)


def _public_raw(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw)


def sign(organisation, message: bytes) -> Signature:
    """Sign ``message`` with the organisation's active key (``None``: the installation's)."""
    ring = signing_ring()
    private = _derived_key(ring.seeds[ring.active_id], _owner(organisation))
    return Signature(key_id=ring.active_id, signature=private.sign(bytes(message)))


def verify(organisation, key_id: str, message: bytes, signature: bytes) -> bool:
    """True only if ``signature`` is the organisation's signature of ``message``
    under the key ``key_id`` of the key file. Never raises on bad input: an
    unknown key id, a signature of the wrong length or type, a message that is
    not bytes, an unsaved organisation all give False."""
    try:
        if not isinstance(key_id, str) or not isinstance(message, bytes | bytearray | memoryview):
            return False
        if not isinstance(signature, bytes | bytearray | memoryview) or len(signature) != SIGNATURE_BYTES:
            return False
        seed = signing_ring().seeds.get(key_id)
        if seed is None:
            return False
        public = _derived_key(seed, _owner(organisation)).public_key()
        public.verify(bytes(signature), bytes(message))
        return True
    except (InvalidSignature, ValueError, TypeError, AttributeError):
        return False


def verify_with_public_key(raw_public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Verify against a published public key itself (what an outsider does)."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes(raw_public_key)).verify(bytes(signature), bytes(message))
        return True
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False


def public_keys(organisation) -> list[PublicKey]:
    """The organisation's public keys (``None``: the installation's), the
    active one first, then the older ones still in the key file."""
    ring = signing_ring()
    owner = _owner(organisation)
    return [
        PublicKey(
            key_id=key_id, raw=_public_raw(_derived_key(ring.seeds[key_id], owner)), active=key_id == ring.active_id
        )
        for key_id in ring.ordered_ids()
    ]
