"""The reporter's inbox, opened with the receipt code."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from meldpunt import throttle
from meldpunt.cases.models import Case, Message
from tests.conftest import verified_client
from tests.factories import report_about

INBOX = "/voorbeeldstad/postvak/melding/"


@pytest.fixture
def reported(organisation, person):
    throttle.forget()
    return report_about(organisation, person("Henk Bosman"))


def open_inbox(code) -> Client:
    client = Client()
    response = client.post("/voorbeeldstad/postvak/", {"code": str(code)})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.mark.django_db
def test_inbox_shows_status_deadlines_and_acknowledgement(reported):
    case, code = reported
    page = open_inbox(code).get(INBOX).content.decode()
    assert "Ontvangen" in page
    assert "Terugkoppeling uiterlijk" in page
    assert "Wij hebben uw melding goed ontvangen" in page
    assert "Integriteitsbureau" in page


@pytest.mark.django_db
def test_without_code_the_inbox_asks_for_it(reported):
    response = Client().get(INBOX)
    assert response.status_code == 302
    assert response["Location"] == "/voorbeeldstad/postvak/"


@pytest.mark.django_db
def test_question_and_answer_between_handler_and_reporter(reported):
    case, code = reported
    handler = verified_client("behandelaar1")
    handler.post(f"/behandelen/zaak/{case.reference}/", {"body": "Wanneer gebeurde dit voor het eerst?"})

    reporter = open_inbox(code)
    assert "Wanneer gebeurde dit voor het eerst?" in reporter.get(INBOX).content.decode()
    reporter.post(INBOX, {"body": "In het voorjaar van 2019.", "files": [SimpleUploadedFile("mail.txt", b"Beste ...")]})

    page = handler.get(f"/behandelen/zaak/{case.reference}/").content.decode()
    assert "In het voorjaar van 2019." in page
    assert "mail.txt" in page
    assert [m.author for m in case.messages.all()] == ["systeem", "behandelaar", "melder"]


@pytest.mark.django_db
def test_empty_message_is_refused_and_nothing_stored(reported):
    case, code = reported
    reporter = open_inbox(code)
    # Tried: an empty message, then a disguised file with a text.
    response = reporter.post(INBOX, {"body": ""})
    assert response.status_code == 400
    assert "Dit veld is verplicht" in response.content.decode()
    response = reporter.post(
        INBOX, {"body": "Zie bijlage", "files": [SimpleUploadedFile("foto.jpg", b"MZ\x90" + b"\0" * 99)]}
    )
    assert response.status_code == 400
    assert "Zie bijlage" in response.content.decode()
    assert case.messages.count() == 1  # only the acknowledgement


@pytest.mark.django_db
def test_reporter_downloads_a_file_the_handler_sent(reported):
    case, code = reported
    verified_client("behandelaar1").post(
        f"/behandelen/zaak/{case.reference}/",
        {"body": "Hier de folder over steun.", "files": [SimpleUploadedFile("steun.txt", b"Steun en advies")]},
    )
    attachment = case.attachments.get()
    reporter = open_inbox(code)
    response = reporter.get(f"/voorbeeldstad/postvak/bijlage/{attachment.public_id}/")
    assert b"".join(response.streaming_content) == b"Steun en advies"


@pytest.mark.django_db
def test_reporter_cannot_download_another_cases_attachment(organisation, person, reported):
    case, code = reported
    other, _ = report_about(organisation, person("Pieter de Groot"))
    verified_client("behandelaar1").post(
        f"/behandelen/zaak/{other.reference}/", {"body": "x", "files": [SimpleUploadedFile("a.txt", b"geheim")]}
    )
    foreign = other.attachments.get()
    response = open_inbox(code).get(f"/voorbeeldstad/postvak/bijlage/{foreign.public_id}/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_withdraw_stops_the_case_and_further_messages(reported):
    case, code = reported
    reporter = open_inbox(code)
    assert "Als u uw melding intrekt" in reporter.get("/voorbeeldstad/postvak/intrekken/").content.decode()
    reporter.post("/voorbeeldstad/postvak/intrekken/")
    case.refresh_from_db()
    assert case.state == "ingetrokken"
    page = reporter.get(INBOX).content.decode()
    assert "U heeft deze melding ingetrokken" in page
    response = reporter.post(INBOX, {"body": "Toch nog iets"})
    assert response.status_code == 400
    assert not case.messages.filter(author=Message.Author.MELDER).exists()
    # The handler sees that it was withdrawn.
    page = verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/").content.decode()
    assert "Ingetrokken" in page


@pytest.mark.django_db
def test_closing_the_inbox_ends_the_session(reported):
    case, code = reported
    reporter = open_inbox(code)
    reporter.post("/voorbeeldstad/postvak/sluiten/")
    assert reporter.get(INBOX).status_code == 302


@pytest.mark.django_db
def test_reporter_session_ends_with_the_browser_and_after_30_idle_minutes(reported):
    from meldpunt.melden.session import LAST_SEEN_KEY

    case, code = reported
    reporter = open_inbox(code)
    assert reporter.session.get_expire_at_browser_close()
    assert reporter.get(INBOX).status_code == 200
    # A page view 29 minutes later still works and keeps it open...
    session = reporter.session
    session[LAST_SEEN_KEY] -= 29 * 60
    session.save()
    assert reporter.get(INBOX).status_code == 200
    # ...31 idle minutes do not.
    session = reporter.session
    session[LAST_SEEN_KEY] -= 31 * 60
    session.save()
    assert reporter.get(INBOX).status_code == 302


@pytest.mark.django_db
def test_pages_are_never_cached(reported):
    case, code = reported
    response = open_inbox(code).get(INBOX)
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_inbox_of_one_organisation_does_not_open_under_another(organisation, reported):
    from meldpunt.organisations.models import Organisation

    Organisation.objects.create(slug="anderstad", name="Gemeente Anderstad")
    case, code = reported
    reporter = open_inbox(code)
    assert reporter.get("/anderstad/postvak/melding/").status_code == 302


@pytest.mark.django_db
def test_staff_registers_a_phone_report_and_the_first_message_acknowledges_it(organisation, person):
    handler = verified_client("behandelaar1")
    response = handler.post(
        "/behandelen/registreren/",
        {
            "action": "verstuur",
            "kind": "melding",
            "channel": "telefoon",
            "relation": "student",
            "anonymous": "ja",
            "description": "Belde over opmerkingen tijdens het overleg over studentenhuisvesting.",
            "told_before": "nee",
            f"persoon_{person('Henk Bosman').pk}": "beschuldigde",
        },
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    case = Case.objects.get()
    assert (case.kind, case.channel, case.registered_by.username) == ("melding", "telefoon", "behandelaar1")
    assert case.acknowledged_at is None
    code = response.content.decode().split('data-testid="receipt-code">')[1].split("<")[0]
    handler.post(f"/behandelen/zaak/{case.reference}/", {"body": "Dank voor uw telefoontje, wij hebben uw melding."})
    case.refresh_from_db()
    assert case.acknowledged_at is not None
    assert "Dank voor uw telefoontje" in open_inbox(code).get(INBOX).content.decode()


@pytest.mark.django_db
def test_staff_registers_a_signal(organisation, person):
    handler = verified_client("behandelaar1")
    handler.post(
        "/behandelen/registreren/",
        {
            "action": "verstuur",
            "kind": "signaal",
            "channel": "waarneming",
            "relation": "getuige",
            "anonymous": "ja",
            "description": "Opmerking in de wandelgang opgevangen.",
            "told_before": "nee",
        },
    )
    case = Case.objects.get()
    assert case.kind == "signaal"
    assert case.reference in handler.get("/behandelen/").content.decode()


@pytest.mark.django_db
def test_state_changes_follow_the_lifecycle(reported):
    case, code = reported
    handler = verified_client("behandelaar1")
    handler.post(f"/behandelen/zaak/{case.reference}/status/", {"step": "beoordelen"})
    case.refresh_from_db()
    assert case.state == "beoordeling"
    # Tried: a state that does not exist and a transition that is not allowed.
    handler.post(f"/behandelen/zaak/{case.reference}/status/", {"step": "verwijderen"})
    handler.post(f"/behandelen/zaak/{case.reference}/status/", {"step": "bevestigen"})
    # and a step that is the reporter's, not staff's
    handler.post(f"/behandelen/zaak/{case.reference}/status/", {"step": "intrekken"})
    case.refresh_from_db()
    assert case.state == "beoordeling"
    assert "beoordeelt uw melding" in open_inbox(code).get(INBOX).content.decode()


@pytest.mark.django_db
def test_only_the_reporter_can_withdraw(reported):
    case, code = reported
    handler = verified_client("behandelaar1")
    page = handler.get(f"/behandelen/zaak/{case.reference}/").content.decode()
    assert "Status: Ingetrokken" not in page
    # Tried: posting the withdrawal as a handler anyway.
    handler.post(f"/behandelen/zaak/{case.reference}/status/", {"step": "intrekken"})
    case.refresh_from_db()
    assert case.state == "ontvangstbevestigd"
