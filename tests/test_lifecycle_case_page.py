"""The case page's lifecycle: a form per step asking what it needs, the
timeline, the owner, internal notes, hearings, conversations, aftercare offers
and the accused leaving. Every bad input of issue 10 through the pages: a clear
message at the field, the typed text kept, nothing changed (state, timeline,
audit trail)."""

import datetime

import pytest
from django.utils import timezone

from meldpunt.audit.models import AuditEvent
from meldpunt.cases.models import Case, CaseEvent, Outcome, State
from meldpunt.cases.workflow import CLOSING_OUTCOMES
from meldpunt.registry import actions as registry_actions
from meldpunt.registry.models import Appointment
from tests.conftest import verified_client
from tests.factories import report_about, walk_to

TODAY = lambda: timezone.localdate()  # noqa: E731


def page_url(case, tail=""):
    return f"/behandelen/zaak/{case.reference}/{tail}"


def snapshot(case):
    """What a refused input must leave as it was."""
    fresh = Case.objects.get(pk=case.pk)
    audit = AuditEvent.objects.filter(organisation_id_ref=case.organisation_id, case_reference=case.reference)
    changes = audit.exclude(action="case.read").count()
    return (fresh.state, fresh.outcome, fresh.owner_id, fresh.closed_at, case.events.count(), changes)


@pytest.fixture
def handler():
    return verified_client("behandelaar1")


@pytest.fixture
def case(organisation, person):
    return report_about(organisation, person("Henk Bosman"))[0]


def refused(response, *texts):
    assert response.status_code == 400, response.status_code
    page = response.content.decode()
    for text in texts:
        assert text in page, text
    return page


@pytest.mark.django_db
def test_a_handler_works_a_case_from_received_to_closed_through_the_forms(case, handler):
    handler.post(page_url(case, "status/"), {"step": "beoordelen"})
    handler.post(page_url(case, "status/"), {"step": "onderzoeken", "reason": "Ernstig.", "investigation": "intern"})
    handler.post(
        page_url(case, "vastleggen/hoor-en-wederhoor/"),
        {"date": TODAY().isoformat(), "heard_by": "Ingrid Vos", "text": "Hij ontkent de berichten."},
    )
    handler.post(page_url(case, "status/"), {"step": "besluiten", "reason": "Onderzoek afgerond."})
    handler.post(page_url(case, "status/"), {"step": "terugkoppelen"})
    handler.post(page_url(case), {"body": "Dit is er met uw melding gedaan.", "is_feedback": "on"})
    handler.post(page_url(case, "status/"), {"step": "nazorg"})
    handler.post(
        page_url(case, "vastleggen/nazorg/"), {"date": TODAY().isoformat(), "text": "Vertrouwenspersoon per bericht."}
    )
    response = handler.post(
        page_url(case, "status/"), {"step": "afsluiten", "outcome": "gegrond", "reason": "Vastgesteld."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.outcome) == (State.AFGESLOTEN, Outcome.GEGROND)
    timeline = handler.get(page_url(case)).content.decode()
    for words in (
        "Beoordeling starten: van Ontvangst bevestigd naar Beoordeling",
        "Intern onderzoek",
        "Hoor en wederhoor",
        "Gehoord door: Ingrid Vos",
        "Afsluiten: van Nazorg naar Afgesloten",
        "Uitkomst: Gegrond",
        "Reden: Vastgesteld.",
        "Nazorg aangeboden",
    ):
        assert words in timeline, words


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tried",
    [
        "afsluiten",  # tampering: a step of another state (closing straight from ontvangstbevestigd)
        "heropenen",  # a step of a closed case
        "intrekken",  # the reporter's own step
        "verwijderen",  # a step that does not exist
        "",
    ],
)
def test_an_illegal_step_is_refused_on_the_page_and_changes_nothing(case, handler, tried):
    before = snapshot(case)
    response = handler.post(page_url(case, "status/"), {"step": tried, "reason": "Getypte reden blijft staan."})
    refused(response, "Deze stap is vanuit de huidige status niet mogelijk.", "Getypte reden blijft staan.")
    assert snapshot(case) == before


