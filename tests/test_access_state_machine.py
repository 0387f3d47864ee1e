"""Access can never drift: a stateful property test over random histories.

Hypothesis plays random sequences of what happens in a municipality — people
appointed and leaving, deputies changed, conflicts registered and removed, a
registry CSV imported, a new protocol version published, reports submitted,
re-classified, closed, reopened and withdrawn — through the same named actions
the pages use. After every step, for every case in every state and every
person of the organisation:

    may open the case  ⇔  (the routing recomputed now from the registry and the
                           protocol in force names them, or they are a handler
                           of the integrity office)  and nothing excludes them

where "excludes" is: named in the case, conflicted with someone named, or kept
away by the protocol rule. The left side is what the pages use
(``cases_visible_to_person``); the right side is recomputed from scratch.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from meldpunt.accounts.models import StaffAccount
from meldpunt.cases import actions as case_actions
from meldpunt.cases.access import cases_visible_to_person, is_handler
from meldpunt.cases.actions import SubjectInput, submit_report
from meldpunt.cases.models import Case, State, SubjectLink
from meldpunt.cases.workflow import TransitionNotAllowed
from meldpunt.organisations.models import Organisation
from meldpunt.protocol.actions import publish_version
from meldpunt.protocol.models import CaseRecipient
from meldpunt.protocol.service import decide
from meldpunt.protocol.snapshot import registry_view
from meldpunt.protocol.versions import current_version
from meldpunt.registry import actions as registry_actions
from meldpunt.registry.csv_import import RegistryImportError
from meldpunt.registry.models import Appointment, Conflict, Person, Position, today
from tests.factories import ReportInputFactory, walk_to

# Toggles a published protocol version can make to the default rules.
PROTOCOL_CHANGES = [
    ("wethouder", "exclusions", "role:behandelaar"),
    ("wethouder", "recipients", "role:griffier"),
    ("raadslid", "exclusions", "role:burgemeester"),
    ("medewerker", "recipients", "role:gemeentesecretaris"),
    ("extern", "recipients", "role:burgemeester"),
    ("burgemeester", "exclusions", "role:wethouder"),
]
picks = st.integers(min_value=0, max_value=10_000)


class AccessHistory(RuleBasedStateMachine):
    """One municipality's history; the database is rolled back after each one."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.organisation = Organisation.objects.get(slug="voorbeeldstad")
        self.admin = get_user_model().objects.get(username="beheerder")
        self.newcomers = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # Helpers ------------------------------------------------------------------------------------------

    def _pick(self, queryset, index):
        items = list(queryset.order_by("pk"))
        return items[index % len(items)] if items else None

    def _person(self, index):
        return self._pick(Person.objects.filter(organisation=self.organisation), index)

    def _position(self, index):
        return self._pick(Position.objects.filter(organisation=self.organisation), index)

    def _case(self, index):
        return self._pick(Case.objects.filter(organisation=self.organisation), index)

    # The registry -------------------------------------------------------------------------------------

    @initialize()
    def a_first_report(self):
        # Start with one case about a wethouder, so every history has something to protect.
        henk = Person.objects.get(organisation=self.organisation, name="Henk Bosman")
        submit_report(
            self.organisation,
            ReportInputFactory(subjects=[SubjectInput(role=SubjectLink.Role.BESCHULDIGDE, person=henk)]),
        )

    @rule(position=picks, person=picks, newcomer=st.booleans())
    def appoint(self, position, person, newcomer):
        position = self._position(position)
        if newcomer:
            self.newcomers += 1
            person = Person.objects.create(organisation=self.organisation, name=f"Nieuwkomer {self.newcomers}")
            user = get_user_model().objects.create(username=f"nieuwkomer{self.newcomers}")
            StaffAccount.objects.create(user=user, person=person)
        else:
            person = self._person(person)
        appointment = Appointment(position=position, person=person, start_date=today())
        if Appointment.objects.filter(Appointment.held_on(today()), position=position, person=person).exists():
            return
        registry_actions.appoint(appointment, staff_user=self.admin)

    @rule(index=picks)
    def end_appointment(self, index):
        yesterday = today() - datetime.timedelta(days=1)
        current = Appointment.objects.filter(
            Appointment.held_on(today()), position__organisation=self.organisation, start_date__lte=yesterday
        ).select_related("position")
        appointment = self._pick(current, index)
        if appointment is not None:
            appointment.end_date = yesterday
            registry_actions.end_appointment(appointment, staff_user=self.admin)

    @rule(position=picks, deputy=picks, vacant=st.booleans())
    def change_deputy(self, position, deputy, vacant):
        position = self._position(position)
        position.deputy = None if vacant else self._position(deputy)
        if position.deputy == position:
            position.deputy = None
        registry_actions.save_position(position, staff_user=self.admin, created=False)

    @rule(a=picks, b=picks)
    def add_conflict(self, a, b):
        a, b = self._person(a), self._person(b)
        if a == b or Conflict.objects.filter(person__in=[a, b], other__in=[a, b]).exists():
            return
        registry_actions.add_conflict(self.organisation, a, b, "familie", staff_user=self.admin)

    @rule(index=picks)
    def remove_conflict(self, index):
        conflict = self._pick(Conflict.objects.filter(person__organisation=self.organisation), index)
        if conflict is not None:
            registry_actions.remove_conflict(conflict, staff_user=self.admin)

    @rule(position=picks, person=picks)
    def import_csv(self, position, person):
        """A file that gives a position a (new) holder from today; the previous holder's term ends."""
        position, person = self._position(position), self._person(person)
        data = (
            "code;functie;categorie;naam;begindatum\n"
            f"{position.code};{position.title};{position.category};{person.name};{today().isoformat()}\n"
        ).encode()
        try:
            registry_actions.import_registry(self.organisation, data, staff_user=self.admin)
        except RegistryImportError:
            pass  # refused as a whole (say, the previous holder also started today): nothing changed

    @rule(change=st.sampled_from(PROTOCOL_CHANGES))
    def publish_protocol(self, change):
        category, field, code = change
        version = current_version(self.organisation)
        rules = []
        for r in version.rules.all():
            row = {
                "category": r.category,
                "recipients": list(r.recipients),
                "escalation": list(r.escalation),
                "exclusions": list(r.exclusions),
            }
            if r.category == category:
                row[field] = [c for c in row[field] if c != code] if code in row[field] else [*row[field], code]
            rules.append(row)
        publish_version(self.organisation, rules, based_on=version, staff_user=self.admin)

    # Cases --------------------------------------------------------------------------------------------

    @rule(accused=picks, involved=picks, typed=st.booleans())
    def submit(self, accused, involved, typed):
        subjects = [SubjectInput(role=SubjectLink.Role.BESCHULDIGDE, person=self._person(accused))]
        if typed:
            subjects = [SubjectInput(role=SubjectLink.Role.BESCHULDIGDE, name="onbekende man")]
        subjects.append(SubjectInput(role=SubjectLink.Role.BETROKKENE, person=self._person(involved)))
        submit_report(self.organisation, ReportInputFactory(subjects=subjects))

    @rule(case=picks, person=picks)
    def reclassify(self, case, person):
        subject = SubjectInput(role=SubjectLink.Role.BESCHULDIGDE, person=self._person(person))
        case_actions.add_subject(self._case(case), subject, staff_user=self.admin)

    @rule(case=picks, state=st.sampled_from([State.BEOORDELING, State.AFGESLOTEN]))
    def change_state(self, case, state):
        case = self._case(case)
        if case.state != State.INGETROKKEN:
            walk_to(case, state)

    @rule(case=picks)
    def withdraw(self, case):
        try:
            case_actions.withdraw(self._case(case))
        except TransitionNotAllowed:
            pass

    # The property -------------------------------------------------------------------------------------

    @invariant()
    def access_is_what_the_protocol_says_now(self):
        cases = list(Case.objects.filter(organisation=self.organisation).prefetch_related("subjects"))
        registry, version = registry_view(self.organisation), current_version(self.organisation)
        decisions = {case.pk: decide(case, registry, version)[2] for case in cases}
        # Everyone who could open anything: staff with an account, whoever a stored
        # row names, whoever the protocol names now, and the integrity office.
        handlers = {p.pk for p in Person.objects.filter(organisation=self.organisation) if is_handler(p)}
        candidates = (
            handlers
            | set(StaffAccount.objects.values_list("person_id", flat=True))
            | set(CaseRecipient.objects.values_list("person_id", flat=True))
            | {p for d in decisions.values() for p in d.recipient_ids()}
        )
        people = list(Person.objects.filter(pk__in=candidates))
        expected = {p.pk: set() for p in people}
        for case_pk, decision in decisions.items():
            for person in people:
                named = person.pk in decision.recipient_ids() or person.pk in handlers
                if named and person.pk not in decision.excluded:
                    expected[person.pk].add(case_pk)
        for person in people:
            actual = set(cases_visible_to_person(person).values_list("pk", flat=True))
            assert actual == expected[person.pk], (person.name, actual ^ expected[person.pk])


@pytest.mark.django_db
def test_access_never_drifts_from_the_protocol(organisation):
    run_state_machine_as_test(
        AccessHistory,
        settings=settings(
            max_examples=10,
            stateful_step_count=10,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
