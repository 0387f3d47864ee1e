"""A case's state is decided by the action on the locked row, never by a view's earlier look.

Each test lets the state change between the moment a page was shown and the
moment its form is sent (a handler closes the case while the reporter types,
the reporter withdraws while a handler types): the sender gets a plain
answer, never a server error, and nothing is stored against the rules.
"""

import pytest
from django.test import Client

from meldpunt import throttle
from meldpunt.cases.actions import withdraw
from meldpunt.cases.models import Message, State
from tests.conftest import verified_client
from tests.factories import report_about, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(organisation, person):
    throttle.forget()
    return report_about(organisation, person("Henk Bosman"))


def open_inbox(code) -> Client:
    client = Client()
    assert client.post("/voorbeeldstad/postvak/", {"code": str(code)}).status_code == 302
    return client


def test_a_reply_sent_after_the_case_was_closed_meanwhile_is_refused_plainly(reported):
    case, code = reported
    reporter = open_inbox(code)
    assert "Versturen" in reporter.get("/voorbeeldstad/postvak/melding/").content.decode()
    walk_to(case, State.AFGESLOTEN)  # meanwhile

    response = reporter.post("/voorbeeldstad/postvak/melding/", {"body": "Nog een aanvulling"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "afgesloten of ingetrokken" in page
    assert "Nog een aanvulling" in page  # what was typed is still there to keep
    assert not case.messages.filter(author=Message.Author.MELDER).exists()


def test_withdrawing_a_case_that_was_closed_meanwhile_says_it_can_no_longer_be_withdrawn(reported):
    case, code = reported
    reporter = open_inbox(code)
    assert "Ja, melding intrekken" in reporter.get("/voorbeeldstad/postvak/intrekken/").content.decode()
    walk_to(case, State.AFGESLOTEN)  # meanwhile

    response = reporter.post("/voorbeeldstad/postvak/intrekken/")

    assert response.status_code == 200
    assert "intrekken kan niet meer" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.AFGESLOTEN


def test_withdrawing_twice_says_it_was_already_withdrawn(reported):
    case, code = reported
    reporter = open_inbox(code)
    reporter.post("/voorbeeldstad/postvak/intrekken/")
    response = reporter.post("/voorbeeldstad/postvak/intrekken/")
    assert response.status_code == 200
    assert "al ingetrokken" in response.content.decode()


def test_a_handler_message_to_a_reporter_who_withdrew_meanwhile_is_refused(reported):
    case, _code = reported
    handler = verified_client("behandelaar1")
    assert "Bericht naar de melder sturen" in handler.get(f"/behandelen/zaak/{case.reference}/").content.decode()
    withdraw(case)  # meanwhile

    response = handler.post(f"/behandelen/zaak/{case.reference}/", {"body": "Mogen wij u bellen?"}, follow=True)

    assert response.status_code == 200
    assert "heeft deze melding ingetrokken" in response.content.decode()
    assert not case.messages.filter(author=Message.Author.BEHANDELAAR).exists()
    # And the page no longer offers the form.
    assert "Bericht naar de melder sturen" not in response.content.decode()


def test_two_handlers_closing_at_once_one_is_told_it_is_not_possible(reported):
    case, _code = reported
    first, second = verified_client("behandelaar1"), verified_client("behandelaar2")
    first.post(f"/behandelen/zaak/{case.reference}/status/", {"state": "afgesloten"})
    response = second.post(f"/behandelen/zaak/{case.reference}/status/", {"state": "afgesloten"})
    # The case page comes back with the message (no redirect that would lose what was typed).
    assert response.status_code == 400
    assert "niet mogelijk" in response.content.decode()
