"""Who of the integrity office may open a new case is worked out once per
submission (notifications.service.office_answer_kept), and afresh outside it."""

import pytest

from meldpunt.notifications import service
from meldpunt.notifications.models import Notification
from tests.factories import report_about


@pytest.fixture
def office_questions(monkeypatch):
    asked = []
    work_out = service._work_out_office_handlers

    def counting(case):
        asked.append(case.pk)
        return work_out(case)

    monkeypatch.setattr(service, "_work_out_office_handlers", counting)
    return asked


@pytest.mark.django_db
def test_a_submission_works_out_the_office_once_and_tells_every_handler(organisation, person, office_questions):
    # A report about a wethouder: the protocol names the burgemeester, the gemeentesecretaris and the office;
    # the new-case notice goes to every handler; each of these asked who of the office may open it.
    case, _code = report_about(organisation, person("Henk Bosman"))
    assert office_questions == [case.pk]
    told = set(
        Notification.objects.filter(case=case, kind=Notification.Kind.NEW_CASE, to_office=False).values_list(
            "person_id", flat=True
        )
    )
    assert told == {handler.pk for handler in service.handlers_who_may_open(case)} and told
    # Outside the submission the question is answered afresh each time.
    asked_before = len(office_questions)
    service.office_may_hear(case)
    service.office_may_hear(case)
    assert len(office_questions) == asked_before + 2


@pytest.mark.django_db
def test_a_report_naming_a_handler_keeps_that_handler_out_of_the_kept_answer(organisation, person, office_questions):
    handler = service.handlers_who_may_open(report_about(organisation, person("Henk Bosman"))[0])[0]
    case, _code = report_about(organisation, handler)
    assert handler.pk not in {p.pk for p in service.handlers_who_may_open(case)}
    assert not Notification.objects.filter(case=case, person=handler).exists()
    assert not Notification.objects.filter(case=case, to_office=True).exists()
