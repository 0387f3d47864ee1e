"""The measures register (meldpunt/maatregelen), through the pages a handler,
the burgemeester and the reporter use. Fictional people of Gemeente Voorbeeldstad.

The seed's failure: civil servants who complained about a wethouder were
"kept away from him as the solution". Here keeping the reporter away is a
measure that burdens the reporter: it needs a written justification and the
reporter's consent, stays "voorgesteld" until then, and is counted apart.
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from meldpunt import throttle
from meldpunt.audit.models import AuditEvent
from meldpunt.cases.models import CaseEvent, Message
from meldpunt.maatregelen.models import Measure
from tests.conftest import verified_client
from tests.factories import report_about

TODAY = datetime.date.today
JUSTIFICATION = "De melder vroeg zelf om niet meer bij het portefeuilleoverleg te zitten zolang het onderzoek loopt."


def case_url(case, tail=""):
    return f"/behandelen/zaak/{case.reference}/{tail}"


def open_inbox(code) -> Client:
    client = Client()
    response = client.post("/voorbeeldstad/postvak/", {"code": str(code)})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def keep_away(**changes) -> dict:
    """The handler's form for 'keep the reporter away from the wethouder'."""
    data = {
        "kind": "partijen_scheiden",
        "burdens": "melder",
        "decided_on": timezone.localdate().isoformat(),
        "decision_maker": "",
        "decision_maker_other": "Het college van burgemeester en wethouders",
        "reason": "De melder en wethouder Kuipers zien elkaar in het wekelijkse portefeuilleoverleg.",
        "justification": "",
        "state": "genomen",
    }
    data.update(changes)
    return data


def counts(client) -> tuple[str, str]:
    page = client.get("/behandelen/").content.decode()
    start = page.index('data-testid="burden-proposed">') + len('data-testid="burden-proposed">')
    proposed = page[start : page.index("<", start)]
    start = page.index('data-testid="burden-taken">') + len('data-testid="burden-taken">')
    return proposed, page[start : page.index("<", start)]


@pytest.fixture
def reported(organisation, person):
    throttle.forget()
    return report_about(organisation, person("Johan Kuipers"), description="Hij bleef mij berichten sturen.")


@pytest.fixture
def handler(organisation):
    return verified_client("behandelaar1")


