"""Finding people in the registry by name, position title, category or portfolio.

A reporter types what they know ("wethouder Wonen", "Jansen", "manager
vergunningen"); we match every word against every current and former
appointment of the organisation and rank with rapidfuzz. The appointments'
words are read once per registry revision, day and language
(``meldpunt.registry.revision``), and each typed word is compared with each
distinct word once, so a search over 10,000 appointments needs no search
index. A word that starts a registry word counts fully ("weth" finds
"wethouder"), other words by their closest word (a typo still finds the
name); the weakest typed word decides, so "wethouder Wonen" does not find
every wethouder.

Subject resolution (``meldpunt.registry.resolve`` over the registry's
directory) runs on the same text, so that the ways Dutch people write names
find the person too: "B. vd Veld" or "A.J. van der Veld" for Bram van der
Veld, an e-mail address or account, "oud-wethouder Wonen". Whoever it links
without doubt comes first; whoever it proposes is shown.
"""

from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process, utils

from meldpunt.ids import parse_id
from meldpunt.registry import revision
from meldpunt.registry.models import Appointment, Category, Person, today
from meldpunt.registry.resolve import AUTO, resolve

MIN_SCORE = 75
MAX_RESULTS = 12
RESOLVED_SCORE = 101  # above every word match: the resolver is sure


@dataclass
class PersonHit:
    person: Person
    positions: list[str] = field(default_factory=list)
    score: float = 0.0


def describe_appointment(appointment: Appointment, day) -> str:
    position = appointment.position
    return _label(position.title, position.portfolio, appointment.end_date, day)


def _label(title: str, portfolio: str, end_date, day) -> str:
    label = title
    if portfolio:
        label += f" ({portfolio})"
    if end_date and end_date < day:
        label = _("%(position)s, tot %(year)s") % {"position": label, "year": end_date.year}
    return label


@dataclass(frozen=True)
class _Row:
    """One appointment as the search reads it: whose, its label, and its words."""

    person: int
    label: str
    tokens: tuple[str, ...]


def _rows(organisation, day) -> tuple[_Row, ...]:
    """Every appointment started by ``day``, ordered like the results (kept per registry revision)."""
    categories = dict(Category.choices)
    values = (
        Appointment.objects.filter(person__organisation=organisation, start_date__lte=day)
        .order_by("person__name", "-start_date")
        .values_list(
            "person_id",
            "person__name",
            "end_date",
            "position__title",
            "position__category",
            "position__portfolio",
            "position__unit",
        )
    )
    rows = []
    for person, name, end, title, category, portfolio, unit in values:
        text = " ".join([name, title, str(categories.get(category, category)), portfolio, unit])
        rows.append(_Row(person, _label(title, portfolio, end, day), tuple(utils.default_process(text).split())))
    return tuple(rows)


def search_people(organisation, query: str, limit: int = MAX_RESULTS) -> list[PersonHit]:
    query = (query or "").strip()
    if len(query) < 2:
        return []
    day = today()
    rows = revision.kept(organisation, ("search", get_language()), day, lambda: _rows(organisation, day))
    words = utils.default_process(query).split()
    # Each typed word against each distinct word of the registry once, not per appointment;
    # a score under MIN_SCORE counts as 0 (it keeps the appointment out either way).
    vocabulary = list({token for row in rows for token in row.tokens})
    per_word = [_word_scores(word, vocabulary) for word in words]
    labels: dict[int, list[str]] = {}
    scores: dict[int, float] = {}
    for row in rows:
        labels.setdefault(row.person, []).append(row.label)
        score = min((max((s.get(t, 0.0) for t in row.tokens), default=0.0) for s in per_word), default=0.0)
        scores[row.person] = max(scores.get(row.person, 0.0), score if row.tokens else 0.0)
    for candidate in resolve(revision.directory(organisation, day), query).candidates:
        if candidate.person in scores:  # only people who hold or held a position are offered
            resolved = RESOLVED_SCORE if candidate.level == AUTO else MIN_SCORE
            scores[candidate.person] = max(scores[candidate.person], resolved)
    chosen = [p for p, score in scores.items() if score >= MIN_SCORE]
    people = Person.objects.in_bulk(chosen)
    hits = [PersonHit(people[p], labels[p], scores[p]) for p in chosen if p in people]
    ranked = sorted(hits, key=lambda h: (-h.score, h.person.name))
    return ranked[:limit]


def _word_scores(word: str, vocabulary: list[str]) -> dict[str, float]:
    """The registry words this typed word matches with at least MIN_SCORE: fully when it
    starts the word ("weth" finds "wethouder"), else by how close it is (a typo)."""
    scores = {
        token: float(score)
        for token, score, _index in process.extract(
            word, vocabulary, scorer=fuzz.ratio, score_cutoff=MIN_SCORE, limit=None
        )
    }
    scores.update((token, 100.0) for token in vocabulary if token.startswith(word))
    return scores


def people_by_ids(organisation, ids) -> dict[int, Person]:
    """The organisation's people with these ids; anything that is not a valid id (meldpunt.ids) matches nobody."""
    valid = [i for i in (parse_id(raw) for raw in ids) if i is not None]
    return {p.pk: p for p in Person.objects.filter(organisation=organisation, pk__in=valid)}
