"""Subject resolution: who in the registry a report is about. One entry point: ``resolve``.

Whatever a reporter or handler gives about the accused — a typed name in any
of the ways Dutch people write names, a role ("de wethouder van Wonen",
"oud-wethouder", "de burgemeester"), an e-mail address or social-media handle,
or several of these — together with the date or period of the events, is
matched against a ``Directory`` of the organisation's people and returns
ranked ``Candidate``s, each with a score, a level and a plain explanation
("achternaam en voorletter komen overeen; was wethouder Wonen op 12 april 2017").

Levels:

* ``AUTO``: high confidence, may be linked without asking: the surname is
  exactly right *and* a first name, the initials or the role at the date
  agree; or an e-mail address or handle is exactly the person's (an office's
  own address belongs to whoever held the office on that date); or a role
  with its portfolio (or a one-holder office such as burgemeester) had exactly
  one holder at the date. And no other candidate has the same evidence.
* ``PROPOSE``: shown to the handler, who confirms, rejects or picks another:
  a surname alone (namesakes are never linked on the surname alone), a
  surname that is close but not exact, a first name alone, a role with
  several holders.
* Nothing found: no candidates (the name stays a typed, unresolved person).

Role words count at the date of the events: "de wethouder van Wonen" in 2017
is whoever held that portfolio in 2017; "oud-", "ex-", "voormalig" and
"vorige" point to former holders. No database here: a ``Directory`` is built
once from an organisation's registry with every key precomputed, so a query
is a few dictionary look-ups and one rapidfuzz search over the distinct
surnames (about 1 ms with 10,000 people). Building it from the database and
storing links with how they were made is the next step of pattern detection
(docs/patterns.md).
"""

import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from meldpunt.registry.names import PersonName, fold, initials_agree, key, parse

AUTO = "auto"
PROPOSE = "propose"

# Close surnames: at or above this rapidfuzz ratio a surname "looks like" another.
SURNAME_CLOSE = 80
FIRST_NAME_CLOSE = 85
PORTFOLIO_CLOSE = 85

# The words for each category of position, as people write them (folded).
ROLE_WORDS = {
    "wethouder": "wethouder",
    "wethouders": "wethouder",
    "locoburgemeester": "wethouder",
    "burgemeester": "burgemeester",
    "burgervader": "burgemeester",
    "burgermoeder": "burgemeester",
    "gemeentesecretaris": "gemeentesecretaris",
    "secretaris": "gemeentesecretaris",
    "griffier": "griffier",
    "raadslid": "raadslid",
    "gemeenteraadslid": "raadslid",
    "raadsleden": "raadslid",
    "directeur": "directeur",
    "manager": "manager",
    "teamleider": "manager",
    "afdelingshoofd": "manager",
    "leidinggevende": "manager",
    "medewerker": "medewerker",
    "ambtenaar": "medewerker",
    "collega": "medewerker",
}
# Offices with one holder at a time: the role alone says who.
ONE_HOLDER = {"burgemeester", "gemeentesecretaris", "griffier"}
FORMER_WORDS = {"oud", "ex", "voormalig", "voormalige", "vorige", "toenmalig", "toenmalige"}
FILLER_WORDS = {"de", "het", "een", "van", "voor", "mevrouw", "meneer", "heer", "dhr", "mevr", "mw", "mr", "dr", "ir"}
_EMAIL = re.compile(r"[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}", re.I)
_HANDLE = re.compile(r"(?<![\w.])@([a-z0-9_.]{2,})", re.I)


@dataclass(frozen=True)
class Term:
    """A period in which a person held a position."""

    title: str
    category: str
    start: datetime.date
    end: datetime.date | None = None
    portfolio: str = ""
    unit: str = ""
    emails: tuple[str, ...] = ()  # the office's own addresses (wethouder.wonen@...)
    handles: tuple[str, ...] = ()

    def covers(self, first: datetime.date, last: datetime.date) -> bool:
        return self.start <= last and (self.end is None or self.end >= first)

    def words(self) -> tuple[str, ...]:
        return _words(self.title, self.portfolio, self.unit)


@lru_cache(maxsize=10_000)
def _words(title: str, portfolio: str, unit: str) -> tuple[str, ...]:
    return tuple(key(" ".join([title, portfolio, unit])).split())


@dataclass(frozen=True)
class Known:
    """A registry person as the resolver sees them."""

    id: int
    name: PersonName
    terms: tuple[Term, ...] = ()
    emails: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()


@dataclass
class Candidate:
    person: int
    score: float
    level: str
    explanation: str
    term: Term | None = None


@dataclass
class Resolution:
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def linked(self) -> int | None:
        """The person to link without asking, if any."""
        if self.candidates and self.candidates[0].level == AUTO:
            return self.candidates[0].person
        return None


