"""How Dutch people write names, parsed into parts that can be compared.

"A.J. van der Veld", "B. vd Veld", "Van der Veld", "Veld, A.J. van der",
"Bram van der Veld", "Jansen-de Vries", "Müller" and "Muller" must all be
understood as the names they are. This module only parses and normalises;
``meldpunt.registry.resolve`` compares. No database, no fuzzy matching here.

The parts:

* **initials**: "A.J." → ``("a", "j")``; single letters and letters with dots
  are initials, and so are the first letters of written first names;
* **first names**: the written ones ("Bram", "Jan-Willem");
* **tussenvoegsel**: "van der", "vd", "v.d.", "'t", "de", ... (written,
  abbreviated or capitalised when the first name is absent: "Van der Veld");
* **surname**: what is left ("Veld", "Jansen-de Vries"); its *key* is the
  surname without tussenvoegsel, accents, case and punctuation ("veld"), the
  thing two spellings of one person share. A double surname also gives the
  keys of its parts ("jansen", "vries").
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# A person's keys are computed once per distinct name per process: building an
# organisation's directory again (every search and submission) reuses them.
NAME_CACHE = 100_000

# Words that make up a tussenvoegsel, as written after folding (lower case, no accents).
TUSSENVOEGSEL_WORDS = frozenset(
    """van der den de het t 't ten ter te in op aan bij onder over uit voor d' da das
    di do dos du la le les lo von vom zum zur zu del della dei des l' 's el al""".split()
)
# Abbreviations of tussenvoegsels: "vd", "v.d.", "v/d" for van der / van de / van den, "v." for van.
TUSSENVOEGSEL_ABBREVIATIONS = frozenset({"vd", "v.d.", "v.d", "vd.", "v/d", "v.", "vdr", "v.der", "vden", "v.den"})

_INITIALS = re.compile(r"^(?:[a-z]\.)+[a-z]?$|^[a-z]$")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case without accents: 'Müller' → 'muller', 'Ërik' → 'erik'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def key(text: str) -> str:
    """A comparison key: folded, only letters and digits, words joined by one space."""
    return _SPACES.sub(" ", re.sub(r"[^0-9a-z]+", " ", fold(text))).strip()


def _is_tussenvoegsel(token: str) -> bool:
    word = fold(token)
    return word in TUSSENVOEGSEL_WORDS or word in TUSSENVOEGSEL_ABBREVIATIONS


def _initials_of(token: str) -> tuple[str, ...] | None:
    """'A.J.' → ('a', 'j'); 'B' → ('b',); 'AJ' (two or three capitals) → ('a', 'j'); else None."""
    word = fold(token)
    if _INITIALS.match(word):
        return tuple(word.replace(".", ""))
    if 2 <= len(token) <= 3 and token.isupper() and token.isalpha():
        return tuple(word)
    return None


@dataclass(frozen=True)
class NameParts:
    initials: tuple[str, ...] = ()
    first_names: tuple[str, ...] = ()
    tussenvoegsel: str = ""
    surname: str = ""

    @property
    def surname_key(self) -> str:
        return key(self.surname)

    @property
    def surname_keys(self) -> set[str]:
        """The surname's key and, for a double surname, the keys of its parts."""
        whole = self.surname_key
        if not whole:
            return set()
        parts = {key(p) for p in re.split(r"\s*-\s*", self.surname) if p.strip()}
        # "Jansen-de Vries": the part after the hyphen may carry its own tussenvoegsel.
        parts = {" ".join(w for w in part.split() if w not in TUSSENVOEGSEL_WORDS) or part for part in parts}
        return {whole.replace(" ", ""), *(p.replace(" ", "") for p in parts if p)}

    @property
    def all_initials(self) -> tuple[str, ...]:
        """Initials as written, or else the first letters of the written first names."""
        if self.initials:
            return self.initials
        letters = []
        for name in self.first_names:
            letters.extend(fold(part)[:1] for part in name.split("-") if part)
        return tuple(letters)

    @property
    def first_name_keys(self) -> tuple[str, ...]:
        return tuple(key(n) for n in self.first_names)


def _joins_surname(token: str) -> bool:
    """'Jansen-' or 'Jansen-de': the first half of a double surname whose second half follows."""
    if "-" not in token:
        return False
    last = token.rsplit("-", 1)[1]
    return last == "" or _is_tussenvoegsel(last)