@pytest.mark.django_db
def test_closing_without_outcome_reason_or_feedback_names_each_and_keeps_the_text(case, handler):
    walk_to(case, State.TERUGKOPPELING)
    before = snapshot(case)
    # Tried: closing with no outcome, no reason, no feedback and no aftercare offer.
    page = refused(
        handler.post(page_url(case, "status/"), {"step": "afsluiten"}),
        "Kies een uitkomst: gegrond, ongegrond of niet vast te stellen.",
        "Schrijf de reden op",
        "De melder heeft nog geen inhoudelijke terugkoppeling gehad.",
        "Er is nog geen nazorg aangeboden.",
    )
    assert 'href="#gesprek"' in page and 'href="#nazorg"' in page
    # Tried: an outcome but no reason; the outcome chosen stays chosen.
    page = refused(handler.post(page_url(case, "status/"), {"step": "afsluiten", "outcome": "ongegrond"}))
    assert '<option value="ongegrond" selected>' in page
    assert snapshot(case) == before


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["vertrokken", "accused left", "accused_left", "ingetrokken", "doorverwezen"])
def test_an_outcome_that_is_not_on_the_list_is_refused(case, handler, outcome):
    walk_to(case, State.NAZORG)
    before = snapshot(case)
    page = refused(
        handler.post(page_url(case, "status/"), {"step": "afsluiten", "outcome": outcome, "reason": "Hij is weg."}),
        "Het vertrek van de beschuldigde is geen uitkomst",
        "Hij is weg.",
    )
    assert "accused" not in page.lower().split("<select", 1)[-1].split("</select>", 1)[0]
    assert snapshot(case) == before


@pytest.mark.django_db
def test_the_outcome_list_never_contains_leaving(case, handler):
    walk_to(case, State.NAZORG)
    page = handler.get(page_url(case)).content.decode()
    select = page.split('id="id_afsluiten_outcome"', 1)[1].split("</select>", 1)[0]
    values = {o.value for o in CLOSING_OUTCOMES}
    assert values == {"gegrond", "ongegrond", "niet_vast_te_stellen"}
    for value in values:
        assert f'value="{value}"' in select
    assert "vertrek" not in select.lower() and "left" not in select.lower()


@pytest.mark.django_db
def test_a_step_form_asks_exactly_what_the_step_needs(case, handler):
    walk_to(case, State.BEOORDELING)
    page = handler.get(page_url(case)).content.decode()
    assert 'id="id_onderzoeken_investigation_0"' in page and 'id="id_onderzoeken_reason"' in page
    assert 'id="id_besluiten_reason"' in page and 'id="id_besluiten_outcome"' not in page
    assert 'id="id_doorverwijzen_referred_to"' in page
    # Tried: an investigation that is neither intern nor extern.
    before = snapshot(case)
    refused(
        handler.post(page_url(case, "status/"), {"step": "onderzoeken", "reason": "Nodig.", "investigation": "geheim"}),
        "Kies of het onderzoek intern of extern is.",
        "Nodig.",
    )
    assert snapshot(case) == before


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["hoor-en-wederhoor", "gesprek", "nazorg"])
def test_a_date_in_the_future_or_before_the_report_is_refused(case, handler, what):
    before = snapshot(case)
    data = {"heard_by": "Ingrid Vos", "held_by": "Ingrid Vos", "text": "Samenvatting die blijft staan."}
    tomorrow = TODAY() + datetime.timedelta(days=1)
    refused(
        handler.post(page_url(case, f"vastleggen/{what}/"), {**data, "date": tomorrow.isoformat()}),
        "Deze datum ligt in de toekomst.",
        "Samenvatting die blijft staan.",
    )
    earlier = timezone.localtime(case.received_at).date() - datetime.timedelta(days=3)
    refused(
        handler.post(page_url(case, f"vastleggen/{what}/"), {**data, "date": earlier.isoformat()}),
        "Deze datum ligt vóór de ontvangst van de melding",
        "Samenvatting die blijft staan.",
    )
    refused(handler.post(page_url(case, f"vastleggen/{what}/"), {**data, "date": "31-02-2026"}), "Vul een datum in")
    assert snapshot(case) == before


