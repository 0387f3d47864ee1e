"""The source documents' failures as tests (fictional names, Gemeente Voorbeeldstad):

- a citizen reported about a wethouder after he had resigned and heard
  nothing for months; the mayor saw no reason to investigate "because he has
  resigned". Here the report is acknowledged at once, can be assessed and
  answered, and cannot be closed because he left;
- a handler whose login is switched off leaves no case lying around: their
  open cases go back to the team and the other handlers are told.
"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from meldpunt import throttle
from meldpunt.cases.models import Case, CaseEvent, Message, State
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.notifications.models import Notification
from meldpunt.registry.models import Appointment
from tests.conftest import verified_client
from tests.factories import report_about

RESIGNED = datetime.date(2022, 5, 31)  # Gerard Wolters, wethouder Wonen until then (demo data)


def url(case, tail=""):
    return f"/behandelen/zaak/{case.reference}/{tail}"


@pytest.mark.django_db
def test_a_report_about_a_wethouder_who_already_resigned_is_handled_and_cannot_be_closed_because_he_left(
    organisation, person
):
    throttle.forget()
    wolters = person("Gerard Wolters")
    case, code = report_about(organisation, wolters, description="Hij stuurde mij berichten na mijn hulpvraag.")
    # Acknowledged at once, in the reporter's inbox.
    assert case.state == State.ONTVANGSTBEVESTIGD and case.acknowledged_at is not None
    reporter = Client()
    reporter.post("/voorbeeldstad/postvak/", {"code": str(code)})
    assert "Wij hebben uw melding goed ontvangen" in reporter.get("/voorbeeldstad/postvak/melding/").content.decode()

    handler = verified_client("behandelaar1")
    # His resignation, before the report came in, is recorded as an event: it does not end the case.
    response = handler.post(
        url(case, "vastleggen/vertrek/"), {"person": wolters.pk, "reason": "aftreden", "date": RESIGNED.isoformat()}
    )
    assert response.status_code == 302
    assert case.events.filter(kind=CaseEvent.Kind.ACCUSED_LEFT, person=wolters).exists()
    page = handler.get(url(case)).content.decode()
    assert "Het vertrek van Gerard Wolters beëindigt de zaak niet" in page
    assert Case.objects.get(pk=case.pk).state in OPEN_STATES

    # It can be assessed ...
    handler.post(url(case, "status/"), {"step": "beoordelen"})
    handler.post(url(case, "status/"), {"step": "besluiten", "reason": "De berichten zijn vastgesteld."})
    handler.post(url(case, "status/"), {"step": "terugkoppelen"})
    # ... and answered.
    handler.post(url(case), {"body": "Wij hebben uw melding onderzocht en gegrond verklaard.", "is_feedback": "on"})
    case.refresh_from_db()
    assert case.state == State.TERUGKOPPELING and case.feedback_given_at is not None
    assert "gegrond verklaard" in reporter.get("/voorbeeldstad/postvak/melding/").content.decode()

    # Tried: closing "because he left" — as an outcome, and straight away with that reason.
    handler.post(
        url(case, "vastleggen/nazorg/"), {"date": timezone.localdate().isoformat(), "text": "Vertrouwenspersoon."}
    )
    for outcome in ("vertrokken", "accused_left", "aftreden"):
        response = handler.post(
            url(case, "status/"), {"step": "afsluiten", "outcome": outcome, "reason": "Hij is afgetreden."}
        )
        assert response.status_code == 400
        assert "Het vertrek van de beschuldigde is geen uitkomst" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.TERUGKOPPELING and case.outcome == ""
    # His appointment had already ended in the registry; it keeps its end date.
    appointment = Appointment.objects.get(person=wolters)
    assert appointment.end_date == RESIGNED


@pytest.mark.django_db
def test_deactivating_a_handler_sends_their_open_cases_back_to_the_team_with_an_alert(organisation, person):
    throttle.forget()
    schouten, vos = person("Daan Schouten"), person("Ingrid Vos")
    cases = [report_about(organisation, person("Henk Bosman"))[0] for _ in range(2)]
    daan = verified_client("behandelaar2")
    for case in cases:
        assert daan.post(url(case, "eigenaar/"), {"owner": schouten.pk}).status_code == 302
    assert {c.owner_id for c in Case.objects.filter(pk__in=[c.pk for c in cases])} == {schouten.pk}

    admin = verified_client("beheerder")
    response = admin.post(f"/beheer/personen/{schouten.pk}/login/", {"action": "deactivate"})
    assert response.status_code == 200

    for case in Case.objects.filter(pk__in=[c.pk for c in cases]):
        assert case.owner_id is None  # back to the team: never an open case without an owner
        assert case.events.filter(kind=CaseEvent.Kind.OWNER, detail__why="owner_unavailable").exists()
        alert = Notification.objects.get(case=case, person=vos, kind=Notification.Kind.BACK_TO_TEAM)
        assert "terug bij het team" in alert.reason
    # Ingrid sees it on Mijn zaken and on the case page.
    mine = verified_client("behandelaar1").get("/behandelen/mijn-zaken/").content.decode()
    assert "Zaak terug bij het team" in mine
    assert all(case.reference in mine for case in cases)
    page = verified_client("behandelaar1").get(url(cases[0])).content.decode()
    assert "Terug naar Integriteitsbureau (team): de eigenaar kan de zaak niet meer behandelen" in page
    assert not Message.objects.filter(case__in=cases, author=Message.Author.BEHANDELAAR).exists()


@pytest.mark.django_db
def test_my_cases_lists_mine_and_the_teams_by_next_deadline_overdue_first(organisation, person):
    throttle.forget()
    vos = person("Ingrid Vos")
    handler = verified_client("behandelaar1")
    later, sooner, other = (report_about(organisation, person("Henk Bosman"))[0] for _ in range(3))
    handler.post(url(later, "eigenaar/"), {"owner": vos.pk})
    verified_client("behandelaar2").post(url(other, "eigenaar/"), {"owner": person("Daan Schouten").pk})
    # The team's case got its first contact deadline moved into the past: overdue, so it comes first.
    sooner.due_dates.filter(met_at__isnull=True).update(due_at=timezone.now() - datetime.timedelta(days=2))
    page = handler.get("/behandelen/mijn-zaken/").content.decode()
    table = page.split('data-testid="my-cases"', 1)[1].split("</table>", 1)[0]
    assert sooner.reference in table and later.reference in table
    assert other.reference not in table  # Daan's case is not mine nor the team's
    assert table.index(sooner.reference) < table.index(later.reference)
    assert "Over tijd" in table.split(later.reference, 1)[0]
    assert 'href="/behandelen/mijn-zaken/"' in page  # in the staff navigation
