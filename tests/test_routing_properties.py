"""Property-based tests of the protocol over generated registries and protocols.

Hypothesis builds registries of random positions (any category, random
reporting lines and deputies, cycles included), random holders (vacancies
included), random conflicts, random protocols and random reports naming
random people. Whatever it builds:

* the accused, the involved and everyone conflicted with them are never
  recipients;
* every report reaches somebody while anybody eligible exists;
* under the default protocol, a report about a wethouder reaches the
  burgemeester and the gemeentesecretaris, or, when one of them is accused,
  involved, conflicted or absent, the first eligible deputy in their chain.

The same properties for access are checked against the database in
test_access_properties below, with fewer examples.
"""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meldpunt.protocol.defaults import DEFAULT_RULES
from meldpunt.protocol.models import AccusedCategory
from meldpunt.protocol.routing import (
    EXTERNAL,
    Holding,
    Named,
    PositionInfo,
    Protocol,
    RegistryView,
    Rule,
    route,
)
from meldpunt.protocol.versions import recipient_choices

TODAY = datetime.date(2026, 11, 25)
CATEGORIES = [
    "burgemeester",
    "wethouder",
    "raadslid",
    "griffier",
    "gemeentesecretaris",
    "directeur",
    "manager",
    "medewerker",
    "behandelaar",
    "vertrouwenspersoon",
    "functioneel_beheerder",
]


@st.composite
def registries(draw):
    count = draw(st.integers(min_value=1, max_value=14))
    people = draw(st.integers(min_value=1, max_value=10))
    positions = {}
    for pid in range(1, count + 1):
        positions[pid] = PositionInfo(
            id=pid,
            title=f"P{pid}",
            category=draw(st.sampled_from(CATEGORIES)),
            reports_to=draw(st.one_of(st.none(), st.integers(1, count))),
            deputy=draw(st.one_of(st.none(), st.integers(1, count))),
        )
    holdings = []
    for pid in positions:
        holder = draw(st.one_of(st.none(), st.integers(1, people)))
        if holder is not None:
            ended = draw(st.booleans()) and draw(st.integers(0, 3)) == 0
            end = TODAY - datetime.timedelta(days=30) if ended else None
            holdings.append(Holding(holder, pid, datetime.date(2020, 1, 1), end))
    pairs = draw(st.lists(st.tuples(st.integers(1, people), st.integers(1, people)), max_size=4))
    conflicts = {frozenset(p) for p in pairs if p[0] != p[1]}
    admins = {h.person for h in holdings if positions[h.position].category == "functioneel_beheerder" and not h.end}
    return RegistryView(positions, holdings, conflicts, admins, today=TODAY), people


def default_protocol() -> Protocol:
    return Protocol(1, {c: Rule(c, tuple(r), (), tuple(e)) for c, (r, e) in DEFAULT_RULES.items()})


@st.composite
def protocols(draw):
    codes = [code for code, _label in recipient_choices()]
    rules = {}
    for category in AccusedCategory.values:
        chosen = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=4, unique=True))
        rules[category] = Rule(category, tuple(chosen))
    return Protocol(draw(st.integers(1, 50)), rules)


@st.composite
def reports(draw, people):
    named = draw(
        st.lists(st.tuples(st.one_of(st.none(), st.integers(1, people)), st.booleans()), min_size=0, max_size=4)
    )
    return [Named(person=p, accused=a) for p, a in named]


def excluded_people(registry, named):
    named_people = {n.person for n in named if n.person is not None}
    return registry.with_conflicts(named_people)


def eligible_handlers_or_admins(registry, excluded):
    handlers = {
        h.person
        for h in registry.holdings
        if registry.positions[h.position].category == "behandelaar" and h.covers(TODAY, TODAY)
    }
    return (handlers | registry.admins) - excluded


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_named_and_conflicted_people_are_never_recipients(data):
    registry, people = data.draw(registries())
    protocol = data.draw(st.one_of(st.just(default_protocol()), protocols()))
    named = data.draw(reports(people))
    decision = route(registry, protocol, named)
    excluded = excluded_people(registry, named)
    assert not (decision.recipient_ids() & excluded)
    assert excluded <= decision.excluded


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_report_reaches_somebody_while_anybody_eligible_exists(data):
    registry, people = data.draw(registries())
    protocol = data.draw(st.one_of(st.just(default_protocol()), protocols()))
    named = data.draw(reports(people))
    decision = route(registry, protocol, named)
    if eligible_handlers_or_admins(registry, decision.excluded):
        assert decision.recipients
    if not decision.recipients:
        # Nobody at all could be reached: that must at least raise the alarm.
        assert decision.admin_alert


