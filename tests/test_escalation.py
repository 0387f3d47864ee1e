"""Deadlines that escalate by themselves: the sweep (meldpunt.escalation.sweep).

The clock is frozen with time-machine; each test starts on a Monday after the
demo's registry was loaded, so the demo's appointments hold throughout.
"""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from meldpunt.cases import deadlines
from meldpunt.cases.access import may_open
from meldpunt.cases.actions import submit_report
from meldpunt.cases.models import CaseEvent, Channel, Kind
from meldpunt.cases.ownership import assign
from meldpunt.escalation import service, tasks
from meldpunt.escalation.external import send_external_email
from meldpunt.escalation.models import DueDate, Escalation
from meldpunt.escalation.sweep import sweep
from meldpunt.notifications.models import Notification
from meldpunt.registry import actions as registry_actions
from tests.factories import ReportInputFactory, accused, report_about

pytestmark = pytest.mark.django_db

AMSTERDAM = datetime.timezone(datetime.timedelta(hours=1))
START = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)  # a Monday


def staff(username="behandelaar1"):
    return get_user_model().objects.get(username=username)


def rounds(case, kind):
    return list(Escalation.objects.filter(due_date__case=case, due_date__kind=kind).order_by("round"))


def sent_to(case, person, kind):
    return list(Notification.objects.filter(case=case, person=person, kind=kind))


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return sweep()


def test_an_unhandled_online_report_reminds_its_owner_then_escalates_and_again_after_the_interval(organisation, person):
    handler, secretary, accused_person = person("Ingrid Vos"), person("Willem Jacobs"), person("Lotte Jansen")
    with time_machine.travel(START, tick=False):
        case, _code = report_about(organisation, accused_person)
        assign(case, handler, staff_user=staff())
    feedback = DueDate.objects.get(case=case, kind=deadlines.FEEDBACK)
    rules = service.rules_for(case)
    assert feedback.due_at == deadlines.add_months(START, 3)  # acknowledged at once, 3 months later

    # Two working days before the deadline: nothing yet just before, the owner is reminded at the moment.
    reminder = deadlines.reminder_at(feedback.due_at, rules)
    sweep_at(reminder - datetime.timedelta(minutes=1))
    assert rounds(case, deadlines.FEEDBACK) == []
    sweep_at(reminder)
    [sent] = rounds(case, deadlines.FEEDBACK)
    assert (sent.round, sent.recipients) == (0, [handler.pk])
    assert any("terugkoppeling aan de melder moet uiterlijk" in n.reason for n in sent_to(case, handler, "reminder"))

    # Once it has passed: the rule's chain (medewerker: the gemeentesecretaris), who may now open the case.
    sweep_at(feedback.due_at + datetime.timedelta(days=4))
    first = rounds(case, deadlines.FEEDBACK)[1]
    assert (first.round, first.recipients, first.external) == (1, [secretary.pk], False)
    [escalated] = [n for n in sent_to(case, secretary, "escalation") if "terugkoppeling" in n.reason]
    assert escalated.reason == f"zaak {case.reference}: terugkoppeling aan de melder is 4 dagen over tijd."
    assert may_open(secretary, case)
    assert not may_open(accused_person, case)

    # And again after the interval, until the deadline is met.
    second_at = deadlines.escalation_at(feedback.due_at, 2, rules)
    assert second_at > feedback.due_at + datetime.timedelta(days=4)
    sweep_at(second_at)
    assert [e.round for e in rounds(case, deadlines.FEEDBACK)] == [0, 1, 2]
    timeline = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ESCALATION, detail__deadline="terugkoppeling")
    assert [e.detail["round"] for e in timeline] == [0, 1, 2]


def test_running_the_sweep_twice_sends_nothing_twice(organisation, person):
    with time_machine.travel(START, tick=False):
        case, _code = report_about(organisation, person("Lotte Jansen"))
    later = START + datetime.timedelta(days=120)
    first = sweep_at(later)
    count = Notification.objects.count()
    assert first > 0
    assert sweep_at(later) == 0
    assert sweep_at(later + datetime.timedelta(minutes=15)) == 0
    assert Notification.objects.count() == count
    # Late by months, each deadline still got one escalation, not one per missed round
    # (the acknowledgement of an online report was met at once).
    assert Escalation.objects.filter(due_date__case=case).count() == len(deadlines.KINDS) - 1


