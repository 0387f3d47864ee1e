"""Receipt codes: the reporter's only key to their case.

A code is 24 digits, shown in six groups of four. The first
``LOOKUP_DIGITS`` digits are a look-up part, stored in plain text and unique
within the organisation, so finding the case costs one indexed query. The
remaining ``SECRET_DIGITS`` digits are the secret, stored only as an argon2id
hash with its own random salt, so checking a code costs exactly one argon2
call and no lock is held while it runs.

Why these figures (docs/security.md, "Receipt codes", has the measurements):
someone holding a database dump knows the look-up part and must guess the
secret: 10^18 candidates at one argon2id call of 64 MiB and 2 passes each.
The reference, a 16-digit code under argon2id at 128 MiB and 16 passes, is
10^16 candidates at 2048 MiB-passes; ours is 10^18 at 128 MiB-passes, which
costs an attacker 6.25 times more while a check here takes about 0.1 s
instead of 1.6 s.

A wrong code costs the same: when no case has the look-up part, the secret
is checked against a fixed dummy hash.
"""

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

LOOKUP_DIGITS = 6
SECRET_DIGITS = 18
CODE_DIGITS = LOOKUP_DIGITS + SECRET_DIGITS
GROUP = 4

ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PASSES = 2
ARGON2_LANES = 1

_hasher = PasswordHasher(
    time_cost=ARGON2_PASSES, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_LANES, hash_len=32, salt_len=16
)
# Checked when the look-up part matches nothing, so a wrong code takes as long as a right one.
_DUMMY_HASH = _hasher.hash("0" * SECRET_DIGITS)


class MalformedCode(ValueError):
    """The text is not 24 digits (after removing spaces and dashes)."""


@dataclass(frozen=True)
class ReceiptCode:
    lookup: str
    secret: str

    @classmethod
    def generate(cls) -> "ReceiptCode":
        digits = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        return cls(lookup=digits[:LOOKUP_DIGITS], secret=digits[LOOKUP_DIGITS:])

    @classmethod
    def parse(cls, text: str) -> "ReceiptCode":
        digits = "".join(ch for ch in text if ch not in " -\t\n.")
        if len(digits) != CODE_DIGITS or not digits.isascii() or not digits.isdigit():
            raise MalformedCode(text)
        return cls(lookup=digits[:LOOKUP_DIGITS], secret=digits[LOOKUP_DIGITS:])

    def __str__(self) -> str:
        digits = self.lookup + self.secret
        return " ".join(digits[i : i + GROUP] for i in range(0, CODE_DIGITS, GROUP))

    def __repr__(self) -> str:  # never print a secret into a log by accident
        return f"ReceiptCode(lookup={self.lookup!r}, secret=***)"

    def secret_hash(self) -> str:
        return _hasher.hash(self.secret)


def secret_matches(code: ReceiptCode, stored_hash: str | None) -> bool:
    """One argon2 call, whether or not there is a stored hash. No stored hash,
    and an empty one, never match (the dummy hash is of an all-zero secret)."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, code.secret) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


def find_case(organisation, text: str):
    """The case of this organisation whose receipt code is ``text``, or None.

    Always exactly one indexed query and one argon2 call, so a wrong code
    (or a malformed one) takes as long as a right one.
    """
    from meldpunt.cases.models import Case

    try:
        code = ReceiptCode.parse(text)
    except MalformedCode:
        code = ReceiptCode(lookup="-", secret="0" * SECRET_DIGITS)
    case = Case.objects.filter(organisation=organisation, receipt_lookup=code.lookup).first()
    if secret_matches(code, case.receipt_hash if case else None):
        return case
    return None