class Directory:
    """The organisation's people with every comparison key precomputed."""

    def __init__(self, people: list[Known], today: datetime.date | None = None):
        self.people = {p.id: p for p in people}
        self.today = today or datetime.date.today()
        self.by_surname: dict[str, set[int]] = {}
        self.by_first_name: dict[str, set[int]] = {}
        self.by_address: dict[str, set[int]] = {}
        self.office_addresses: dict[str, list[tuple[int, Term]]] = {}
        self.first_names: dict[int, set[str]] = {}
        self.initials: dict[int, set[tuple[str, ...]]] = {}
        for person in people:
            for surname in person.name.surname_keys():
                self.by_surname.setdefault(surname, set()).add(person.id)
            self.first_names[person.id] = person.name.first_name_keys()
            for first in self.first_names[person.id]:
                self.by_first_name.setdefault(first, set()).add(person.id)
            self.initials[person.id] = person.name.initials()
            for address in (*person.emails, *person.handles):
                self.by_address.setdefault(_address_key(address), set()).add(person.id)
            for term in person.terms:
                for address in (*term.emails, *term.handles):
                    self.office_addresses.setdefault(_address_key(address), []).append((person.id, term))
        self.surnames = list(self.by_surname)
        # Per category of position: who ever held one, and the words of those positions
        # (a role query reads these instead of every appointment).
        self.by_category: dict[str, list[Known]] = {}
        self.vocabulary: dict[str, set[str]] = {}
        for person in people:
            for category in dict.fromkeys(term.category for term in person.terms):
                self.by_category.setdefault(category, []).append(person)
            for term in person.terms:
                self.vocabulary.setdefault(term.category, set()).update(_words(term.title, term.portfolio, term.unit))


def _address_key(address: str) -> str:
    return fold(address.strip()).lstrip("@")


def _on(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def describe_term(term: Term, first: datetime.date, last: datetime.date, today: datetime.date) -> str:
    """'was wethouder Wonen op 12 april 2017', 'is wethouder Wonen', 'was wethouder Wonen tot juli 2021'."""
    title = term.title[:1].lower() + term.title[1:]
    if first == last:
        if term.end is not None and term.end < today:
            return _("was %(title)s op %(day)s") % {"title": title, "day": _on(first)}
        if first == today:
            return _("is %(title)s") % {"title": title}
        return _("was %(title)s op %(day)s") % {"title": title, "day": _on(first)}
    return _("was %(title)s tussen %(first)s en %(last)s") % {"title": title, "first": _on(first), "last": _on(last)}


@dataclass
class _Query:
    text: str
    addresses: list[str]
    role: str | None
    former: bool
    role_words: list[str]  # portfolio, unit or title words after the role
    name_text: str


def _read(text: str, directory: Directory) -> _Query:
    """Split what was typed into addresses, a role with its words, and a name."""
    addresses = [m.group(0) for m in _EMAIL.finditer(text)]
    rest = _EMAIL.sub(" ", text)
    addresses += ["@" + m.group(1) for m in _HANDLE.finditer(rest)]
    rest = _HANDLE.sub(" ", rest)
    tokens = re.findall(r"[\w'’.-]+", rest)
    role, former, role_at = None, False, None
    for index, token in enumerate(tokens):
        word = key(token).replace(" ", "")
        for prefix in ("oud", "ex"):
            if word.startswith(prefix) and word[len(prefix) :] in ROLE_WORDS:
                former, word = True, word[len(prefix) :]
        if word in ROLE_WORDS and role is None:
            role, role_at = ROLE_WORDS[word], index
            former = former or (index > 0 and key(tokens[index - 1]) in FORMER_WORDS)
    if role is None:
        return _Query(text, addresses, None, False, [], " ".join(rest.split()))
    # After the role: words that fit a position of that category are role words; the rest is a name.
    vocabulary = directory.vocabulary.get(role, set())
    role_words, name_tokens = [], []
    for index, token in enumerate(tokens):
        word = key(token)
        if index == role_at or word in FORMER_WORDS or word.replace(" ", "") in ROLE_WORDS:
            continue
        if word.startswith(("oud ", "ex ")) and word.split(" ", 1)[1].replace(" ", "") in ROLE_WORDS:
            continue
        if index > role_at and word not in FILLER_WORDS and _fits(word, vocabulary):
            role_words.append(word)
        else:
            name_tokens.append(token)
    name_text = " ".join(name_tokens)
    if all(key(t) in FILLER_WORDS for t in name_tokens):
        name_text = ""
    return _Query(text, addresses, role, former, role_words, name_text)


def _fits(word: str, vocabulary: set[str]) -> bool:
    if word in vocabulary:
        return True
    best = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=PORTFOLIO_CLOSE)
    return best is not None


def _role_terms(
    person: Known, query: _Query, first: datetime.date, last: datetime.date, dated: bool, today: datetime.date
) -> list[Term]:
    """The person's terms that fit the role words at the date of the events."""
    found = []
    for term in person.terms:
        if term.category != query.role:
            continue
        words = term.words()
        if not all(_fits(w, set(words)) for w in query.role_words):
            continue
        if query.former:
            # A former holder: the term ended before the report (today), and
            # it covered the events if a date was given.
            if term.end is None or term.end >= today or (dated and not term.covers(first, last)):
                continue
        elif not term.covers(first, last):
            continue
        found.append(term)
    return found