def test_a_phone_report_not_acknowledged_is_reminded_before_day_7_and_escalates_on_day_7(organisation, person):
    handler = person("Ingrid Vos")
    report = ReportInputFactory(subjects=[accused(person("Lotte Jansen"))])
    with time_machine.travel(START, tick=False):
        case, _code = submit_report(organisation, report, channel=Channel.TELEFOON, registered_by=staff())
    assert case.owner == handler
    sweep_at(START + datetime.timedelta(days=2))
    assert rounds(case, deadlines.ACKNOWLEDGEMENT) == []
    # Day 7 is the next Monday; two working days before it is Thursday.
    sweep_at(START + datetime.timedelta(days=3))
    [reminder] = rounds(case, deadlines.ACKNOWLEDGEMENT)
    assert (reminder.round, reminder.recipients) == (0, [handler.pk])
    sweep_at(START + datetime.timedelta(days=7))
    escalation = rounds(case, deadlines.ACKNOWLEDGEMENT)[1]
    assert escalation.round == 1
    assert escalation.recipients == [person("Willem Jacobs").pk]
    escalations = Notification.objects.filter(case=case, kind="escalation", reason__contains="ontvangst")
    [reason] = {n.reason for n in escalations}
    assert reason == f"zaak {case.reference}: de ontvangstbevestiging aan de melder is sinds vandaag over tijd."


def test_a_wethouder_case_escalates_to_the_burgemeester_and_never_to_the_accused(organisation, person):
    wethouder, mayor = person("Henk Bosman"), person("Marieke van Dalen")
    with time_machine.travel(START, tick=False):
        case, _code = report_about(organisation, wethouder)
    sweep_at(START + datetime.timedelta(days=120))
    recipients = {p for e in Escalation.objects.filter(due_date__case=case, round__gt=0) for p in e.recipients}
    assert recipients == {mayor.pk}
    assert not Notification.objects.filter(person=wethouder).exists()


def test_a_conflicted_burgemeester_is_passed_over_for_the_deputy_chain(organisation, person):
    wethouder, mayor = person("Henk Bosman"), person("Marieke van Dalen")
    registry_actions.add_conflict(organisation, mayor, wethouder, "Familie", staff_user=staff("beheerder"))
    with time_machine.travel(START, tick=False):
        case, _code = report_about(organisation, wethouder)
    sweep_at(START + datetime.timedelta(days=120))
    recipients = {p for e in Escalation.objects.filter(due_date__case=case, round__gt=0) for p in e.recipients}
    # Burgemeester conflicted, her deputy (wethouder Wonen) is the accused: wethouder Financiën.
    assert recipients == {person("Pieter de Groot").pk}
    assert not Notification.objects.filter(case=case, person__in=[mayor, wethouder]).exists()


def test_a_case_about_the_burgemeester_escalates_to_the_external_address_by_email_only(organisation, person):
    mayor = person("Marieke van Dalen")
    organisation.external_oversight = "Commissaris van de Koning, Postbus 1 (fictief), cdk@provincie.example"
    organisation.save()
    with time_machine.travel(START, tick=False):
        case, _code = report_about(organisation, mayor)
    sweep_at(START + datetime.timedelta(days=120))
    escalations = list(Escalation.objects.filter(due_date__case=case, round__gt=0))
    assert escalations and all(e.external and e.recipients == [] for e in escalations)
    assert {e.external_address for e in escalations} == {"cdk@provincie.example"}
    assert not Notification.objects.filter(person=mayor).exists()
    mail.outbox.clear()
    for escalation in escalations:
        assert send_external_email.call(escalation.pk) == "sent"
        assert send_external_email.call(escalation.pk) == "already sent"
    assert len(mail.outbox) == len(escalations)
    message = mail.outbox[0]
    assert message.to == ["cdk@provincie.example"]
    assert case.reference in message.subject and "over tijd" in message.body
    assert case.content["description"] not in message.body


def test_no_email_in_the_external_address_alerts_the_functional_admin(organisation, person):
    organisation.external_oversight = "Commissaris van de Koning, Postbus 1, 1000 AA Provinciestad (fictief)"
    organisation.save()
    with time_machine.travel(START, tick=False):
        case, _code = report_about(organisation, person("Marieke van Dalen"))
    sweep_at(START + datetime.timedelta(days=120))
    assert Escalation.objects.filter(due_date__case=case, external=True, external_address="").exists()
    alerts = Notification.objects.filter(person=person("Rob Lammers"), kind="admin_alert")
    assert any("geen e-mailadres" in a.reason for a in alerts)


def test_a_signal_registered_by_a_handler_and_left_alone_escalates_like_a_report(organisation, person):
    report = ReportInputFactory(subjects=[accused(person("Lotte Jansen"))])
    with time_machine.travel(START, tick=False):
        case, _code = submit_report(
            organisation, report, kind=Kind.SIGNAAL, channel=Channel.WAARNEMING, registered_by=staff()
        )
    sweep_at(START + datetime.timedelta(days=120))
    escalated = Escalation.objects.filter(due_date__case=case, round__gt=0)
    assert {e.due_date.kind for e in escalated} == set(deadlines.KINDS)
    assert all(e.recipients == [person("Willem Jacobs").pk] for e in escalated)