@pytest.mark.django_db
def test_a_hearing_without_who_or_summary_is_refused(case, handler):
    before = snapshot(case)
    refused(
        handler.post(page_url(case, "vastleggen/hoor-en-wederhoor/"), {"date": TODAY().isoformat()}),
        "Schrijf op wie de beschuldigde heeft gehoord.",
        "Schrijf kort op wat de beschuldigde zei.",
    )
    assert snapshot(case) == before


@pytest.mark.django_db
def test_the_feedback_checkbox_records_feedback_and_closing_shows_what_is_missing(case, handler):
    walk_to(case, State.TERUGKOPPELING)
    page = handler.get(page_url(case)).content.decode()
    assert "Dit bericht is de inhoudelijke terugkoppeling" in page
    assert "De melder heeft nog geen inhoudelijke terugkoppeling gehad." in page
    handler.post(page_url(case), {"body": "Uw melding is gegrond verklaard.", "is_feedback": "on"})
    case.refresh_from_db()
    assert case.feedback_given_at is not None
    page = handler.get(page_url(case)).content.decode()
    missing = page.split('data-testid="missing-afsluiten"', 1)[1].split("</div>", 1)[0]
    assert "terugkoppeling" not in missing and "Er is nog geen nazorg aangeboden." in missing


@pytest.mark.django_db
def test_internal_notes_stand_apart_from_the_messages(case, handler):
    response = handler.post(page_url(case, "vastleggen/notitie/"), {"text": "Collega's bevestigen het patroon."})
    assert response.status_code == 302
    page = handler.get(page_url(case)).content.decode()
    assert "Interne notities — de melder ziet dit nooit" in page
    notes = page.split('data-testid="notes"', 1)[1]
    assert "Collega&#x27;s bevestigen het patroon." in notes
    thread = page.split("Berichten met de melder", 1)[1].split('data-testid="notes"', 1)[0]
    assert "bevestigen het patroon" not in thread
    # Tried: an empty note.
    before = snapshot(case)
    refused(handler.post(page_url(case, "vastleggen/notitie/"), {"text": "   "}), "Schrijf de notitie.")
    assert snapshot(case) == before


@pytest.mark.django_db
def test_assigning_to_someone_the_case_names_or_who_is_conflicted_is_refused(organisation, case, handler, person):
    registry_actions.add_conflict(
        organisation, person("Daan Schouten"), person("Henk Bosman"), "Familie", staff_user=None
    )
    before = snapshot(case)
    # Tried: the accused himself (named in the case), typed into the request.
    refused(
        handler.post(page_url(case, "eigenaar/"), {"owner": person("Henk Bosman").pk}),
        "Henk Bosman kan deze zaak niet krijgen",
    )
    # Tried: a handler with a conflict of interest with the accused.
    page = refused(
        handler.post(page_url(case, "eigenaar/"), {"owner": person("Daan Schouten").pk}),
        "Daan Schouten kan deze zaak niet krijgen",
    )
    assert snapshot(case) == before
    choices = page.split('id="id_owner_owner"', 1)[1].split("</select>", 1)[0]
    assert "Daan Schouten" not in choices and "Henk Bosman" not in choices


