"""Pattern detection: every case about the same person meets, across years,
channels and spellings (docs/patterns.md).

Two accused links are about the same person when they point to the same
registry person, or when both are typed names that are nobody in the
registry with the same ``outsider_key`` (a keyed hash, see
``meldpunt.cases.linking``). Look-ups go through the indexes on
``SubjectLink.person`` and ``SubjectLink.outsider_key``, never a scan of the
cases.

* ``case_joined(case)``: when a case's accused already appears in earlier
  cases of the organisation (any state, any year, any channel) and those
  cases and the new one come from at least the organisation's
  ``pattern_threshold`` different reporters (``sources``), the handlers who
  may open the case and the case's protocol recipients who may open it get a
  pattern alert: a notification without content, once per case and person,
  obeying exclusions like every notification. Called by ``submit_report``
  and after a link is confirmed or corrected, inside their transactions.
* ``earlier_cases_for(viewer, case)``: per accused link, the earlier cases
  about that person the viewer may open (the case page's "n eerdere zaken
  over deze persoon"); cases the viewer may not open are not counted.
* ``timeline(viewer, link)``: every case about the person of ``link`` the
  viewer may open, oldest first (the person timeline).
"""

import itertools
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from meldpunt.cases.models import Case, Kind, SubjectLink
from meldpunt.crypto import reporter_keys
from meldpunt.registry.names import key as name_key


def threshold(organisation) -> int:
    """How many different reporters make a pattern: the organisation's setting
    (2 to 20, on /beheer/patroon/; 2 unless changed)."""
    return organisation.pattern_threshold


# Reporters ------------------------------------------------------------------------------------------

_NOT_DIGITS = re.compile(r"\D+")


def normalised_identity(name: str, email: str, phone: str) -> str:
    """What stays the same between two reports of one named reporter: the
    e-mail address in lower case; without one, the phone number's digits (+31
    and 0031 written as 0); without either, the name folded (no accents, no
    capitals, no punctuation). Empty when nothing was given."""
    if email.strip():
        return "email:" + email.strip().casefold()
    digits = _NOT_DIGITS.sub("", phone)
    if phone.strip().startswith("+"):
        digits = "00" + digits
    if digits.startswith("0031"):
        digits = "0" + digits[4:]
    if digits:
        return "phone:" + digits
    folded = name_key(name)
    return "name:" + folded if folded else ""


def reporter_key(organisation_id: int, report, kind: str) -> str:
    """The ``Case.reporter_key`` of a new case: a keyed hash of the named
    reporter's normalised identity (``crypto.reporter_keys``), never the
    identity itself. Empty for an anonymous report, a report without a name or
    contact, and a signal (a staff member's own observation: the one who
    registers it is not a reporter, so each signal is its own source)."""
    if kind == Kind.SIGNAAL or report.anonymous:
        return ""
    identity = normalised_identity(report.name, report.email, report.phone)
    return reporter_keys(f"organisation:{organisation_id}", identity)[0] if identity else ""


def sources(cases) -> set:
    """The different reporters behind ``cases`` (Case rows or dicts with pk,
    reporter_key and follows_from_id): a named reporter's key; otherwise the
    case itself, as an anonymous receipt code or a signal is its own reporter;
    a follow-up (``follows_from``) is the reporter of the case it follows."""
    rows = [case if isinstance(case, dict) else _source_row(case) for case in cases]
    by_pk = {row["pk"]: row for row in rows}
    return {_source_of(row, by_pk) for row in rows}


def _source_of(row: dict, by_pk: dict) -> tuple:
    """The reporter behind one case's row (see ``sources``); ``by_pk``: rows already at hand."""
    seen = set()
    while not row["reporter_key"] and row["follows_from_id"] and row["follows_from_id"] not in seen:
        seen.add(row["pk"])
        row = by_pk.get(row["follows_from_id"]) or _source_row(Case.objects.get(pk=row["follows_from_id"]))
    return ("key", row["reporter_key"]) if row["reporter_key"] else ("case", row["pk"])


THRESHOLD_PAGE = 50  # earlier cases read at a time while counting reporters


def _reaches_threshold(case: Case, earlier) -> bool:
    """Whether ``case`` and the ``earlier`` cases come from at least the
    organisation's threshold of different reporters. Reads the earlier cases
    a chunk at a time only until it knows: a person with hundreds of earlier
    cases costs a chunk, not hundreds of rows, per new case."""
    needed = threshold(case.organisation)
    by_pk = {case.pk: _source_row(case)}
    found = {_source_of(by_pk[case.pk], by_pk)}
    rows = earlier.order_by("-received_at", "-pk").values("pk", "reporter_key", "follows_from_id")
    # Plain LIMIT/OFFSET pages rather than a server-side cursor: the first page almost always decides.
    for start in itertools.count(0, THRESHOLD_PAGE):
        page = list(rows[start : start + THRESHOLD_PAGE])
        for row in page:
            by_pk[row["pk"]] = row
            found.add(_source_of(row, by_pk))
            if len(found) >= needed:
                return True
        if len(page) < THRESHOLD_PAGE:
            return False
    return False  # pragma: no cover (itertools.count never ends)


def _source_row(case) -> dict:
    return {"pk": case.pk, "reporter_key": case.reporter_key, "follows_from_id": case.follows_from_id}


