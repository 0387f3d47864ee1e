"""The resolver's directory and routing's registry snapshot are kept per process
under the organisation's registry revision (meldpunt.registry.revision), and a
change to the registry is seen by the very next search, submission or routing.

Each test first fills the cache (a search or a resolution), then changes the
registry through the ordinary actions, then looks again.
"""

import datetime
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meldpunt.cases.actions import SubjectInput, submit_report
from meldpunt.cases.models import SubjectLink
from meldpunt.organisations.models import Organisation
from meldpunt.protocol.snapshot import registry_view
from meldpunt.registry import actions, revision
from meldpunt.registry.directory import build_directory
from meldpunt.registry.models import Appointment, Person, Position, today
from meldpunt.registry.resolve import resolve
from meldpunt.registry.search import search_people
from tests.factories import ReportInputFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def empty_cache():
    revision.forget()
    yield
    revision.forget()


def found(organisation, typed: str) -> set[str]:
    return {hit.person.name for hit in search_people(organisation, typed)}


def accused_of(case) -> set[str]:
    return {link.person.name for link in SubjectLink.objects.filter(case=case) if link.person}


def new_colleague(organisation, name="Ilse Verkerk", **names) -> Person:
    person = actions.save_person(Person(organisation=organisation, name=name, **names), staff_user=None, created=True)
    position = actions.save_position(
        Position(
            organisation=organisation, code=f"team-{person.pk}", title="Medewerker Team Wijken", category="medewerker"
        ),
        staff_user=None,
        created=True,
    )
    actions.appoint(Appointment(person=person, position=position, start_date=D(2020, 1, 1)), staff_user=None)
    return person


def test_a_new_person_is_found_by_the_very_next_search_and_submission(organisation):
    """Tried: the directory cached by a search, then a person added on /beheer/."""
    assert "Ilse Verkerk" not in found(organisation, "I. Verkerk")
    new_colleague(organisation, voorletters="I.", achternaam="Verkerk")
    assert "Ilse Verkerk" in found(organisation, "I. Verkerk")
    case = submit_report(
        organisation, ReportInputFactory(subjects=[SubjectInput(role="beschuldigde", name="I. Verkerk")])
    )[0]
    assert accused_of(case) == {"Ilse Verkerk"}


def test_an_ended_appointment_counts_from_the_next_resolution(organisation, person):
    """Tried: 'de burgemeester' resolved (cached), then the burgemeester's appointment ended yesterday."""
    before = resolve(revision.directory(organisation), "de burgemeester")
    assert before.linked == person("Marieke van Dalen").pk
    appointment = Appointment.objects.get(person=person("Marieke van Dalen"))
    appointment.end_date = today() - datetime.timedelta(days=1)
    actions.end_appointment(appointment, staff_user=None)
    after = resolve(revision.directory(organisation), "de burgemeester")
    assert after.linked != person("Marieke van Dalen").pk
    # Asked about a day she still held the office, she is still the one.
    then = today() - datetime.timedelta(days=2)
    assert (
        resolve(revision.directory(organisation), "de burgemeester", (then, then)).linked
        == person("Marieke van Dalen").pk
    )


def test_routing_sees_an_ended_appointment_in_the_very_next_report(organisation, person):
    """Tried: the snapshot kept by a first report about a wethouder, then the
    burgemeester's appointment ended yesterday; the next report about the same
    wethouder must not reach her (she may no longer open such cases)."""
    first = submit_report(
        organisation, ReportInputFactory(subjects=[SubjectInput("beschuldigde", person("Henk Bosman"))])
    )
    kept = registry_view(organisation)
    assert registry_view(organisation) is kept  # unchanged registry: not read again
    reached = {r.person.name for r in first[0].routing_decisions.get().recipients.all()}
    assert "Marieke van Dalen" in reached
    appointment = Appointment.objects.get(person=person("Marieke van Dalen"))
    appointment.end_date = today() - datetime.timedelta(days=1)
    actions.end_appointment(appointment, staff_user=None)
    assert registry_view(organisation) is not kept
    second = submit_report(
        organisation, ReportInputFactory(subjects=[SubjectInput("beschuldigde", person("Henk Bosman"))])
    )
    reached = {r.person.name for r in second[0].routing_decisions.get().recipients.all()}
    assert "Marieke van Dalen" not in reached and reached


