"""Routing: who is told about a case, computed as a pure function.

``route`` takes a snapshot of the registry (``RegistryView``), a protocol
and the people the report names, and returns who must be told and why. No
database here, so the rules can be tested over thousands of generated
registries (tests/test_routing_properties.py); ``meldpunt.protocol.service``
builds the snapshot, stores the decision and sends the notifications.

The rules, in order:

1. Every accused person gets a category from the positions they held when
   the events happened (the period the reporter gave) and the positions they
   hold now: a wethouder who resigned is still reported on as a wethouder
   for events during his term; a period that spans two positions gives both
   categories. Without a date from the reporter, the date of the report
   counts, and when the accused held nothing then nor now, their most recent
   positions (ended ones included) count. Someone who held no position of
   the organisation at any of those times is "extern"; so is, besides the
   categories of their positions, someone who holds none now and held none
   for part of the period (events after a resignation). A name that is not
   in the registry, or no name at all, is "onbekend".
2. For every category, the protocol rule lists recipient codes; each code
   resolves to positions and their holders today.
3. Excluded, always: every person the report names (accused or involved),
   everyone with a registered conflict with one of them, and whoever the
   rule's exclusions name. An excluded or vacant position falls to its
   deputy, then the deputy's deputy, and so on.
4. A code that leaves nobody (vacant all the way down, or all excluded)
   alerts the functional admin and hands the case to the integrity office:
   a report is never silently dropped.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meldpunt.protocol import wording
from meldpunt.registry.roles import locoburgemeester_ids, title_with_roles

ROLE = "role:"
DEPUTY_OF = "deputy_of:"
MANAGER_ABOVE_MANAGER = "manager_above_manager"
DIRECT_MANAGER = "direct_manager"
EXTERNAL = "external"
INTEGRITY_OFFICE = ROLE + "behandelaar"

# Registry categories whose holders count as "medewerker" when accused.
_EMPLOYEE_CATEGORIES = {"medewerker", "behandelaar", "vertrouwenspersoon", "functioneel_beheerder"}


@dataclass(frozen=True)
class PositionInfo:
    id: int
    title: str
    category: str
    reports_to: int | None = None
    deputy: int | None = None


@dataclass(frozen=True)
class Holding:
    person: int
    position: int
    start: datetime.date
    end: datetime.date | None = None
    title: str = ""  # the office as held then ("Wethouder Financiën"); empty: the position's title

    def covers(self, first: datetime.date, last: datetime.date) -> bool:
        return self.start <= last and (self.end is None or self.end >= first)


@dataclass
class RegistryView:
    positions: dict[int, PositionInfo]
    holdings: list[Holding]
    conflicts: set[frozenset] = field(default_factory=set)
    admins: set[int] = field(default_factory=set)
    names: dict[int, str] = field(default_factory=dict)
    today: datetime.date = field(default_factory=datetime.date.today)

    def positions_of(self, person: int, first: datetime.date, last: datetime.date) -> list[PositionInfo]:
        return [self.positions[h.position] for h in self.holdings_of(person, first, last)]

    def holdings_of(self, person: int, first: datetime.date, last: datetime.date) -> list[Holding]:
        return [h for h in self.holdings if h.person == person and h.covers(first, last)]

    def latest_holdings(self, person: int, before: datetime.date) -> list[Holding]:
        """The holdings of ``person`` that ended last before ``before`` (all that ended that day)."""
        ended = [h for h in self.holdings if h.person == person and h.end is not None and h.end < before]
        if not ended:
            return []
        last = max(h.end for h in ended)
        return [h for h in ended if h.end == last]

    def holders(self, position: int) -> list[int]:
        return sorted({h.person for h in self.holdings if h.position == position and h.covers(self.today, self.today)})

    def positions_in(self, category: str) -> list[PositionInfo]:
        return sorted((p for p in self.positions.values() if p.category == category), key=lambda p: p.id)

    def with_conflicts(self, people: set[int]) -> set[int]:
        result = set(people)
        for pair in self.conflicts:
            if pair & people:
                result |= pair
        return result


@dataclass(frozen=True)
class Rule:
    category: str
    recipients: tuple[str, ...]
    exclusions: tuple[str, ...] = ()
    escalation: tuple[str, ...] = ()


@dataclass
class Protocol:
    number: int
    rules: dict[str, Rule]


@dataclass(frozen=True)
class Named:
    """A person the report names: a registry person id, or None for a typed name."""

    person: int | None
    accused: bool = True


@dataclass(frozen=True)
class EventPeriod:
    """When the events happened: the reporter's period, or only the date of
    the report when they gave none (``given`` False)."""

    first: datetime.date
    last: datetime.date
    given: bool = True


@dataclass
class Recipient:
    person: int
    position: int | None
    explanation: str  # why, with the accused's positions and dates it rests on (stored with the decision)
    reason: str = ""  # why, without them (for notifications, which must not say who is accused)


@dataclass
class Decision:
    protocol: int
    categories: list[str]
    recipients: list[Recipient]
    excluded: set[int]
    external: bool = False
    admin_alert: bool = False
    rule_exclusions: set[int] = field(default_factory=set)
    basis: list[str] = field(default_factory=list)  # "was wethouder Wonen van maart 2014 tot juli 2021"

    def recipient_ids(self) -> set[int]:
        return {r.person for r in self.recipients}


def accused_categories(registry: RegistryView, named: list[Named], period: EventPeriod):
    """(category, accused person or None, their positions, holdings) for every accused."""
    found = []
    accused = [n for n in named if n.accused]
    for subject in accused:
        if subject.person is None:
            found.append(("onbekend", None, [], []))
            continue
        holdings = _holdings_for(registry, subject.person, period)
        positions = [registry.positions[h.position] for h in holdings]
        categories = {_accused_category(p.category) for p in positions}
        if not categories or (period.given and _outside_any_position(registry, subject.person, period)):
            # Nobody in the organisation then nor now, or for part of the events
            # (after a resignation, say) and not now either: the rule for
            # people outside the organisation applies too.
            categories.add("extern")
        for category in sorted(categories):
            found.append((category, subject.person, positions, holdings))
    return found or [("onbekend", None, [], [])]


def _holdings_for(registry: RegistryView, person: int, period: EventPeriod) -> list[Holding]:
    """The holdings a report about ``person`` rests on: during the events and now,
    or (no date given, nothing then nor now) the most recent ones."""
    then = registry.holdings_of(person, period.first, period.last)
    now = registry.holdings_of(person, registry.today, registry.today)
    found = list(dict.fromkeys(then + now))
    if not found and not period.given:
        found = registry.latest_holdings(person, period.last)
    return found


def _grounds(basis: list[str]) -> str:
    """'was wethouder Wonen van maart 2014 tot juli 2021 en is raadslid sinds augustus 2021'."""
    if len(basis) <= 1:
        return "".join(basis)
    return _("%(first)s en %(last)s") % {"first": ", ".join(basis[:-1]), "last": basis[-1]}


def _outside_any_position(registry: RegistryView, person: int, period: EventPeriod) -> bool:
    """Whether ``person`` holds no position now and held none on some day of ``period``."""
    if registry.holdings_of(person, registry.today, registry.today):
        return False
    day = period.first
    for holding in sorted(registry.holdings_of(person, period.first, period.last), key=lambda h: h.start):
        if holding.start > day:
            return True
        if holding.end is None or holding.end >= period.last:
            return False
        day = max(day, holding.end + datetime.timedelta(days=1))
    return day <= period.last


def _month(day: datetime.date) -> str:
    return date_format(day, "F Y")


def describe_holding(registry: RegistryView, holding: Holding) -> str:
    """'was wethouder Wonen van maart 2014 tot juli 2021', 'is wethouder Financiën sinds augustus 2021':
    the office with the portfolio held in that appointment."""
    title = holding.title or registry.positions[holding.position].title
    title = title[:1].lower() + title[1:] if title[1:2].islower() else title
    if holding.end is not None and holding.end < registry.today:
        return _("was %(title)s van %(start)s tot %(end)s") % {
            "title": title,
            "start": _month(holding.start),
            "end": _month(holding.end),
        }
    if holding.start > registry.today:
        return _("wordt %(title)s vanaf %(start)s") % {"title": title, "start": _month(holding.start)}
    return _("is %(title)s sinds %(start)s") % {"title": title, "start": _month(holding.start)}


def _accused_category(registry_category: str) -> str:
    return "medewerker" if registry_category in _EMPLOYEE_CATEGORIES else registry_category


def _positions_for(code: str, registry: RegistryView, accused_positions: list[PositionInfo]) -> list[PositionInfo]:
    if code.startswith(ROLE):
        return registry.positions_in(code[len(ROLE) :])
    if code.startswith(DEPUTY_OF):
        bases = registry.positions_in(code[len(DEPUTY_OF) :])
        return [registry.positions[b.deputy] for b in bases if b.deputy in registry.positions]
    if code == DIRECT_MANAGER:
        return [registry.positions[p.reports_to] for p in accused_positions if p.reports_to in registry.positions]
    if code == MANAGER_ABOVE_MANAGER:
        result = []
        for position in accused_positions:
            manager = registry.positions.get(position.reports_to)
            if manager and manager.reports_to in registry.positions:
                result.append(registry.positions[manager.reports_to])
        return result
    return []


def _eligible_holder(registry: RegistryView, position: PositionInfo, excluded: set[int]):
    """The first eligible holder of the position or, failing that, of its deputy chain.

    Returns (person, position, [skipped positions]) or None.
    """
    skipped, seen, current = [], set(), position
    while current is not None and current.id not in seen:
        seen.add(current.id)
        eligible = [p for p in registry.holders(current.id) if p not in excluded]
        if eligible:
            return eligible[0], current, skipped
        skipped.append(current)
        current = registry.positions.get(current.deputy)
    return None


def route(
    registry: RegistryView,
    protocol: Protocol,
    named: list[Named],
    period: EventPeriod | tuple[datetime.date, datetime.date] | None = None,
) -> Decision:
    """Who must be told about a report naming ``named`` about events in ``period``
    (an ``EventPeriod``, a (first, last) pair of dates the reporter gave, or None:
    no date given, the report is from today)."""
    if period is None:
        period = EventPeriod(registry.today, registry.today, given=False)
    elif not isinstance(period, EventPeriod):
        period = EventPeriod(*period)
    named_people = {n.person for n in named if n.person is not None}
    excluded = registry.with_conflicts(named_people)
    accused = accused_categories(registry, named, period)

    rule_excluded: set[int] = set()
    for category, _person, positions, _holdings in accused:
        rule = protocol.rules.get(category)
        for code in rule.exclusions if rule else ():
            for position in _positions_for(code, registry, positions):
                rule_excluded.update(registry.holders(position.id))
    excluded |= rule_excluded

    decision = Decision(
        protocol=protocol.number,
        categories=sorted({c for c, *_rest in accused}),
        recipients=[],
        excluded=excluded,
        rule_exclusions=rule_excluded,
        basis=list(dict.fromkeys(describe_holding(registry, h) for *_rest, holdings in accused for h in holdings)),
    )
    chosen: dict[int, Recipient] = {}

    grounds = _grounds(decision.basis)
    loco = locoburgemeester_ids(registry.positions.values())

    def add(person: int, position: PositionInfo | None, reason: str):
        if person not in chosen:
            explanation = _("%(reason)s. De persoon %(grounds)s.") % {"reason": reason, "grounds": grounds}
            chosen[person] = Recipient(
                person, position.id if position else None, explanation if grounds else reason, reason
            )

    def integrity_office(reason: str):
        for position in registry.positions_in("behandelaar"):
            for person in registry.holders(position.id):
                if person not in excluded:
                    add(person, position, reason)

    for category, _person, positions, _holdings in accused:
        rule = protocol.rules.get(category)
        if rule is None or not rule.recipients:
            decision.admin_alert = True
            integrity_office(
                _("integriteitsbureau, omdat protocol versie %(v)s niet zegt wie een melding %(about)s krijgt")
                % {"v": protocol.number, "about": wording.about(category)}
            )
            continue
        where = _("omdat de melding %(about)s gaat (protocol versie %(v)s)") % {
            "v": protocol.number,
            "about": wording.about(category),
        }
        for code in rule.recipients:
            if code == EXTERNAL:
                decision.external = True
                continue
            targets = _positions_for(code, registry, positions)
            reached = False
            for target in targets:
                found = _eligible_holder(registry, target, excluded)
                if found is None:
                    continue
                person, holder_position, skipped = found
                reached = True
                if skipped:
                    why = _("%(pos)s, plaatsvervanger voor %(skipped)s (vacant of uitgesloten): %(where)s") % {
                        "pos": title_with_roles(holder_position.title, holder_position.id in loco),
                        "skipped": ", ".join(s.title for s in skipped),
                        "where": where,
                    }
                else:
                    why = f"{title_with_roles(holder_position.title, holder_position.id in loco)}: {where}"
                add(person, holder_position, why)
            relative = code in (MANAGER_ABOVE_MANAGER, DIRECT_MANAGER)
            if not reached and (targets or not relative):
                # The position exists (or should) but nobody is left in its
                # deputy chain. A relative level that does not exist for this
                # accused (nobody above their manager) is left to the rule's
                # other recipients.
                decision.admin_alert = True
                integrity_office(
                    _("integriteitsbureau: geen %(code)s beschikbaar (vacant of uitgesloten), %(where)s")
                    % {"code": wording.recipient(code), "where": where}
                )

    if not chosen:
        decision.admin_alert = True
        integrity_office(_("integriteitsbureau, omdat het protocol niemand anders opleverde"))
    if not chosen:
        # Even the integrity office is excluded: the functional admins are
        # told, so a person can pick the case up outside the usual route.
        for admin in sorted(registry.admins - excluded):
            add(admin, None, _("functioneel beheerder, omdat niemand anders beschikbaar is"))
    decision.recipients = list(chosen.values())
    return decision
