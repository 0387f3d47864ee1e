"""Access follows the calendar: appointments that start or end on a planned date."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from meldpunt.notifications.models import Notification
from meldpunt.protocol import tasks
from meldpunt.registry import actions
from meldpunt.registry.models import Appointment, Person, Position, today
from tests.conftest import verified_client
from tests.factories import report_about
from tests.test_access_sync import can_open, login

pytestmark = pytest.mark.django_db


def test_a_planned_change_of_burgemeester_moves_access_on_the_day_itself(organisation, person):
    admin = get_user_model().objects.get(username="beheerder")
    case, _code = report_about(organisation, person("Henk Bosman"))
    mayor, successor = person("Marieke van Dalen"), Person.objects.create(organisation=organisation, name="Opvolger")
    tomorrow = today() + datetime.timedelta(days=1)
    # Planned today: Marieke's last day is today, the successor starts tomorrow.
    current = Appointment.objects.get(person=mayor)
    current.end_date = today()
    actions.end_appointment(current, staff_user=admin)
    position = Position.objects.get(organisation=organisation, code="burgemeester")
    actions.appoint(Appointment(position=position, person=successor, start_date=tomorrow), staff_user=admin)
    assert can_open(verified_client("burgemeester"), case)
    assert not can_open(login(successor), case)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        # Before the daily run: the former burgemeester is out already (her position ran out).
        assert not can_open(verified_client("burgemeester"), case)
        assert tasks.sync_all() == 1
        assert can_open(login(successor), case)
        assert Notification.objects.filter(person=successor, case=case).count() == 1
        assert tasks.sync_all() == 0  # nothing more to do: no second notification
    assert Notification.objects.filter(person=successor, case=case).count() == 1


def test_the_command_routes_and_queues_one_daily_run(organisation, person):
    call_command("sync_access", "--schedule")
    call_command("sync_access", "--schedule")
    queued = DBTaskResult.objects.filter(task_path=tasks.daily_access_sync.module_path, status="READY")
    assert queued.count() == 1
    run_after = timezone.localtime(queued.get().run_after)
    assert run_after.date() == today() + datetime.timedelta(days=1)
    assert (run_after.hour, run_after.minute) == (0, 5)