@pytest.mark.django_db
def test_owner_is_shown_picked_up_and_assigned(case, handler, person):
    page = handler.get(page_url(case)).content.decode()
    assert "Integriteitsbureau (team)" in page and "Ik pak deze zaak op" in page
    handler.post(page_url(case, "eigenaar/"), {"owner": person("Ingrid Vos").pk})
    case.refresh_from_db()
    assert case.owner == person("Ingrid Vos")
    assert "Ik pak deze zaak op" not in handler.get(page_url(case)).content.decode()
    handler.post(page_url(case, "eigenaar/"), {"owner": person("Daan Schouten").pk})
    case.refresh_from_db()
    assert case.owner == person("Daan Schouten")
    handler.post(page_url(case, "eigenaar/"), {"owner": ""})
    case.refresh_from_db()
    assert case.owner is None
    timeline = handler.get(page_url(case)).content.decode().split('data-testid="timeline"', 1)[1]
    assert "Eigenaar: Daan Schouten" in timeline and "Eigenaar: Integriteitsbureau (team)" in timeline


@pytest.mark.django_db
def test_the_accused_leaving_is_an_event_that_ends_his_appointment_but_never_the_case(case, handler, person):
    walk_to(case, State.BEOORDELING)
    left_on = TODAY() - datetime.timedelta(days=1)
    response = handler.post(
        page_url(case, "vastleggen/vertrek/"),
        {"person": person("Henk Bosman").pk, "reason": "aftreden", "date": left_on.isoformat()},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.BEOORDELING and case.outcome == "" and case.closed_at is None
    appointment = Appointment.objects.get(person=person("Henk Bosman"), position__code="weth-wonen")
    assert (appointment.end_date, appointment.end_reason) == (left_on, "aftreden")
    event = case.events.get(kind=CaseEvent.Kind.ACCUSED_LEFT)
    assert event.detail == {"reason": "aftreden"} and event.occurred_on == left_on
    page = handler.get(page_url(case)).content.decode()
    assert (
        "Het vertrek van Henk Bosman beëindigt de zaak niet: de beoordeling gaat door en de melder krijgt "
        "terugkoppeling." in page
    )
    assert "Vertrek van Henk Bosman (aftreden)" in page
    # The case still has its steps ahead, and its deadlines.
    assert 'data-testid="step-besluiten"' in page
    assert case.due_dates.filter(met_at__isnull=True).exists()


@pytest.mark.django_db
def test_leaving_with_a_bad_person_reason_or_date_is_refused(case, handler, person):
    before = snapshot(case)
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    # Tried: someone who is not an accused of the case (a fellow wethouder).
    refused(
        handler.post(
            page_url(case, "vastleggen/vertrek/"),
            {"person": person("Fatima El Amrani").pk, "reason": "aftreden", "date": TODAY().isoformat()},
        ),
        "Kies een beschuldigde die in deze zaak staat.",
    )
    # Tried: leaving as "vertrokken", which is no reason on the list.
    refused(
        handler.post(
            page_url(case, "vastleggen/vertrek/"),
            {"person": person("Henk Bosman").pk, "reason": "vertrokken", "date": TODAY().isoformat()},
        ),
        "Kies hoe de beschuldigde vertrok",
    )
    # Tried: a date in the future.
    refused(
        handler.post(
            page_url(case, "vastleggen/vertrek/"),
            {"person": person("Henk Bosman").pk, "reason": "ontslag", "date": tomorrow},
        ),
        "Deze datum ligt in de toekomst.",
    )
    assert snapshot(case) == before
    assert Appointment.objects.get(person=person("Henk Bosman"), position__code="weth-wonen").end_date is None


@pytest.mark.django_db
def test_the_timeline_says_which_reminder_or_escalation_was_sent(case, handler):
    # As the sweep writes them (meldpunt/escalation/sweep.py): a reminder, then the first escalation.
    for round_number in (0, 1):
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.ESCALATION,
            at=timezone.now(),
            actor="system:escalation",
            detail={"deadline": "terugkoppeling", "round": round_number, "recipients": 2, "external": False},
        )
    timeline = handler.get(page_url(case)).content.decode().split('data-testid="timeline"', 1)[1]
    assert "Herinnering: inhoudelijke terugkoppeling aan de melder nadert" in timeline
    assert "Escalatie 1: inhoudelijke terugkoppeling aan de melder is over tijd" in timeline
    assert "Ontvangers: 2" in timeline