def test_a_csv_import_is_seen_by_the_next_search(organisation):
    """Tried: the directory cached, then a CSV file with a new person imported (bulk writes, no signals)."""
    assert "Ilse Verkerk" not in found(organisation, "Verkerk")
    data = (
        "code;functie;categorie;naam;begindatum\n"
        "team-wijken;Medewerker Team Wijken;medewerker;Ilse Verkerk;2020-01-01\n"
    )
    actions.import_registry(organisation, data.encode(), staff_user=None)
    assert "Ilse Verkerk" in found(organisation, "Verkerk")


def test_a_change_written_by_another_worker_is_seen(organisation):
    """Tried: the revision changed in the database behind this process's back (another gunicorn worker)."""
    kept = revision.directory(organisation)
    assert revision.directory(organisation) is kept  # unchanged registry: not built again
    Person.objects.bulk_create([Person(organisation=organisation, name="Ilse Verkerk")])  # no signal
    revision.changed(organisation.pk)  # what the other worker's transaction did
    assert revision.directory(organisation) is not kept
    assert "verkerk" in revision.directory(organisation).by_surname


def test_two_organisations_never_share_a_directory(organisation):
    """Tried: a second organisation with a person of the same surname, both cached in one process."""
    other = Organisation.objects.create(slug="anderstad", name="Gemeente Anderstad")
    new_colleague(other, name="Karin Verkerk")
    ours, theirs = revision.directory(organisation), revision.directory(other)
    assert set(theirs.people) == set(Person.objects.filter(organisation=other).values_list("pk", flat=True))
    assert not set(ours.people) & set(theirs.people)
    assert "Karin Verkerk" not in found(organisation, "Verkerk")
    # A change in one organisation leaves the other's directory as it was.
    new_colleague(organisation, name="Ilse Verkerk")
    assert revision.directory(other) is theirs
    assert "Karin Verkerk" in found(other, "Verkerk") and "Ilse Verkerk" not in found(other, "Verkerk")


def test_the_day_is_part_of_the_key(organisation):
    """Tried: the same registry asked about on two days (an appointment starting tomorrow)."""
    tomorrow = today() + datetime.timedelta(days=1)
    assert revision.directory(organisation, tomorrow).today == tomorrow
    assert revision.directory(organisation).today == today()


QUERIES = [
    "de burgemeester",
    "de wethouder van Wonen",
    "Verkerk",
    "I. Verkerk",
    "J. de Vries",
    "oud-wethouder",
    "Bosman",
]
SURNAMES = ["Verkerk", "de Vries", "Bosman", "van der Veld", "Öztürk", "Jansen-de Boer"]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_the_cache_gives_what_a_fresh_build_gives(organisation, seed):
    """Tried: random registries (people added, appointments ended) with a search between every change."""
    rng = random.Random(seed)
    for step in range(4):
        surname = rng.choice(SURNAMES)
        new_colleague(organisation, name=f"{rng.choice('ABIJK')}. {surname}")
        if rng.random() < 0.5:
            appointment = rng.choice(list(Appointment.objects.filter(person__organisation=organisation, end_date=None)))
            appointment.end_date = today() - datetime.timedelta(days=rng.randint(1, 400))
            if appointment.end_date < appointment.start_date:
                appointment.end_date = appointment.start_date
            actions.end_appointment(appointment, staff_user=None)
        cached, fresh = revision.directory(organisation), build_directory(organisation)
        for query in QUERIES:
            got = [(c.person, c.score, c.level) for c in resolve(cached, query).candidates]
            assert got == [(c.person, c.score, c.level) for c in resolve(fresh, query).candidates], (step, query)


def test_a_renamed_position_is_found_by_its_new_title_at_once(organisation, person):
    """Tried: the person search's word index cached, then a position renamed on /beheer/."""
    assert "Henk Bosman" in found(organisation, "wethouder Wonen")
    position = Position.objects.get(appointments__person=person("Henk Bosman"))
    position.title = "Wethouder Volkshuisvesting"
    position.portfolio = "Volkshuisvesting"
    actions.save_position(position, staff_user=None, created=False)
    assert "Henk Bosman" in found(organisation, "Volkshuisvesting")


def test_the_person_search_speaks_the_language_it_was_asked_in(organisation):
    """Tried: the same search in Dutch and then in English (the index is kept per language)."""
    from django.utils import translation

    with translation.override("nl"):
        dutch = {tuple(h.positions) for h in search_people(organisation, "Bosman")}
    with translation.override("en"):
        english = {tuple(h.positions) for h in search_people(organisation, "Bosman")}
    assert dutch and english