def resolve(directory: Directory, text: str, period: tuple[datetime.date, datetime.date] | None = None) -> Resolution:
    """Ranked candidates for what was typed about the accused (see the module docstring).

    ``period`` is the date or period of the events; without it, today counts."""
    text = (text or "").strip()
    if not text:
        return Resolution()
    today = directory.today
    dated = period is not None
    first, last = period or (today, today)
    query = _read(text, directory)
    evidence: dict[int, dict] = {}

    def note(person: int, **facts):
        evidence.setdefault(person, {}).update(facts)

    # E-mail addresses and handles: the person's own, or the office's at the date.
    for address in query.addresses:
        for person in directory.by_address.get(_address_key(address), ()):
            note(person, address=True)
        for person, term in directory.office_addresses.get(_address_key(address), ()):
            if term.covers(first, last):
                note(person, address=True, term=term)

    # The name.
    parts = parse(query.name_text) if query.name_text else None
    if parts and parts.surname_keys:
        for surname in parts.surname_keys:
            for person in directory.by_surname.get(surname, ()):
                note(person, surname=100.0)
            for match, score, _index in process.extract(
                surname, directory.surnames, scorer=fuzz.ratio, score_cutoff=SURNAME_CLOSE, limit=20
            ):
                for person in directory.by_surname[match]:
                    if evidence.get(person, {}).get("surname", 0) < score:
                        note(person, surname=float(score))
        written_firsts = parts.first_name_keys
        if not written_firsts and not parts.initials and len(query.name_text.split()) == 1:
            # One word, no surname match: perhaps a first name alone ("Mohamed").
            for person in directory.by_first_name.get(parts.surname_key, ()):
                note(person, first_only=True)
        for person, facts in list(evidence.items()):
            if "surname" not in facts:
                continue
            known = directory.first_names.get(person, set())
            if written_firsts:
                best = max(
                    (fuzz.ratio(w, k) for w in written_firsts for k in known),
                    default=0.0,
                )
                facts["first_name"] = best >= FIRST_NAME_CLOSE
                facts["first_name_written"] = True
            if parts.initials:
                facts["initials"] = initials_agree(parts.initials, directory.initials.get(person, set()))
                facts["initials_written"] = True

    # The role at the date.
    if query.role:
        matched = set()
        for person in directory.by_category.get(query.role, ()):
            terms = _role_terms(person, query, first, last, dated, today)
            if terms:
                note(person.id, role=True, term=terms[0])
                matched.add(person.id)
        for person_id, facts in evidence.items():
            if person_id not in matched:
                facts["role"] = False

    candidates = [_weigh(directory, person, facts, query, first, last, today) for person, facts in evidence.items()]
    candidates = [c for c in candidates if c is not None]
    candidates.sort(key=lambda c: (-c.score, directory.people[c.person].name.name))
    # AUTO only when nobody else has the same evidence.
    autos = [c for c in candidates if c.level == AUTO]
    if len(autos) > 1:
        for candidate in autos:
            candidate.level = PROPOSE
    return Resolution(candidates)


def _weigh(directory, person, facts, query, first, last, today) -> Candidate | None:
    reasons, score = [], 0.0
    surname = facts.get("surname", 0.0)
    role = facts.get("role")
    role_with_detail = bool(query.role_words) or query.role in ONE_HOLDER or query.former
    if facts.get("address"):
        score = 100.0
        reasons.append(_("e-mailadres of account komt overeen"))
    if surname == 100.0:
        score = max(score, 60.0)
        reasons.append(_("achternaam komt overeen"))
    elif surname:
        score = max(score, surname * 0.5)
        reasons.append(_("achternaam lijkt erop (%(score)d%%)") % {"score": surname})
    agrees = []
    disagrees = False
    if facts.get("first_name_written"):
        if facts.get("first_name"):
            agrees.append(_("voornaam"))
        else:
            disagrees = True
    if facts.get("initials_written"):
        if facts.get("initials"):
            agrees.append(_("voorletters"))
        else:
            disagrees = True
    if agrees:
        score += 25.0
        reasons.append(_("%(what)s komt overeen") % {"what": (" " + _("en") + " ").join(agrees)})
    if disagrees:
        score -= 30.0
        reasons.append(_("voornaam of voorletters wijken af"))
    if role:
        score += 25.0 if surname else (60.0 if role_with_detail else 40.0)
    elif role is False and query.role:
        score -= 20.0
        reasons.append(_("de genoemde functie past niet bij deze persoon op die datum"))
    if facts.get("first_only"):
        score = max(score, 35.0)
        reasons.append(_("alleen de voornaam komt overeen"))
    term = facts.get("term")
    if term is not None:
        reasons.append(describe_term(term, first, last, today))
    if score <= 0 or not reasons:
        return None

    exact_name = surname == 100.0 and (agrees or role) and not disagrees
    role_only = role and not surname and not query.name_text and role_with_detail
    level = AUTO if facts.get("address") or exact_name or role_only else PROPOSE
    return Candidate(person, min(score, 100.0), level, "; ".join(reasons), term)
