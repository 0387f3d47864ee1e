"""Receipt codes: the reporter's only key to their case.

A code is 28 digits, shown in seven groups of four. The first
``LOOKUP_DIGITS`` digits are a look-up part, stored in plain text and unique
within the organisation, so finding the case costs one indexed query. The
remaining ``SECRET_DIGITS`` digits are the secret, stored only as an argon2id
hash with its own random salt, so checking a code costs exactly one argon2
call and no lock is held while it runs.

Why these figures (docs/security.md, "Receipt codes", has the measurements):
someone holding a database dump knows the look-up part and must guess the
secret: 10^22 candidates at one argon2id call of 8 MiB and 1 pass each
(8 MiB-passes). The reference, a 16-digit code under argon2id at 128 MiB and
16 passes, is 10^16 candidates at 2048 MiB-passes. Ours costs an attacker
about 3900 times more in memory x passes, while a check takes about 10 ms
here, a tenth of the earlier 64 MiB / 2 passes.

Codes handed out before (24 digits: 6 look-up, 18 secret, hashed at 64 MiB
and 2 passes) keep working: both lengths parse, and argon2 verifies with the
parameters stored in each hash.

A wrong code costs the same as a right one of the same length: when no case
has the look-up part, or the case's hash is of the other generation, the
secret is checked against a dummy hash with that length's parameters.
"""

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

LOOKUP_DIGITS = 6
SECRET_DIGITS = 22
CODE_DIGITS = LOOKUP_DIGITS + SECRET_DIGITS
GROUP = 4

ARGON2_MEMORY_KIB = 8 * 1024
ARGON2_PASSES = 1
ARGON2_LANES = 1

# Codes handed out before: 24 digits, the secret hashed at 64 MiB and 2 passes.
# Only checked (argon2 reads the parameters from the stored hash), never made.
OLD_SECRET_DIGITS = 18
OLD_CODE_DIGITS = LOOKUP_DIGITS + OLD_SECRET_DIGITS
OLD_ARGON2_MEMORY_KIB = 64 * 1024
OLD_ARGON2_PASSES = 2

_hasher = PasswordHasher(
    time_cost=ARGON2_PASSES, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_LANES, hash_len=32, salt_len=16
)
_old_hasher = PasswordHasher(
    time_cost=OLD_ARGON2_PASSES, memory_cost=OLD_ARGON2_MEMORY_KIB, parallelism=ARGON2_LANES, hash_len=32, salt_len=16
)
# Checked when the look-up part matches nothing (or a hash of the other
# generation), so a wrong code takes as long as a right one of its length.
# Keyed by the secret's length; each with the parameters of that generation.
_DUMMY_HASHES = {
    SECRET_DIGITS: _hasher.hash("0" * SECRET_DIGITS),
    OLD_SECRET_DIGITS: _old_hasher.hash("0" * OLD_SECRET_DIGITS),
}
_DUMMY_HASH = _DUMMY_HASHES[SECRET_DIGITS]


def _parameters(stored_hash: str) -> tuple | None:
    try:
        p = extract_parameters(stored_hash)
    except (InvalidHashError, ValueError):
        return None
    return (p.type, p.memory_cost, p.time_cost, p.parallelism)


_DUMMY_PARAMETERS = {length: _parameters(dummy) for length, dummy in _DUMMY_HASHES.items()}


class MalformedCode(ValueError):
    """The text is not 28 (or, for an older code, 24) digits after removing spaces and dashes."""


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
        if len(digits) not in (CODE_DIGITS, OLD_CODE_DIGITS) or not digits.isascii() or not digits.isdigit():
            raise MalformedCode(text)
        return cls(lookup=digits[:LOOKUP_DIGITS], secret=digits[LOOKUP_DIGITS:])

    def __str__(self) -> str:
        digits = self.lookup + self.secret
        return " ".join(digits[i : i + GROUP] for i in range(0, len(digits), GROUP))

    def __repr__(self) -> str:  # never print a secret into a log by accident
        return f"ReceiptCode(lookup={self.lookup!r}, secret=***)"

    def secret_hash(self) -> str:
        return _hasher.hash(self.secret)


def secret_matches(code: ReceiptCode, stored_hash: str | None) -> bool:
    """One argon2 call, whether or not there is a stored hash. No stored hash,
    and an empty one, never match (the dummy hashes are of all-zero secrets).

    The call uses the parameters in the stored hash, so a code handed out
    under older parameters still opens its case. A hash whose parameters are
    not those of the code's length (a 28-digit code against a case with an
    older 24-digit code, or the reverse) cannot match; the secret is checked
    against that length's dummy hash instead, so the time taken tells nothing
    about which cases exist.
    """
    dummy = _DUMMY_HASHES.get(len(code.secret), _DUMMY_HASH)
    if stored_hash and _parameters(stored_hash) != _DUMMY_PARAMETERS.get(len(code.secret)):
        stored_hash = None
    try:
        return _hasher.verify(stored_hash or dummy, code.secret) and bool(stored_hash)
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