def test_a_case_whose_accused_resigned_stays_in_every_deadline_and_escalation(organisation, person):
    # Gerard Wolters was wethouder Wonen until May 2022; the events were during his term.
    former = person("Gerard Wolters")
    with time_machine.travel(START, tick=False):
        case, _code = report_about(
            organisation, former, period_start=datetime.date(2021, 1, 1), period_end=datetime.date(2021, 6, 30)
        )
    # Every deadline waits but the acknowledgement, which an online report meets at once.
    waiting = set(DueDate.objects.filter(case=case, next_action_at__isnull=False).values_list("kind", flat=True))
    assert waiting == set(deadlines.KINDS) - {deadlines.ACKNOWLEDGEMENT}
    sweep_at(START + datetime.timedelta(days=120))
    escalated = Escalation.objects.filter(due_date__case=case, round__gt=0)
    assert {e.due_date.kind for e in escalated} == waiting
    assert {p for e in escalated for p in e.recipients} == {person("Marieke van Dalen").pk}


def test_a_met_deadline_stops_escalating(organisation, person):
    from meldpunt.cases.actions import post_message
    from meldpunt.cases.models import Message

    with time_machine.travel(START, tick=False):
        case, _code = report_about(organisation, person("Lotte Jansen"))
    sweep_at(START + datetime.timedelta(days=12))
    assert rounds(case, deadlines.FIRST_CONTACT)[-1].round == 1
    with time_machine.travel(START + datetime.timedelta(days=13), tick=False):
        post_message(case, Message.Author.BEHANDELAAR, "Wij nemen contact met u op.", staff_user=staff())
    sweep_at(START + datetime.timedelta(days=40))
    assert rounds(case, deadlines.FIRST_CONTACT)[-1].round == 1


@pytest.mark.parametrize(
    ("due", "second_round"),
    [
        # Seven working days after Monday 26 April 2027, skipping Koningsdag (27 April)
        # and Bevrijdingsdag (5 May): Friday 7 May.
        (datetime.datetime(2027, 4, 26, 10, 0, tzinfo=AMSTERDAM), datetime.date(2027, 5, 7)),
        # Seven working days after Thursday 24 December 2026, skipping Christmas (Friday 25),
        # the weekend and New Year's Day (Friday 1 January): Wednesday 6 January 2027.
        (datetime.datetime(2026, 12, 24, 10, 0, tzinfo=AMSTERDAM), datetime.date(2027, 1, 6)),
    ],
)
def test_working_days_skip_public_holidays(organisation, person, due, second_round):
    with time_machine.travel(datetime.datetime(2026, 12, 3, 10, 0, tzinfo=AMSTERDAM), tick=False):
        case, _code = report_about(organisation, person("Lotte Jansen"))
    assert service.rules_for(case).escalation_interval_days == 7
    DueDate.objects.filter(case=case).exclude(kind=deadlines.FEEDBACK).update(next_action_at=None)
    DueDate.objects.filter(case=case, kind=deadlines.FEEDBACK).update(
        due_at=due, next_action_at=due, reminded_at=due - datetime.timedelta(days=2)
    )
    sweep_at(due + datetime.timedelta(minutes=1))
    day_before = datetime.datetime.combine(second_round - datetime.timedelta(days=1), datetime.time(23, 0), AMSTERDAM)
    sweep_at(day_before)
    assert [e.round for e in rounds(case, deadlines.FEEDBACK)] == [1]
    sweep_at(datetime.datetime.combine(second_round, datetime.time(10, 0), AMSTERDAM))
    assert [e.round for e in rounds(case, deadlines.FEEDBACK)] == [1, 2]


def test_the_command_sweeps_and_queues_one_repeating_sweep(organisation):
    call_command("escalate", "--schedule")
    call_command("escalate", "--schedule")
    queued = DBTaskResult.objects.filter(task_path=tasks.escalation_sweep.module_path, status="READY")
    assert queued.count() == 1
    assert queued.get().run_after > timezone.now() + datetime.timedelta(minutes=14)
    # A second waiting run (two machines scheduling at once) is dropped, the cycle does not double.
    tasks.escalation_sweep.enqueue()
    assert tasks.schedule() is False
    assert queued.count() == 1


def test_the_backfill_gives_older_cases_the_deadlines_refresh_would(organisation, person):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("meldpunt.escalation.migrations.0003_backfill_due_dates").backfill
    with time_machine.travel(START, tick=False):
        case, _code = report_about(organisation, person("Henk Bosman"))
    expected = list(DueDate.objects.filter(case=case).order_by("kind").values_list("kind", "due_at", "next_action_at"))
    DueDate.objects.filter(case=case).delete()  # as before the lifecycle
    backfill(apps, None)
    backfill(apps, None)  # running it again adds nothing
    rows = DueDate.objects.filter(case=case).order_by("kind").values_list("kind", "due_at", "next_action_at")
    assert list(rows) == expected