def _same_person(links) -> Q | None:
    """Accused links about the same people as ``links``."""
    people = {link.person_id for link in links if link.person_id}
    keys = {link.outsider_key for link in links if not link.person_id and link.outsider_key}
    if not people and not keys:
        return None
    condition = Q(pk__in=[])
    if people:
        condition |= Q(person_id__in=people)
    if keys:
        condition |= Q(person__isnull=True, outsider_key__in=keys)
    return condition & Q(role=SubjectLink.Role.BESCHULDIGDE)


def _accused(case: Case) -> list[SubjectLink]:
    return list(case.subjects.filter(role=SubjectLink.Role.BESCHULDIGDE))


def related_cases(case: Case, links=None):
    """The organisation's other cases with an accused link about the same
    person as one of ``links`` (default: the case's accused)."""
    condition = _same_person(_accused(case) if links is None else links)
    if condition is None:
        return Case.objects.none()
    linked = SubjectLink.objects.filter(condition, case__organisation_id=case.organisation_id).values("case_id")
    return Case.objects.filter(pk__in=linked).exclude(pk=case.pk)


def _recipients(case: Case) -> list[tuple]:
    """Who is told: the handlers who may open the case, and its protocol
    recipients who may; each as ``(person, is_handler)``. A recipient who is
    a handler but not among those who may open it may not open it at all."""
    from meldpunt.cases.access import people_who_may_open
    from meldpunt.notifications.service import handlers_who_may_open
    from meldpunt.protocol.models import CaseRecipient
    from meldpunt.registry.models import Person

    people = {person.pk: (person, True) for person in handlers_who_may_open(case)}
    routed = Person.objects.filter(pk__in=CaseRecipient.objects.filter(case=case).values("person_id"))
    routed = [person for person in routed.order_by("pk") if person.pk not in people]
    allowed = people_who_may_open(routed, case) if routed else set()
    people.update((person.pk, (person, False)) for person in routed if person.pk in allowed)
    return list(people.values())


def alert_text(case: Case, visible_earlier: int) -> str:
    if visible_earlier:
        return _("Zaak %(ref)s gaat over dezelfde persoon als %(count)s eerdere zaken.") % {
            "ref": case.reference,
            "count": visible_earlier,
        }
    return _("Zaak %(ref)s gaat over een persoon over wie eerder een zaak is gemeld.") % {"ref": case.reference}


def case_joined(case: Case, accused: list[SubjectLink] | None = None) -> list:
    """Alert the people who may open ``case`` that it joins a pattern (see the
    module docstring). ``accused``: the case's accused links, when the caller
    has them (``submit_report`` just wrote them). Returns the notifications written."""
    from meldpunt.cases.access import how_many_each_may_open
    from meldpunt.notifications.models import Notification
    from meldpunt.notifications.service import notify
    from meldpunt.notifications.together import already_told

    if accused is not None:
        accused = [link for link in accused if link.role == SubjectLink.Role.BESCHULDIGDE]
    earlier = related_cases(case, accused).filter(received_at__lte=case.received_at)
    if not _reaches_threshold(case, earlier):
        return []
    told = already_told(case, Notification.Kind.PATTERN)
    recipients = [(person, handler) for person, handler in _recipients(case) if person.pk not in told]
    visible = how_many_each_may_open(recipients, earlier)
    return [
        notify(
            person.pk,
            case.organisation,
            case,
            Notification.Kind.PATTERN,
            alert_text(case, visible[person.pk]),
            person=person,
        )
        for person, _handler in recipients
    ]


@dataclass
class EarlierCases:
    link: SubjectLink
    cases: list[Case] = field(default_factory=list)


def earlier_cases_for(staff, case: Case) -> list[EarlierCases]:
    """Per accused link of ``case``, the earlier cases about that person that
    ``staff`` (a StaffAccount) may open, oldest first."""
    from meldpunt.cases.access import cases_visible_to

    found = []
    for link in _accused(case):
        others = related_cases(case, [link]).filter(received_at__lte=case.received_at)
        visible = cases_visible_to(staff).filter(pk__in=others.values("pk")).order_by("received_at", "pk")
        found.append(EarlierCases(link, list(visible)))
    return [item for item in found if item.cases]


def timeline(staff, link: SubjectLink) -> list[Case]:
    """Every case about the person of ``link`` (its own case included) that
    ``staff`` may open, oldest first."""
    from meldpunt.cases.access import cases_visible_to

    condition = _same_person([link])
    if condition is None:
        return []
    linked = SubjectLink.objects.filter(condition, case__organisation_id=link.case.organisation_id).values("case_id")
    return list(cases_visible_to(staff).filter(pk__in=linked).order_by("received_at", "pk"))


def set_threshold(organisation, value: int, *, staff_user) -> bool:
    """The functional admin changes the threshold (/beheer/patroon/): stored and
    audited in one transaction. False when nothing changed. It counts for the
    next case that joins a pattern; alerts already sent stay."""
    from django.db import transaction

    from meldpunt.audit.log import actor_for_user, record

    with transaction.atomic():
        locked = type(organisation).objects.select_for_update().get(pk=organisation.pk)
        before = locked.pattern_threshold
        if before == value:
            return False
        locked.pattern_threshold = value
        locked.save(update_fields=["pattern_threshold"])
        record(
            "organisation.pattern_threshold_changed",
            actor=actor_for_user(staff_user),
            organisation=locked,
            before=before,
            after=value,
        )
    organisation.pattern_threshold = value
    return True
