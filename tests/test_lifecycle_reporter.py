"""What the reporter sees of the lifecycle: the current step in plain words, a
step indicator (an ordered list with aria-current), what comes next and the
dates that concern them, in Dutch and English; withdrawal with the wish to be
erased; and never a word of a handler's internal notes (inbox page, inbox API,
e-mails)."""

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from meldpunt import throttle
from meldpunt.cases import actions
from meldpunt.cases.models import Case, Message, State
from tests.conftest import verified_client
from tests.factories import report_about, walk_to

INBOX = "/voorbeeldstad/postvak/melding/"
WITHDRAW = "/voorbeeldstad/postvak/intrekken/"
NOTE = "Interne notitie: de wethouder is een oude bekende van de griffier."


@pytest.fixture
def reported(organisation, person):
    throttle.forget()
    return report_about(organisation, person("Henk Bosman"))


def open_inbox(code, language="nl") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post("/voorbeeldstad/postvak/", {"code": str(code)})
    assert response.status_code == 302
    return client


def step_path(page: str) -> str:
    return page.split('data-testid="step-path"', 1)[1].split("</ol>", 1)[0]


@pytest.mark.django_db
def test_the_inbox_shows_the_current_step_what_comes_next_and_the_dates(reported):
    case, code = reported
    page = open_inbox(code).get(INBOX).content.decode()
    path = step_path(page)
    assert path.count("<li") == 7
    assert '<li aria-current="step">Ontvangst bevestigd</li>' in path
    assert path.count("aria-current") == 1
    assert "Nu: Ontvangst bevestigd." in page
    assert "Een behandelaar leest haar en neemt via dit postvak contact met u op." in page
    assert "Daarna volgt: Beoordeling." in page
    assert "Terugkoppeling uiterlijk" in page

    walk_to(case, State.NAZORG)
    page = open_inbox(code).get(INBOX).content.decode()
    assert '<li aria-current="step">Nazorg</li>' in step_path(page)
    assert "klaar:" in step_path(page)
    assert "Daarna volgt: Afgesloten." in page
    assert "Terugkoppeling gekregen op" in page


@pytest.mark.django_db
def test_the_inbox_speaks_english_too(reported):
    case, code = reported
    walk_to(case, State.BEOORDELING)
    page = open_inbox(code, "en").get(INBOX).content.decode()
    assert "Where your report is now" in page
    assert 'aria-label="Steps of the handling"' in page
    assert "Now: " in page
    assert "Daarna volgt" not in page and "Waar uw melding nu is" not in page


@pytest.mark.django_db
def test_withdrawal_keeps_the_case_and_records_the_wish_to_be_erased(reported):
    case, code = reported
    reporter = open_inbox(code)
    page = reporter.get(WITHDRAW).content.decode()
    assert "Uw melding wordt niet verwijderd" in page
    assert "Wis ook mijn naam en contactgegevens zodra dat mag" in page
    reporter.post(WITHDRAW, {"erase_identity": "ja"})
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.INGETROKKEN
    assert case.erasure_requested_at is not None


@pytest.mark.django_db
def test_withdrawal_without_the_wish_erases_nothing(reported):
    case, code = reported
    open_inbox(code).post(WITHDRAW, {})
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.INGETROKKEN and case.erasure_requested_at is None


@pytest.mark.django_db
def test_no_note_text_reaches_the_reporter_anywhere(reported, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case, code = reported
    handler = verified_client("behandelaar1")
    mail.outbox = []
    handler.post(f"/behandelen/zaak/{case.reference}/vastleggen/notitie/", {"text": NOTE})
    actions.post_message(case, Message.Author.BEHANDELAAR, "Wij nemen uw melding in behandeling.", staff_user=None)
    walk_to(case, State.NAZORG)
    assert case.events.filter(kind="note").count() == 1
    assert NOTE in handler.get(f"/behandelen/zaak/{case.reference}/").content.decode().replace("&#x27;", "'")

    reporter = open_inbox(code)
    pages = [reporter.get(INBOX).content.decode(), reporter.get(WITHDRAW).content.decode()]
    api = Client()
    token = api.post("/api/v1/voorbeeldstad/postvak/sessies", {"code": str(code)}, content_type="application/json")
    assert token.status_code == 201
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token.json()['token']}"}
    pages.append(api.get("/api/v1/voorbeeldstad/postvak", **bearer).content.decode())
    pages += [f"{m.subject}\n{m.body}" for m in mail.outbox]
    for text in pages:
        assert "oude bekende" not in text
        assert "Interne notitie" not in text
    assert "Wij nemen uw melding in behandeling." in pages[0]


@pytest.mark.django_db
def test_the_inbox_after_closing_says_the_case_is_done(reported):
    case, code = reported
    walk_to(case, State.AFGESLOTEN)
    page = open_inbox(code).get(INBOX).content.decode()
    assert "aria-current" not in step_path(page)
    assert "De behandeling is afgerond." in page
    assert timezone.now() >= case.closed_at
