"""Who a case is about: links to registry people, how each was made, and proposals.

On submission (``prepare_subjects``, before the storing transaction) every
name the reporter typed is resolved against the organisation's registry
(``meldpunt.registry.resolve`` over ``meldpunt.registry.directory``) with the
period of the events:

* **auto**: the link points to the person at once, with the resolver's score
  (``SubjectLink.Origin.AUTOMATISCH``); what was typed stays sealed beside it;
* **propose**: the link stays a typed name and the candidates become
  ``SubjectProposal`` rows the handler confirms, rejects or replaces on the
  case page; namesakes are never linked on the surname alone (the resolver
  decides that, see docs/patterns.md);
* **nobody**: the link stays a typed name with an ``outsider_key``, a keyed
  hash of the normalised name (``outsider_key``), so that two reports about
  the same outsider meet in pattern detection while the name itself is kept
  only encrypted under the case key.

Names and role words of registry people in the narrative become proposals
too (``mentions``), never links.

The handler's decisions are actions here (``confirm``, ``reject``,
``correct``): each writes its audit event and, when a link changed, routes
the case again through the existing re-classification path
(``route_case`` with ``RECLASSIFIED``) and runs the pattern check, all in
one transaction.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from meldpunt.audit.log import actor_for_user, record
from meldpunt.cases.models import Case, SubjectLink, SubjectProposal
from meldpunt.crypto import name_keys
from meldpunt.protocol.service import RECLASSIFIED, route_case
from meldpunt.registry import revision
from meldpunt.registry.models import Person
from meldpunt.registry.names import fold, parse
from meldpunt.registry.resolve import AUTO, FORMER_WORDS, PROPOSE, ROLE_WORDS, Directory, resolve

Origin = SubjectLink.Origin
MAX_PROPOSALS = 3  # candidates proposed for one typed name
MAX_MENTIONS = 5  # further people proposed from the narrative
MENTION_SCORE = 60.0  # a name in the narrative must be at least this sure to be proposed


@dataclass
class Proposed:
    person: int
    score: float
    explanation: str


@dataclass
class Linked:
    """What ``prepare_subjects`` decided for one subject of the report."""

    origin: str
    score: float | None = None
    outsider_key: str = ""
    proposals: list[Proposed] = field(default_factory=list)


# Outsiders --------------------------------------------------------------------------------------------


def normalised_name(text: str) -> str:
    """The part of a typed name two spellings of one person share: the surname
    without tussenvoegsel, accents or punctuation, and the first initial when
    one was written. 'B. v.d. Veld', 'Bram van der Veld' and 'bram vd veld'
    all give 'veld|b'; 'Van der Veld' gives 'veld|'. Empty when no surname."""
    parts = parse(text)
    surname = parts.surname_key.replace(" ", "")
    if not surname:
        return ""
    initials = parts.all_initials
    return f"{surname}|{initials[0] if initials else ''}"


def outsider_keys(organisation_id: int, text: str) -> list[str]:
    """The keyed hashes of the typed name, the one to store first (crypto.name_keys)."""
    normalised = normalised_name(text)
    return name_keys(f"organisation:{organisation_id}", normalised) if normalised else []


# On submission ---------------------------------------------------------------------------------------


def _period(report) -> tuple[datetime.date, datetime.date] | None:
    first = report.period_start or report.period_end
    if first is None:
        return None
    return first, report.period_end or first


def _typed_text(subject) -> str:
    return " ".join(part for part in (subject.name, subject.function) if part)


def prepare_subjects(organisation, report, directory: Directory | None = None) -> Directory | None:
    """Resolve every typed subject of ``report`` (``ReportInput``) and record the
    outcome on it (``subject.linked``; ``subject.person`` for an automatic link).
    Pure reading: runs before the storing transaction. Returns the directory
    (for ``mentions``), or None when nothing needed it."""
    period = _period(report)
    for subject in report.subjects:
        if subject.person is not None:
            subject.linked = Linked(Origin.MELDER)
            continue
        text = _typed_text(subject)
        directory = directory or revision.directory(organisation)
        result = resolve(directory, text, period)
        top = result.candidates[0] if result.candidates else None
        if top is not None and top.level == AUTO:
            subject.person = Person.objects.get(pk=top.person)
            subject.linked = Linked(Origin.AUTOMATISCH, score=top.score)
            continue
        keys = outsider_keys(organisation.pk, subject.name or text)
        subject.linked = Linked(
            Origin.GETYPT,
            outsider_key=keys[0] if keys else "",
            proposals=[
                Proposed(c.person, c.score, c.explanation)
                for c in result.candidates[:MAX_PROPOSALS]
                if c.level == PROPOSE
            ],
        )
    if report.description.strip():
        directory = directory or revision.directory(organisation)
    return directory


_SENTENCE_WORDS = re.compile(r"[\w'’.@-]+")
WINDOW = 3  # words read beside a surname or role word in the narrative


def mentions(directory: Directory, text: str, period, exclude: set[int]) -> list[Proposed]:
    """Registry people the narrative names by name or role word ("de melding noemt
    ook de gemeentesecretaris"): candidates to propose, never to link.

    Every capitalised word that is a registry surname is read with up to three
    words before it ("Bram van der Veld"), every role word with up to three
    after it ("wethouder van Wonen"), each way as a typed name; the surest
    reading counts. Whom the resolver would link, or proposes with at least
    ``MENTION_SCORE``, is proposed."""
    words = _SENTENCE_WORDS.findall(text or "")
    found: dict[int, Proposed] = {}
    for index, word in enumerate(words):
        folded = fold(word).strip(".'’-")
        if word[:1].isupper() and folded.replace("-", "") in directory.by_surname:
            windows = [words[start : index + 1] for start in range(max(0, index - WINDOW), index + 1)]
        elif folded in ROLE_WORDS or folded.removeprefix("oud-").removeprefix("ex-") in ROLE_WORDS:
            begin = index - 1 if index and fold(words[index - 1]) in FORMER_WORDS else index
            windows = [words[begin:end] for end in range(index + 1, min(len(words), index + WINDOW) + 1)]
        else:
            continue
        best = _surest(directory, windows, period)
        if best is None or best.person in exclude or (best.level != AUTO and best.score < MENTION_SCORE):
            continue
        if best.person not in found or found[best.person].score < best.score:
            found[best.person] = Proposed(best.person, best.score, best.explanation)
    return sorted(found.values(), key=lambda p: -p.score)[:MAX_MENTIONS]


def _surest(directory: Directory, windows: list[list[str]], period):
    best = None
    for window in windows:
        for candidate in resolve(directory, " ".join(window), period).candidates[:1]:
            if best is None or (candidate.level == AUTO, candidate.score) > (best.level == AUTO, best.score):
                best = candidate
    return best


def store_proposals(case: Case, links: list[SubjectLink], report, directory: Directory | None) -> list[SubjectProposal]:
    """Inside ``submit_report``'s transaction: the proposals for typed names and
    for people the narrative mentions."""
    proposals = []
    for link, subject in zip(links, report.subjects, strict=True):
        linked = getattr(subject, "linked", None)
        for proposed in linked.proposals if linked else ():
            proposals.append(
                SubjectProposal(
                    case=case,
                    link=link,
                    person_id=proposed.person,
                    source=SubjectProposal.Source.GETYPT,
                    score=proposed.score,
                    explanation=proposed.explanation[:500],
                )
            )
    if directory is not None and report.description.strip():
        named = {link.person_id for link in links if link.person_id}
        named |= {p.person_id for p in proposals}
        for proposed in mentions(directory, report.description, _period(report), named):
            proposals.append(
                SubjectProposal(
                    case=case,
                    person_id=proposed.person,
                    source=SubjectProposal.Source.VERMELDING,
                    score=proposed.score,
                    explanation=proposed.explanation[:500],
                )
            )
    return SubjectProposal.objects.bulk_create(proposals)


def link_fields(subject) -> dict:
    """The provenance fields of a new SubjectLink for ``subject`` (after ``prepare_subjects``)."""
    linked = getattr(subject, "linked", None)
    if linked is None:  # not prepared: a registry pick or a typed name, as given
        return {"origin": Origin.MELDER if subject.person is not None else Origin.GETYPT}
    return {"origin": linked.origin, "score": linked.score, "outsider_key": linked.outsider_key}


# The handler's decisions -----------------------------------------------------------------------------


class ProposalClosed(Exception):
    """The proposal was already decided (by someone else, or in another tab)."""


def _relink(case: Case, staff_user, event: str, **detail) -> None:
    """Audit, route again and check the pattern: inside the caller's transaction."""
    from meldpunt.cases import patterns

    actor = actor_for_user(staff_user)
    record(event, actor=actor, organisation=case.organisation, case=case, **detail)
    route_case(case, trigger=RECLASSIFIED, actor=actor)
    patterns.case_joined(case)


def _open_proposal(case: Case, proposal_id) -> SubjectProposal:
    proposal = SubjectProposal.objects.select_for_update().filter(case=case, pk=proposal_id).first()
    if proposal is None or proposal.state != SubjectProposal.State.OPEN:
        raise ProposalClosed
    return proposal


def _close_others(proposal: SubjectProposal, staff_user, now) -> None:
    if proposal.link_id is not None:
        SubjectProposal.objects.filter(link_id=proposal.link_id, state=SubjectProposal.State.OPEN).exclude(
            pk=proposal.pk
        ).update(state=SubjectProposal.State.AFGEWEZEN, decided_by=staff_user, decided_at=now)


def confirm(case: Case, proposal_id, *, staff_user, role: str = SubjectLink.Role.BETROKKENE) -> SubjectLink:
    """The handler confirms a proposal: a typed name's link now points to the
    person (``BEVESTIGD``), or the person the narrative mentions is linked
    (``VERMELD``, as ``role``). Raises ``ProposalClosed`` when already decided."""
    now = timezone.now()
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        proposal = _open_proposal(case, proposal_id)
        proposal.state, proposal.decided_by, proposal.decided_at = SubjectProposal.State.BEVESTIGD, staff_user, now
        proposal.save(update_fields=["state", "decided_by", "decided_at"])
        _close_others(proposal, staff_user, now)
        if proposal.link_id is not None:
            link = proposal.link
            link.person_id, link.origin, link.outsider_key = proposal.person_id, Origin.BEVESTIGD, ""
        else:
            link = SubjectLink(case=case, role=role, person_id=proposal.person_id, origin=Origin.VERMELD)
        link.score, link.decided_by, link.decided_at = proposal.score, staff_user, now
        link.save()
        _relink(case, staff_user, "case.subject_confirmed", proposal=proposal.pk, source=proposal.source)
    return link


def reject(case: Case, proposal_id, *, staff_user) -> SubjectProposal:
    """The handler says the proposed person is not meant. Nothing is routed."""
    now = timezone.now()
    with transaction.atomic():
        proposal = _open_proposal(case, proposal_id)
        proposal.state, proposal.decided_by, proposal.decided_at = SubjectProposal.State.AFGEWEZEN, staff_user, now
        proposal.save(update_fields=["state", "decided_by", "decided_at"])
        record(
            "case.subject_rejected",
            actor=actor_for_user(staff_user),
            organisation=case.organisation,
            case=case,
            proposal=proposal.pk,
        )
    return proposal


def correct(case: Case, link_public_id, person: Person, *, staff_user) -> SubjectLink:
    """The handler links a subject to another person than proposed or resolved
    ("kies een ander"): ``GECORRIGEERD``; open proposals for it are closed."""
    now = timezone.now()
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        link = SubjectLink.objects.select_for_update().get(case=case, public_id=link_public_id)
        previous = link.person_id
        link.person, link.origin, link.outsider_key = person, Origin.GECORRIGEERD, ""
        link.score, link.decided_by, link.decided_at = None, staff_user, now
        link.save()
        SubjectProposal.objects.filter(link=link, state=SubjectProposal.State.OPEN).update(
            state=SubjectProposal.State.AFGEWEZEN, decided_by=staff_user, decided_at=now
        )
        _relink(case, staff_user, "case.subject_corrected", previous=previous, person=person.pk)
    return link
