"""Finding people in the registry by name, position title, category or portfolio.

A reporter types what they know ("wethouder Wonen", "Jansen", "manager
vergunningen"); we match every word against every current and former
appointment of the organisation and rank with rapidfuzz. Registries are
small (hundreds to a few thousand appointments) and the search runs on one
organisation, so matching in Python is fast and needs no search index.

Subject resolution (``meldpunt.registry.resolve`` over the registry's
directory) runs on the same text, so that the ways Dutch people write names
find the person too: "B. vd Veld" or "A.J. van der Veld" for Bram van der
Veld, an e-mail address or account, "oud-wethouder Wonen". Whoever it links
without doubt comes first; whoever it proposes is shown.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process, utils

from meldpunt.ids import parse_id
from meldpunt.registry import revision
from meldpunt.registry.models import Appointment, Person, today
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
    label = position.title
    if position.portfolio:
        label += f" ({position.portfolio})"
    if appointment.end_date and appointment.end_date < day:
        label = _("%(position)s, tot %(year)s") % {"position": label, "year": appointment.end_date.year}
    return label


def search_people(organisation, query: str, limit: int = MAX_RESULTS) -> list[PersonHit]:
    query = (query or "").strip()
    if len(query) < 2:
        return []
    day = today()
    appointments = (
        Appointment.objects.filter(person__organisation=organisation, start_date__lte=day)
        .select_related("person", "position")
        .order_by("person__name", "-start_date")
    )
    hits: dict[int, PersonHit] = {}
    words = utils.default_process(query).split()
    for appointment in appointments:
        position = appointment.position
        hit = hits.setdefault(appointment.person_id, PersonHit(appointment.person))
        hit.positions.append(describe_appointment(appointment, day))
        text = " ".join(
            [
                appointment.person.name,
                position.title,
                position.get_category_display(),
                position.portfolio,
                position.unit,
            ]
        )
        hit.score = max(hit.score, match_score(words, utils.default_process(text).split()))
    for candidate in resolve(revision.directory(organisation, day), query).candidates:
        hit = hits.get(candidate.person)
        if hit is not None:  # only people who hold or held a position are offered
            hit.score = max(hit.score, RESOLVED_SCORE if candidate.level == AUTO else MIN_SCORE)
    ranked = sorted((h for h in hits.values() if h.score >= MIN_SCORE), key=lambda h: (-h.score, h.person.name))
    return ranked[:limit]


def people_by_ids(organisation, ids) -> dict[int, Person]:
    """The organisation's people with these ids; anything that is not a valid id (meldpunt.ids) matches nobody."""
    valid = [i for i in (parse_id(raw) for raw in ids) if i is not None]
    return {p.pk: p for p in Person.objects.filter(organisation=organisation, pk__in=valid)}


def match_score(words: list[str], tokens: list[str]) -> float:
    """How well every typed word matches some word of the text (0-100).

    A word that starts a token counts fully ("weth" finds "wethouder"); other
    words count by their closest token, so a typo still finds the name. The
    weakest word decides, so "wethouder Wonen" does not find every wethouder.
    """
    if not words or not tokens:
        return 0.0
    scores = []
    for word in words:
        if any(token.startswith(word) for token in tokens):
            scores.append(100.0)
            continue
        best = process.extractOne(word, tokens, scorer=fuzz.ratio)
        scores.append(best[1] if best else 0.0)
    return min(scores)
