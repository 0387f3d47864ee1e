"""The reporter's inbox: their own report to re-read, a status that follows what
happened, a confirmation after sending, and a long reply that survives the
inbox closing (issue 15, points 4 and 5)."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from meldpunt import throttle
from meldpunt.cases.actions import SubjectInput, add_subject
from meldpunt.cases.models import Message, SubjectLink
from meldpunt.dates import long_date
from meldpunt.melden.session import LAST_SEEN_KEY
from tests.conftest import verified_client
from tests.test_inbox import INBOX, open_inbox
from tests.test_report_form import PDF, URL, valid

LOGIN = "/voorbeeldstad/postvak/"
LONG_REPLY = "Het begon in maart. " * 150 + "Dit is het laatste wat ik wil zeggen."


@pytest.fixture
def sent(organisation, person):
    """A report sent through the form (with a file, a registry person and a typed one); returns (case, code)."""
    throttle.forget()
    client = Client()
    client.post(
        URL,
        valid(
            **{f"persoon_{person('Henk Bosman').pk}": "beschuldigde"},
            vrij_naam_1="Man met pet",
            vrij_functie_1="bodyguard",
            vrij_rol_1="betrokkene",
            files=[SimpleUploadedFile("verslag.pdf", PDF)],
        ),
    )
    code = client.get("/voorbeeldstad/melden/ontvangen/").content.decode().split('data-testid="receipt-code">')[1]
    from meldpunt.cases.models import Case

    return Case.objects.get(), code.split("<")[0]


def expire(client):
    session = client.session
    session[LAST_SEEN_KEY] -= 31 * 60
    session.save()


@pytest.mark.django_db
def test_the_reporter_rereads_their_own_report(sent, person):
    case, code = sent
    # A handler names someone else later: that is not the reporter's words.
    add_subject(
        case,
        SubjectInput(role=SubjectLink.Role.BETROKKENE, person=person("Lotte Jansen")),
        staff_user=get_user_model().objects.get(username="behandelaar1"),
    )
    page = open_inbox(code).get(INBOX).content.decode()
    assert "Uw melding" in page
    assert "Na mijn inspraak bij de raadsvergadering kreeg ik berichten." in page
    assert "Henk Bosman" in page and "Man met pet · bodyguard" in page
    assert "Lotte Jansen" not in page
    assert f"van {long_date('2019-03-01')} tot {long_date('2021-06-30')}" in page
    assert "Tijdens een raadsvergadering" in page
    assert "Gehoord worden" in page and "Dat er iets gebeurt" in page
    attachment = case.attachments.get(message__isnull=True)
    assert f'href="/voorbeeldstad/postvak/bijlage/{attachment.public_id}/">verslag.pdf</a>' in page


@pytest.mark.django_db
def test_the_status_follows_what_happened(sent):
    case, code = sent
    reporter = open_inbox(code)

    def status() -> str:
        page = reporter.get(INBOX).content.decode()
        return page.split('data-testid="status-text">')[1].split("</p>")[0]

    assert status() == f"Uw melding is ontvangen. Uiterlijk {long_date(case.acknowledgement_due)} neemt een " + (
        "behandelaar via dit postvak contact met u op."
    )
    handler = verified_client("behandelaar1")
    handler.post(f"/behandelen/zaak/{case.reference}/", {"body": "Dank voor uw melding. Mag ik u iets vragen?"})
    assert status().startswith(f"Een behandelaar heeft u op {long_date(timezone.now())} geantwoord.")
    reporter.post(INBOX, {"body": "Ja, natuurlijk."})
    assert status().startswith(f"U stuurde op {long_date(timezone.now())} een bericht. Een behandelaar leest het")


@pytest.mark.django_db
def test_after_sending_a_message_the_reporter_sees_a_confirmation(sent):
    case, code = sent
    response = open_inbox(code).post(INBOX, {"body": "Nog een aanvulling."}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(INBOX, 302)]
    assert "Uw bericht is verstuurd." in page
    assert "Nog een aanvulling." in page


@pytest.mark.django_db
def test_the_inbox_says_how_long_it_stays_open(sent):
    case, code = sent
    page = open_inbox(code).get(INBOX).content.decode()
    assert "Na 30 minuten zonder activiteit" in page


@pytest.mark.django_db
def test_a_long_reply_survives_the_inbox_closing_and_is_sent_after_the_code(sent):
    """Tried: 31 idle minutes, then "Versturen" with a long reply and a chosen file."""
    case, code = sent
    reporter = open_inbox(code)
    expire(reporter)
    response = reporter.post(INBOX, {"body": LONG_REPLY, "files": [SimpleUploadedFile("foto.txt", b"x")]})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Uw bericht is nog niet verstuurd, maar ook niet verloren" in page
    assert "Dit is het laatste wat ik wil zeggen." in page  # the text is in the form, to be sent
    assert "foto.txt" in page and "kies ze hieronder opnieuw" in page
    assert f'action="{LOGIN}"' in page and 'enctype="multipart/form-data"' in page
    assert not case.messages.filter(author=Message.Author.MELDER).exists()

    # A wrong code first: the text is still kept.
    response = reporter.post(LOGIN, {"code": "1" * 24, "body": LONG_REPLY})
    assert response.status_code == 400
    assert "Dit is het laatste wat ik wil zeggen." in response.content.decode()

    response = reporter.post(
        LOGIN, {"code": code, "body": LONG_REPLY, "files": [SimpleUploadedFile("foto.txt", b"x")]}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain == [(INBOX, 302)]
    assert "Uw bericht is verstuurd." in page
    sent_message = case.messages.get(author=Message.Author.MELDER)
    assert sent_message.body == LONG_REPLY.strip() or sent_message.body == LONG_REPLY
    assert [a.filename for a in sent_message.attachments.all()] == ["foto.txt"]


@pytest.mark.django_db
def test_a_kept_reply_is_not_sent_when_the_case_was_closed_meanwhile(sent):
    case, code = sent
    reporter = open_inbox(code)
    reporter.post("/voorbeeldstad/postvak/intrekken/")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        page = reporter.post(INBOX, {"body": "Toch nog dit."}).content.decode()
        assert "Toch nog dit." in page
        response = reporter.post(LOGIN, {"code": code, "body": "Toch nog dit."})
    assert response.status_code == 400
    assert "afgesloten of ingetrokken" in response.content.decode()
    assert "Toch nog dit." in response.content.decode()
    assert not case.messages.filter(author=Message.Author.MELDER).exists()