@pytest.mark.django_db
def test_keeping_the_reporter_away_from_the_wethouder_needs_justification_and_the_reporters_consent(reported, handler):
    case, code = reported
    assert counts(handler) == ("0 voorgesteld, wachten op instemming", "0 genomen")

    # Tried: "genomen" without a justification. Refused at the field, what was typed kept, nothing stored.
    response = handler.post(case_url(case, "maatregelen/"), keep_away())
    assert response.status_code == 400
    page = response.content.decode()
    assert "Deze maatregel belast de melder. Schrijf de onderbouwing op" in page
    assert 'id="id_measure_justification_error"' in page
    assert "zien elkaar in het wekelijkse portefeuilleoverleg" in page  # the reason typed is still there
    assert not Measure.objects.exists()
    assert not case.events.filter(kind=CaseEvent.Kind.MEASURE).exists()

    # With a justification, "genomen" is asked again: it is stored as proposed, with the reason why.
    response = handler.post(case_url(case, "maatregelen/"), keep_away(justification=JUSTIFICATION), follow=True)
    assert "Hij is niet genomen maar staat als voorgesteld" in response.content.decode()
    measure = Measure.objects.get()
    assert (measure.state, measure.burdens, measure.consent, measure.taken_at) == ("voorgesteld", "melder", "", None)
    page = handler.get(case_url(case)).content.decode()
    assert 'data-state="voorgesteld" data-burdens="melder"' in page
    assert "Maatregel vastgelegd: Partijen scheiden (voorgesteld)" in page  # the timeline
    assert counts(handler) == ("1 voorgesteld, wachten op instemming", "0 genomen")

    # Taking it without consent: it stays proposed, with a clear explanation.
    response = handler.post(case_url(case, f"maatregelen/{measure.public_id}/nemen/"))
    assert response.status_code == 400
    assert "kan pas worden genomen als de melder heeft ingestemd. Hij blijft voorgesteld." in response.content.decode()
    measure.refresh_from_db()
    assert measure.state == "voorgesteld"

    # The reporter sees it in the inbox, in plain words, and agrees.
    reporter = open_inbox(code)
    inbox = reporter.get("/voorbeeldstad/postvak/melding/").content.decode()
    assert "Maatregelen die u raken" in inbox and "Partijen scheiden" in inbox
    assert "U en de persoon over wie u meldde worden uit elkaar gehouden" in inbox
    assert JUSTIFICATION in inbox
    assert "zien elkaar in het wekelijkse portefeuilleoverleg" not in inbox  # the internal reason is not shown
    assert "Er is een maatregel voorgesteld die u raakt" in inbox  # the question in the thread
    response = reporter.post(
        f"/voorbeeldstad/postvak/maatregel/{measure.public_id}/", {"answer": "akkoord", "remark": "Graag zo."}
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.state, measure.consent, measure.consent_via) == ("genomen", "akkoord", "postvak")
    assert measure.taken_at is not None and measure.consent_sealed == {"remark": "Graag zo."}
    inbox = reporter.get("/voorbeeldstad/postvak/melding/").content.decode()
    assert "De maatregel is genomen." in inbox

    page = handler.get(case_url(case)).content.decode()
    assert "De melder stemde in (via het postvak): Partijen scheiden is genomen" in page
    assert counts(handler) == ("0 voorgesteld, wachten op instemming", "1 genomen")
    actions = list(
        AuditEvent.objects.filter(case_reference=case.reference, action__startswith="measure.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["measure.recorded", "measure.consent_given", "measure.taken"]


@pytest.mark.django_db
def test_a_measure_on_the_accused_is_taken_at_once_and_its_words_are_sealed(reported, handler):
    case, _code = reported
    response = handler.post(
        case_url(case, "maatregelen/"),
        keep_away(kind="waarschuwing", burdens="beschuldigde", reason="Onaanvaardbare berichten aan een medewerker."),
    )
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert measure.state == "genomen" and measure.taken_at is not None
    assert measure.sealed["reason"] == "Onaanvaardbare berichten aan een medewerker."
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_text FROM maatregelen_measure")
        (stored,) = cursor.fetchone()
    assert b"Onaanvaardbare" not in bytes(stored) and b"college" not in bytes(stored)
    assert counts(handler) == ("0 voorgesteld, wachten op instemming", "0 genomen")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "ontslag"}, "kind", "Kies een soort maatregel uit de lijst."),
        ({"kind": ""}, "kind", "Kies een soort maatregel uit de lijst."),
        ({"burdens": "wethouder"}, "burdens", "Kies wie deze maatregel belast"),
        ({"decided_on": "2999-01-01"}, "decided_on", "Deze datum ligt in de toekomst."),
        ({"decided_on": "1901-01-01"}, "decided_on", "Deze datum ligt vóór de ontvangst van de melding"),
        ({"decided_on": "morgen"}, "decided_on", "Vul een datum in als dag-maand-jaar"),
        ({"decision_maker_other": ""}, "decision_maker", "Kies wie besluit"),
        ({"reason": "   "}, "reason", "Schrijf de reden op"),
        ({"state": "uitgevoerd"}, "state", "Kies of de maatregel genomen is of voorgesteld."),
    ],
)
def test_bad_measure_input_is_refused_at_its_field_and_nothing_is_stored(reported, handler, changes, field, message):
    case, _code = reported
    response = handler.post(case_url(case, "maatregelen/"), keep_away(justification=JUSTIFICATION, **changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_measure_{field}_error"' in page and message in page
    assert JUSTIFICATION in page
    assert not Measure.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="measure.").exists()


@pytest.mark.django_db
def test_the_accused_cannot_be_named_as_decision_maker(reported, handler, person):
    case, _code = reported
    response = handler.post(
        case_url(case, "maatregelen/"), keep_away(burdens="beschuldigde", decision_maker=person("Johan Kuipers").pk)
    )
    assert response.status_code == 400
    assert "Iemand die de zaak noemt, besluit nooit over een maatregel." in response.content.decode()
    assert not Measure.objects.exists()


@pytest.mark.django_db
def test_consent_for_another_cases_measure_is_not_found_and_changes_nothing(reported, handler, organisation, person):
    case, code = reported
    other, other_code = report_about(organisation, person("Fatima El Amrani"))
    handler.post(case_url(other, "maatregelen/"), keep_away(justification=JUSTIFICATION))
    foreign = Measure.objects.get(case=other)

    reporter = open_inbox(code)  # the inbox of the first case
    response = reporter.post(f"/voorbeeldstad/postvak/maatregel/{foreign.public_id}/", {"answer": "akkoord"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert (foreign.state, foreign.consent) == ("voorgesteld", "")
    # Nor through the first case's page for handlers.
    for tail in ("nemen", "intrekken", "instemming"):
        response = handler.post(case_url(case, f"maatregelen/{foreign.public_id}/{tail}/"), {"answer": "akkoord"})
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert (foreign.state, foreign.consent) == ("voorgesteld", "")
    assert not AuditEvent.objects.filter(action__startswith="measure.consent").exists()
    # Without an open inbox: the code is asked, nothing changes.
    response = Client().post(f"/voorbeeldstad/postvak/maatregel/{foreign.public_id}/", {"answer": "akkoord"})
    assert response.status_code == 302 and response["Location"] == "/voorbeeldstad/postvak/"


@pytest.mark.django_db
def test_the_reporter_can_refuse_and_answers_only_once(reported, handler):
    case, code = reported
    handler.post(case_url(case, "maatregelen/"), keep_away(kind="overplaatsing", justification=JUSTIFICATION))
    measure = Measure.objects.get()
    reporter = open_inbox(code)
    url = f"/voorbeeldstad/postvak/maatregel/{measure.public_id}/"
    # No answer chosen: the inbox again, the remark kept.
    response = reporter.post(url, {"answer": "misschien", "remark": "Ik wil liever blijven."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Kies of u akkoord gaat of niet." in page and "Ik wil liever blijven." in page
    assert reporter.post(url, {"answer": "niet_akkoord", "remark": "Ik wil liever blijven."}).status_code == 302
    measure.refresh_from_db()
    assert (measure.state, measure.consent) == ("vervallen", "niet_akkoord") and measure.taken_at is None
    # A second answer (the back button) changes nothing.
    reporter.post(url, {"answer": "akkoord"})
    measure.refresh_from_db()
    assert (measure.state, measure.consent) == ("vervallen", "niet_akkoord")
    assert "De maatregel gaat niet door." in reporter.get("/voorbeeldstad/postvak/melding/").content.decode()
    assert handler.post(case_url(case, f"maatregelen/{measure.public_id}/nemen/")).status_code == 302
    measure.refresh_from_db()
    assert measure.state == "vervallen"
    assert counts(handler) == ("0 voorgesteld, wachten op instemming", "0 genomen")


@pytest.mark.django_db
def test_consent_of_a_named_reporter_from_a_recorded_conversation(organisation, person, handler):
    throttle.forget()
    case, _code = report_about(organisation, person("Johan Kuipers"), anonymous=False, name="Noor Visscher")
    handler.post(case_url(case, "maatregelen/"), keep_away(kind="andere_taken", justification=JUSTIFICATION))
    measure = Measure.objects.get()
    url = case_url(case, f"maatregelen/{measure.public_id}/instemming/")
    today = timezone.localdate()
    for data, field, message in [
        ({"answer": "akkoord", "date": "", "held_by": "Ingrid Vos"}, "date", "Vul een datum in."),
        (
            {"answer": "akkoord", "date": (today + datetime.timedelta(days=3)).isoformat(), "held_by": "Ingrid Vos"},
            "date",
            "Deze datum ligt in de toekomst.",
        ),
        (
            {"answer": "akkoord", "date": "2001-01-01", "held_by": "Ingrid Vos"},
            "date",
            "Dit gesprek ligt vóór het voorstel van de maatregel",
        ),
        ({"answer": "akkoord", "date": today.isoformat(), "held_by": ""}, "held_by", "Schrijf op wie het gesprek"),
        ({"answer": "", "date": today.isoformat(), "held_by": "Ingrid Vos"}, "answer", "Kies het antwoord"),
        ({"answer": "ja", "date": today.isoformat(), "held_by": "Ingrid Vos"}, "answer", "Kies het antwoord"),
    ]:
        response = handler.post(url, {**data, "remark": "Zij wil dit zelf."})
        assert response.status_code == 400, data
        page = response.content.decode()
        assert message in page and "Zij wil dit zelf." in page, data
        assert f"_{field}_error" in page, data
        measure.refresh_from_db()
        assert measure.state == "voorgesteld" and measure.consent == ""
    response = handler.post(url, {"answer": "akkoord", "date": today.isoformat(), "held_by": "Ingrid Vos"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.state, measure.consent, measure.consent_via) == ("genomen", "akkoord", "gesprek")
    assert measure.consent_conversation_on == today and measure.consent_sealed == {"held_by": "Ingrid Vos"}
    page = handler.get(case_url(case)).content.decode()
    assert "De melder stemde in (in een gesprek): Andere taken is genomen" in page
    assert "met Ingrid Vos" in page


@pytest.mark.django_db
def test_an_anonymous_reporter_consents_only_in_the_inbox(reported, handler):
    case, _code = reported
    handler.post(case_url(case, "maatregelen/"), keep_away(justification=JUSTIFICATION))
    measure = Measure.objects.get()
    assert "Instemming uit een gesprek vastleggen" not in handler.get(case_url(case)).content.decode()
    response = handler.post(
        case_url(case, f"maatregelen/{measure.public_id}/instemming/"),
        {"answer": "akkoord", "date": timezone.localdate().isoformat(), "held_by": "Ingrid Vos"},
    )
    assert response.status_code == 400
    assert "Deze melder is anoniem: instemming kan alleen via het postvak" in response.content.decode()
    measure.refresh_from_db()
    assert measure.state == "voorgesteld"


@pytest.mark.django_db
def test_a_withdrawn_proposal_lapses_and_stays_in_the_register(reported, handler):
    case, code = reported
    handler.post(case_url(case, "maatregelen/"), keep_away(justification=JUSTIFICATION))
    measure = Measure.objects.get()
    assert handler.post(case_url(case, f"maatregelen/{measure.public_id}/intrekken/")).status_code == 302
    measure.refresh_from_db()
    assert measure.state == "vervallen" and measure.lapsed_at is not None
    assert "Voorstel ingetrokken: Partijen scheiden is vervallen" in handler.get(case_url(case)).content.decode()
    reporter = open_inbox(code)
    assert "Dit voorstel is ingetrokken." in reporter.get("/voorbeeldstad/postvak/melding/").content.decode()
    reporter.post(f"/voorbeeldstad/postvak/maatregel/{measure.public_id}/", {"answer": "akkoord"})
    measure.refresh_from_db()
    assert measure.state == "vervallen" and measure.consent == ""


@pytest.mark.django_db
def test_the_burgemeester_records_measures_for_a_case_about_a_wethouder_only(reported, organisation, person):
    case, _code = reported
    burgemeester = verified_client("burgemeester")
    mayor = person("Marieke van Dalen")
    assert 'data-testid="measure-form"' in burgemeester.get(case_url(case)).content.decode()
    response = burgemeester.post(
        case_url(case, "maatregelen/"),
        keep_away(burdens="beschuldigde", kind="gesprek", decision_maker=mayor.pk, decision_maker_other=""),
    )
    assert response.status_code == 302
    assert Measure.objects.get().decision_maker == mayor
    # Her mistakes come back on her (read-only) case page, at the field, with what she typed.
    response = burgemeester.post(case_url(case, "maatregelen/"), keep_away(reason="Zij zien elkaar wekelijks."))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_measure_justification_error"' in page and "Zij zien elkaar wekelijks." in page

    # The gemeentesecretaris reads the case (a protocol recipient) but does not decide here.
    secretaris = verified_client("secretaris")
    assert 'data-testid="measure-form"' not in secretaris.get(case_url(case)).content.decode()
    assert secretaris.post(case_url(case, "maatregelen/"), keep_away(burdens="beschuldigde")).status_code == 404

    # A case about the gemeentesecretaris reaches the burgemeester, but is no bestuurder case.
    about_secretaris, _ = report_about(organisation, person("Willem Jacobs"))
    assert burgemeester.get(case_url(about_secretaris)).status_code == 200
    response = burgemeester.post(case_url(about_secretaris, "maatregelen/"), keep_away(burdens="beschuldigde"))
    assert response.status_code == 404
    # The accused wethouder never sees a thing.
    assert verified_client("wethouder").post(case_url(case, "maatregelen/"), keep_away()).status_code == 404
    assert Measure.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_taken_reporter_burdening_measure_without_consent(reported):
    case, _code = reported
    measure = Measure(
        case=case,
        kind="overplaatsing",
        burdens="melder",
        state="genomen",
        decided_on=timezone.localdate(),
        created_at=timezone.now(),
        taken_at=timezone.now(),
        sealed_text=case.key.seal_json("measure:x", {}),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        measure.save()


@pytest.mark.django_db
def test_the_reporters_thread_asks_once_and_carries_no_internal_reason(reported, handler):
    case, _code = reported
    handler.post(case_url(case, "maatregelen/"), keep_away(justification=JUSTIFICATION))
    asked = [m.body for m in case.messages.filter(author=Message.Author.SYSTEEM)]
    assert sum("maatregel voorgesteld" in body for body in asked) == 1
    assert not any("portefeuilleoverleg" in body for body in asked)


@pytest.mark.django_db
def test_the_demo_shows_a_proposed_measure_waiting_for_the_reporters_consent():
    import io

    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # twice: still one
    measure = Measure.objects.get()
    assert (measure.burdens, measure.state, measure.consent) == ("melder", "voorgesteld", "")
    handler = verified_client("behandelaar1")
    assert counts(handler) == ("1 voorgesteld, wachten op instemming", "0 genomen")
    assert 'data-state="voorgesteld" data-burdens="melder"' in handler.get(case_url(measure.case)).content.decode()


@pytest.mark.django_db
def test_the_staff_api_shows_the_register_read_only(reported, handler):
    from django.contrib.auth import get_user_model

    from meldpunt.api import tokens

    case, _code = reported
    handler.post(case_url(case, "maatregelen/"), keep_away(justification=JUSTIFICATION))
    _row, token = tokens.create_token(get_user_model().objects.get(username="behandelaar1"), "koppeling", 30)
    response = Client().get(f"/api/v1/zaken/{case.reference}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    (measure,) = response.json()["measures"]
    assert (measure["kind"], measure["burdens"], measure["state"], measure["consent"]) == (
        "partijen_scheiden",
        "melder",
        "voorgesteld",
        "",
    )
    assert measure["justification"] == JUSTIFICATION
    assert measure["decision_maker"] == "Het college van burgemeester en wethouders"


@pytest.mark.django_db
def test_the_case_log_and_the_english_inbox_say_it_in_words(reported, handler):
    case, code = reported
    handler.post(case_url(case, "maatregelen/"), keep_away(justification=JUSTIFICATION))
    log = handler.get(case_url(case, "logboek/")).content.decode()
    assert "Maatregel vastgelegd door Ingrid Vos" in log
    reporter = open_inbox(code)
    inbox = reporter.get("/voorbeeldstad/postvak/melding/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Measures that affect you" in inbox
    assert "You and the person you reported are kept apart." in inbox
    assert "I agree" in inbox and "I do not agree" in inbox


@pytest.mark.django_db
def test_the_register_and_inbox_forms_carry_the_csrf_token(reported):
    """A browser's POST is checked for CSRF: the forms of the partials must carry the token."""
    case, code = reported
    handler = verified_client("behandelaar1")
    handler.handler.enforce_csrf_checks = True
    page = handler.get(case_url(case)).content.decode()
    section = page[page.index('data-testid="measure-form"') :]
    token = section.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    data = keep_away(justification=JUSTIFICATION, csrfmiddlewaretoken=token)
    assert handler.post(case_url(case, "maatregelen/"), data).status_code == 302
    measure = Measure.objects.get()

    reporter = Client(enforce_csrf_checks=True)
    login = reporter.get("/voorbeeldstad/postvak/").content.decode()
    token = login.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    reporter.post("/voorbeeldstad/postvak/", {"code": str(code), "csrfmiddlewaretoken": token})
    inbox = reporter.get("/voorbeeldstad/postvak/melding/").content.decode()
    section = inbox[inbox.index('data-testid="reporter-measures"') :]
    token = section.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    url = f"/voorbeeldstad/postvak/maatregel/{measure.public_id}/"
    assert reporter.post(url, {"answer": "akkoord", "csrfmiddlewaretoken": token}).status_code == 302
    measure.refresh_from_db()
    assert measure.state == "genomen"
