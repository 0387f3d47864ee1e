"""One strict rule for every database id that arrives in a request.

An id is 1 to 19 ASCII digits, no sign, no spaces, no other digits that
``str.isdigit()`` or ``int()`` would accept (superscripts, Arabic-Indic
digits), and fits a positive 63-bit integer (the largest key SQLite and
PostgreSQL ``bigint`` hold). Anything else is not an id: callers treat it as
"no such person/position/..." and answer with their normal message, never
with a server error.
"""

import re

from django.urls import register_converter

MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")


def parse_id(raw) -> int | None:
    """The id in ``raw`` (a string from a request), or None when it is not a valid id."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 1 <= raw <= MAX_ID else None
    if not isinstance(raw, str) or not _ID.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


class IdConverter:
    """URL converter ``<id:pk>``: like ``<int:pk>`` but bounded, so an
    oversized number in a URL is a plain 404, not a database overflow."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise ValueError(value)
        return parsed

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
