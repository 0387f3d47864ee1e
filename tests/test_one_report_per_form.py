"""One report per report form, and a receipt that survives reload and a language switch
(issue 15, points 2 and 3).

Tried as a reporter would: reload of the receipt page, back and "Melding
versturen" again (the same form, so the same one-time token), a double click
(two requests with one token at the same moment), switching to English on the
receipt page, and coming back after the half hour.
"""

import datetime
import re
import threading

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meldpunt.cases.models import Case
from meldpunt.cases.receipts import CODE_DIGITS
from meldpunt.melden.models import Submission
from meldpunt.melden.submissions import TOKEN_FIELD
from meldpunt.notifications.models import Notification
from tests.test_report_form import URL, valid

RECEIPT = "/voorbeeldstad/melden/ontvangen/"


def form_token(client) -> str:
    page = client.get(URL).content.decode()
    return re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', page).group(1)


def report_about_henk(person, token) -> dict:
    return valid(**{f"persoon_{person('Henk Bosman').pk}": "beschuldigde", TOKEN_FIELD: token})


def shown_code(page: str) -> str | None:
    found = re.search(r'data-testid="receipt-code">([0-9 ]+)<', page)
    return found.group(1) if found else None


@pytest.fixture
def sent(client, organisation, person):
    """A report sent once from a fresh form; returns (client, token, code shown)."""
    token = form_token(client)
    response = client.post(URL, report_about_henk(person, token))
    assert response.status_code == 302 and response["Location"] == RECEIPT
    code = shown_code(client.get(RECEIPT).content.decode())
    assert code and len(code.replace(" ", "")) == CODE_DIGITS
    return client, token, code


@pytest.mark.django_db
def test_every_form_render_carries_a_new_one_time_token(client, organisation):
    first, second = form_token(client), form_token(client)
    assert first != second and len(first) == 43
    # A search round trip keeps the form's token.
    page = client.post(URL, valid(action="zoek", search="Bosman", **{TOKEN_FIELD: first})).content.decode()
    assert f'value="{first}"' in page


@pytest.mark.django_db
def test_reloading_the_receipt_page_shows_the_same_receipt_and_stores_nothing_more(sent):
    client, token, code = sent
    for _reload in range(2):
        assert shown_code(client.get(RECEIPT).content.decode()) == code
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_the_same_form_sent_again_stores_and_notifies_nothing_twice(sent, person):
    """Tried: back to the form and "Melding versturen" again, still on the receipt page's half hour."""
    client, token, code = sent
    told = Notification.objects.count()
    response = client.post(URL, report_about_henk(person, token), follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(RECEIPT, 302)]
    assert "Deze melding was al verstuurd" in page
    assert shown_code(page) == code  # the same receipt, not a new code
    assert Case.objects.count() == 1 and Submission.objects.count() == 1
    assert Notification.objects.count() == told


@pytest.mark.django_db
def test_after_the_inbox_the_code_is_not_shown_again_and_resending_says_it_was_sent(sent, person):
    client, token, code = sent
    assert client.get("/voorbeeldstad/postvak/melding/").status_code == 200  # "naar mijn postvak"
    assert shown_code(client.get(RECEIPT).content.decode()) is None
    assert Submission.objects.get().sealed_receipt is None  # the one-time view has ended
    response = client.post(URL, report_about_henk(person, token))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Deze melding was al verstuurd" in page and "niets dubbel verstuurd" in page
    assert 'href="/voorbeeldstad/postvak/"' in page  # how to open the inbox
    assert shown_code(page) is None
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_the_receipt_view_ends_after_half_an_hour(sent):
    client, token, code = sent
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        page = client.get(RECEIPT).content.decode()
    assert shown_code(page) is None and "Hier is geen ontvangstcode (meer) te zien" in page
    assert Submission.objects.get().sealed_receipt is None


@pytest.mark.django_db
def test_a_view_nobody_opens_again_is_erased_by_a_later_submission(sent, person):
    # Tried: the reporter never comes back to the receipt page; another report arrives
    # 31 minutes later (the view has ended), and a third half a minute after that.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31), tick=False):
        other = Client()
        assert other.post(URL, report_about_henk(person, form_token(other))).status_code == 302
        assert Submission.objects.filter(sealed_receipt__isnull=False).count() == 1  # only the new one's view
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=30), tick=False):
            third = Client()
            token = form_token(third)
            with CaptureQueriesContext(connection) as queries:
                assert third.post(URL, report_about_henk(person, token)).status_code == 302
    # The process looked less than a minute ago: the third submission does not look again.
    assert not [q for q in queries.captured_queries if '"receipt_until" <=' in q["sql"]]
    assert Submission.objects.filter(sealed_receipt__isnull=False).count() == 2
    assert Case.objects.count() == 3


@pytest.mark.django_db
def test_a_clock_set_back_still_looks_for_ended_views(sent, person):
    # Tried: a report while the clock is two days ahead, then the clock set back
    # (to 31 minutes after the first report, whose view has ended by then) and another report.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2), tick=False):
        ahead = Client()
        assert ahead.post(URL, report_about_henk(person, form_token(ahead))).status_code == 302
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31), tick=False):
        back = Client()
        token = form_token(back)
        with CaptureQueriesContext(connection) as queries:
            assert back.post(URL, report_about_henk(person, token)).status_code == 302
    assert [q for q in queries.captured_queries if '"receipt_until" <=' in q["sql"]]


@pytest.mark.django_db
def test_another_browser_never_sees_the_receipt(sent):
    assert shown_code(Client().get(RECEIPT).content.decode()) is None


@pytest.mark.django_db
def test_switching_language_on_the_receipt_page_keeps_the_receipt(sent):
    client, token, code = sent
    response = client.post("/taal/", {"language": "en", "next": RECEIPT}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == RECEIPT
    assert '<html lang="en">' in page
    assert "Your receipt code" in page
    assert shown_code(page) == code
    response = client.post("/taal/", {"language": "nl", "next": RECEIPT}, follow=True)
    assert shown_code(response.content.decode()) == code


@pytest.mark.django_db
def test_the_code_is_never_at_rest_in_the_database(sent):
    """Every table, with binary columns read as bytes and sessions decoded, holds neither
    the receipt code nor its secret part while the receipt is being shown."""
    client, token, code = sent
    digits = code.replace(" ", "")
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names come from the schema
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        value = bytes(value).decode("latin-1")
                    dump.append(str(value))
    dump += [str(s.get_decoded()) for s in Session.objects.all()]
    everything = "\n".join(dump)
    assert token not in everything
    for secret in (digits, code, digits[6:]):
        assert secret not in everything


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_token_at_once_store_one_report(person):
    """A double click: two posts of one form at the same moment (committed rows, two threads,
    each with its own database connection), on SQLite and PostgreSQL alike."""
    from meldpunt.demo.loader import load_demo

    load_demo()
    token = form_token(Client())
    data = report_about_henk(person, token)
    start = threading.Barrier(2)
    responses = []

    def send():
        try:
            client = Client()
            start.wait(timeout=30)
            responses.append(client.post(URL, data))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {RECEIPT}
    case = Case.objects.get()
    assert Submission.objects.get().case == case
    assert Notification.objects.exclude(case=case).count() == 0
    told = list(Notification.objects.filter(case=case).values_list("person_id", "to_office", "kind"))
    assert told and len(told) == len(set(told))  # nobody told twice
