"""``people_who_may_open``: the access rule of ``may_open`` for many people and
one case at once (the notifications of a new case check every handler with it).

It must give exactly the answer of ``may_open`` person by person. Tried: a
handler named as the accused, a handler with a conflict of interest with the
accused, a protocol recipient whose appointment has ended, a person a
protocol rule keeps away, a recipient of another case, and a handler of
another organisation.
"""

import datetime

import pytest

from meldpunt.cases.access import may_open, people_who_may_open
from meldpunt.cases.actions import submit_report
from meldpunt.cases.models import Case
from meldpunt.organisations.models import Organisation
from meldpunt.protocol.models import RuleExclusion, access_sync
from meldpunt.registry.models import Appointment, Conflict, Person
from tests.factories import ReportInputFactory, report_about


@pytest.mark.django_db
def test_the_answer_for_many_people_is_may_open_person_by_person(organisation, person):
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

    for case in Case.objects.all():
        expected = {p.pk for p in people if may_open(p, case)}
        assert people_who_may_open(people, case) == expected, case.reference
    # The cases above do keep people away, so the comparison tried both answers.
    assert person("Daan Schouten").pk not in people_who_may_open(people, conflicted)
    assert person("Willem Jacobs").pk not in people_who_may_open(people, ended)
    assert person("Marieke van Dalen").pk not in people_who_may_open(people, kept_away)
    assert person("Marieke van Dalen").pk in people_who_may_open(people, Case.objects.order_by("pk").first())
