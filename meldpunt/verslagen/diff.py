"""What changed between two versions of the minutes, word by word, for the case page."""

import difflib
import re
from dataclasses import dataclass

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Part:
    """A piece of text: ``same``, ``removed`` (only in the older version) or ``added``."""

    kind: str
    text: str


def changes(before: str, after: str) -> list[Part]:
    """The newer text in parts, with what the older one had instead: the words
    that stayed, were removed and were added, in reading order."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    parts = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(Part("same", "".join(new[b1:b2])))
            continue
        if a2 > a1:
            parts.append(Part("removed", "".join(old[a1:a2])))
        if b2 > b1:
            parts.append(Part("added", "".join(new[b1:b2])))
    return parts