def first_eligible_in_chain(registry, position, excluded):
    seen = set()
    current = position
    while current is not None and current.id not in seen:
        seen.add(current.id)
        holders = [p for p in registry.holders(current.id) if p not in excluded]
        if holders:
            return min(holders)
        current = registry.positions.get(current.deputy)
    return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_wethouder_report_reaches_burgemeester_and_secretaris_or_their_deputies(data):
    registry, people = data.draw(registries())
    wethouders = [
        h.person
        for h in registry.holdings
        if registry.positions[h.position].category == "wethouder" and h.covers(TODAY, TODAY)
    ]
    if not wethouders:
        return
    accused = data.draw(st.sampled_from(wethouders))
    others = data.draw(reports(people))
    named = [Named(accused, True)] + others
    decision = route(registry, default_protocol(), named)
    excluded = excluded_people(registry, named)
    for category in ("burgemeester", "gemeentesecretaris"):
        for position in registry.positions_in(category):
            expected = first_eligible_in_chain(registry, position, excluded)
            if expected is not None:
                assert expected in decision.recipient_ids(), (category, position, expected)
    if not any(
        first_eligible_in_chain(registry, p, excluded)
        for c in ("burgemeester", "gemeentesecretaris")
        for p in registry.positions_in(c)
    ):
        assert decision.admin_alert or not registry.positions_in("burgemeester")


def test_external_only_rule_still_reaches_a_person():
    registry = RegistryView(
        {1: PositionInfo(1, "Behandelaar", "behandelaar"), 2: PositionInfo(2, "Wethouder", "wethouder")},
        [Holding(10, 1, datetime.date(2020, 1, 1)), Holding(20, 2, datetime.date(2020, 1, 1))],
        today=TODAY,
    )
    protocol = Protocol(1, {"wethouder": Rule("wethouder", (EXTERNAL,))})
    decision = route(registry, protocol, [Named(20)])
    assert decision.external
    assert decision.recipient_ids() == {10}
    assert decision.admin_alert


# --- the same properties through the database and the access layer ---------


@pytest.mark.django_db
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_access_properties_in_the_database(data, key_file):
    from django.contrib.auth import get_user_model

    from meldpunt.accounts.models import StaffAccount
    from meldpunt.cases.access import cases_visible_to
    from meldpunt.cases.actions import SubjectInput, submit_report
    from meldpunt.organisations.models import Organisation
    from meldpunt.protocol.versions import install_defaults
    from meldpunt.registry.models import Appointment, Conflict, Person, Position
    from tests.factories import ReportInputFactory

    view, people_count = data.draw(registries())
    number = Organisation.objects.count() + 1
    organisation = Organisation.objects.create(slug=f"org-{number}", name=f"Gemeente {number}")
    install_defaults(organisation)
    people = {
        i: Person.objects.create(organisation=organisation, name=f"Persoon {i}") for i in range(1, people_count + 1)
    }
    positions = {
        pid: Position.objects.create(organisation=organisation, code=f"p{pid}", title=p.title, category=p.category)
        for pid, p in view.positions.items()
    }
    for pid, p in view.positions.items():
        positions[pid].reports_to = positions.get(p.reports_to)
        positions[pid].deputy = positions.get(p.deputy)
        positions[pid].save()
    for h in view.holdings:
        Appointment.objects.create(
            position=positions[h.position], person=people[h.person], start_date=h.start, end_date=h.end
        )
    for pair in view.conflicts:
        a, b = sorted(pair)
        Conflict.objects.create(person=people[a], other=people[b], reason="test")

    named = data.draw(reports(people_count))
    subjects = [
        SubjectInput(
            role="beschuldigde" if n.accused else "betrokkene", person=people[n.person] if n.person else None, name="X"
        )
        for n in named
    ]
    case, _ = submit_report(organisation, ReportInputFactory(subjects=subjects))

    excluded = excluded_people(view, named)
    User = get_user_model()
    for index, person in people.items():
        user = User.objects.create(username=f"o{number}-p{index}")
        staff = StaffAccount.objects.create(user=user, person=person)
        sees = cases_visible_to(staff).filter(pk=case.pk).exists()
        if index in excluded:
            assert not sees, f"excluded person {index} can see the case"
    recipients = set(case.routing_decisions.first().recipients.values_list("person_id", flat=True))
    assert not recipients & {people[i].pk for i in excluded}