def _given(tokens: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Split the tokens before a surname into initials, first names and tussenvoegsel words."""
    initials: list[str] = []
    first_names: list[str] = []
    index = 0
    while index < len(tokens) and not _is_tussenvoegsel(tokens[index]):
        found = _initials_of(tokens[index])
        if found:
            initials.extend(found)
        else:
            first_names.append(tokens[index])
        index += 1
    return initials, first_names, tokens[index:]


def parse(text: str) -> NameParts:
    """The parts of a written name (see the module docstring). Empty text gives empty parts."""
    text = _SPACES.sub(" ", (text or "").strip())
    if not text:
        return NameParts()
    if "," in text:
        # "Veld, A.J. van der": surname first, then initials or first names and the tussenvoegsel.
        surname, rest = (part.strip() for part in text.split(",", 1))
        initials, first_names, tussen = _given(rest.split(" ") if rest else [])
        return NameParts(tuple(initials), tuple(first_names), fold(" ".join(tussen)), surname)
    # "Jansen - de Vries" → "Jansen-de Vries": a double surname joined by a hyphen.
    tokens = re.sub(r"\s*-\s*", "-", text).split(" ")
    # The last token is always (part of) the surname; before it come given names or
    # initials, then perhaps a tussenvoegsel ("Van der Veld": no given names at all).
    split = len(tokens) - 1
    while split > 0 and _joins_surname(tokens[split - 1]):
        split -= 1  # "Jansen-de" in "Jansen-de Vries"
    while split > 0 and _is_tussenvoegsel(tokens[split - 1]):
        split -= 1
    given, surname = tokens[:split], tokens[split:]
    tussen = []
    while surname[:-1] and _is_tussenvoegsel(surname[0]):
        tussen.append(surname.pop(0))
    initials, first_names, stray = _given(given)
    return NameParts(tuple(initials), tuple(first_names + stray), fold(" ".join(tussen)), " ".join(surname))


@dataclass(frozen=True)
class PersonName:
    """Everything the registry knows about how a person is called."""

    name: str
    voornamen: str = ""
    voorletters: str = ""
    roepnaam: str = ""
    tussenvoegsel: str = ""
    achternaam: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @lru_cache(maxsize=NAME_CACHE)  # noqa: B019  (frozen and hashable: the value is the key)
    def variants(self) -> tuple[NameParts, ...]:
        """The ways this person's name can be parsed: the display name, the
        official parts, and every alias."""
        found = [parse(self.name)]
        if self.achternaam:
            firsts = tuple(n for n in (self.roepnaam, *self.voornamen.split()) if n)
            letters = _initials_of(self.voorletters.replace(" ", "")) if self.voorletters else None
            found.append(
                NameParts(
                    initials=letters or (),
                    first_names=firsts,
                    tussenvoegsel=fold(self.tussenvoegsel),
                    surname=self.achternaam,
                )
            )
        found.extend(parse(alias) for alias in self.aliases if alias.strip())
        return tuple(found)

    @lru_cache(maxsize=NAME_CACHE)  # noqa: B019
    def first_name_keys(self) -> frozenset[str]:
        names = {key(n) for parts in self.variants() for n in parts.first_names}
        names |= {key(n) for n in (self.roepnaam, *self.voornamen.split()) if n}
        return frozenset(n for n in names if n)

    @lru_cache(maxsize=NAME_CACHE)  # noqa: B019
    def initials(self) -> frozenset[tuple[str, ...]]:
        found = {parts.all_initials for parts in self.variants() if parts.all_initials}
        if self.voornamen:
            found.add(tuple(fold(n)[:1] for n in self.voornamen.split()))
        if self.voorletters:
            letters = _initials_of(self.voorletters.replace(" ", ""))
            if letters:
                found.add(letters)
        return frozenset(found)

    @lru_cache(maxsize=NAME_CACHE)  # noqa: B019
    def surname_keys(self) -> frozenset[str]:
        return frozenset(k for parts in self.variants() for k in parts.surname_keys)


def initials_agree(written: tuple[str, ...], known: set[tuple[str, ...]]) -> bool:
    """'A.J.' agrees with a person whose initials start with A, J ('A.J.M.'), a
    single 'A.' with 'A.J.', and 'B.' with someone called Bram (the roepnaam's
    initials are among the known ones). 'J.' alone does not agree with 'A.J.'."""
    if not written:
        return False
    return any(initials[: len(written)] == written for initials in known)
