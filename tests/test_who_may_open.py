"""``people_who_may_open``: the access rule of ``may_open`` for many people and
one case at once (the notifications of a new case check every handler with it);
``how_many_each_may_open``: the rule of ``cases_visible_to_person`` counted for
many people over many cases at once (the pattern check's alert text).

Each must give exactly the answer of the rule asked person by person. Tried: a
handler named as the accused, a handler with a conflict of interest with the
accused, a protocol recipient whose appointment has ended, a person a
protocol rule keeps away, a recipient of another case, and a handler of
another organisation.
"""

import datetime

import pytest

from meldpunt.cases.access import (
    cases_visible_to_person,
    handlers_today,
    how_many_each_may_open,
    is_handler,
    may_open,
    people_who_may_open,
)
from meldpunt.cases.actions import submit_report
from meldpunt.cases.models import Case
from meldpunt.organisations.models import Organisation
from meldpunt.protocol.models import RuleExclusion, access_sync
from meldpunt.registry.models import Appointment, Conflict, Person
from tests.factories import ReportInputFactory, report_about


def world(organisation, person):
    """The cases described in the module docstring, and everyone of the
    organisation with a stranger from another; returns (people, conflicted,
    ended, kept_away)."""
    report_about(organisation, person("Henk Bosman"))  # wethouder: burgemeester and gemeentesecretaris
    report_about(organisation, person("Ingrid Vos"))  # a handler named: she may not, her colleague may
    report_about(organisation, person("Lotte Jansen"))  # medewerker: the office and her manager's manager
    conflicted, _code = report_about(organisation, person("Erik Peters"))
    Conflict.objects.create(person=person("Daan Schouten"), other=person("Erik Peters"), reason="buren")
    ended, _code = report_about(organisation, person("Fatima El Amrani"))
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    Appointment.objects.filter(person=person("Willem Jacobs")).update(end_date=yesterday)
    kept_away, _code = report_about(organisation, person("Pieter de Groot"))
    with access_sync():
        RuleExclusion.objects.create(case=kept_away, person=person("Marieke van Dalen"))
    submit_report(organisation, ReportInputFactory())  # nobody named

    other = Organisation.objects.create(slug="elders", name="Gemeente Elders", integrity_office_name="Bureau")
    stranger = Person.objects.create(organisation=other, name="Iemand Anders")
    people = [*Person.objects.filter(organisation=organisation), stranger]
    return people, conflicted, ended, kept_away


@pytest.mark.django_db
def test_the_answer_for_many_people_is_may_open_person_by_person(organisation, person):
    people, conflicted, ended, kept_away = world(organisation, person)
    for case in Case.objects.all():
        expected = {p.pk for p in people if may_open(p, case)}
        assert people_who_may_open(people, case) == expected, case.reference
    # The cases above do keep people away, so the comparison tried both answers.
    assert person("Daan Schouten").pk not in people_who_may_open(people, conflicted)
    assert person("Willem Jacobs").pk not in people_who_may_open(people, ended)
    assert person("Marieke van Dalen").pk not in people_who_may_open(people, kept_away)
    assert person("Marieke van Dalen").pk in people_who_may_open(people, Case.objects.order_by("pk").first())


@pytest.mark.django_db
def test_the_office_handlers_today_asked_as_such_get_the_same_answer(organisation, person):
    # Tried: every case of the world above, asked for the office's handlers today
    # (one named in a case, one with a conflict with an accused) with
    # ``all_handlers_today=True`` (no second look at their appointments) and without.
    world(organisation, person)
    handlers = handlers_today(organisation.pk)
    assert person("Ingrid Vos") in handlers and person("Daan Schouten") in handlers
    assert person("Willem Jacobs") not in handlers  # the gemeentesecretaris
    assert all(is_handler(p) for p in handlers)
    for case in Case.objects.all():
        expected = {p.pk for p in handlers if may_open(p, case)}
        assert people_who_may_open(handlers, case, all_handlers_today=True) == expected, case.reference
        assert people_who_may_open(handlers, case) == expected
    named_ingrid = Case.objects.get(subjects__person=person("Ingrid Vos"))
    assert person("Ingrid Vos").pk not in people_who_may_open(handlers, named_ingrid, all_handlers_today=True)
    conflicted = Case.objects.get(subjects__person=person("Erik Peters"))
    assert person("Daan Schouten").pk not in people_who_may_open(handlers, conflicted, all_handlers_today=True)


@pytest.mark.django_db
def test_the_counts_for_many_people_are_the_visible_cases_person_by_person(organisation, person):
    """Tried: the world above, counted over all its cases, over the cases that
    name someone, over none; each person asked as what they are (handler or
    not) and every handler also asked as if they were not one."""
    people, conflicted, ended, kept_away = world(organisation, person)
    asked = [(p, is_handler(p)) for p in people] + [(p, False) for p in people if is_handler(p)]
    for cases in (Case.objects.all(), Case.objects.filter(subjects__person__isnull=False), Case.objects.none()):
        for who, handler in asked:
            counts = how_many_each_may_open([(who, handler)], cases)
            assert counts == {who.pk: cases_visible_to_person(who, handler=handler).filter(pk__in=cases).count()}
        together = how_many_each_may_open([(p, is_handler(p)) for p in people], cases)
        assert together == {
            p.pk: cases_visible_to_person(p, handler=is_handler(p)).filter(pk__in=cases).count() for p in people
        }
    # The counts differ between people, so the comparison tried more than one answer.
    everything = how_many_each_may_open([(p, is_handler(p)) for p in people], Case.objects.all())
    assert everything[person("Ingrid Vos").pk] == Case.objects.count() - 1  # not the case that names her
    assert everything[person("Daan Schouten").pk] == Case.objects.count() - 1  # not the conflicted one
    assert everything[people[-1].pk] == 0  # the stranger
    assert how_many_each_may_open([], Case.objects.all()) == {}
