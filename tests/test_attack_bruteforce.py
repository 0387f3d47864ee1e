"""Brute force of receipt codes and staff passwords, through the pages.

The limits (meldpunt/throttle.py) hold per client and for everyone together,
and a single client cannot use up the shared budget: its refused attempts
are counted nowhere, and one client's allowance is smaller than the shared one.

Tried for receipt codes: one client sending many wrong codes, then the right
one; the same client forging ``X-Forwarded-For`` on every request (with the
default configuration, and behind a proxy that appends the real address);
many addresses together until the installation's limit; one hammering client
beside reporters who want to open their inbox.

Tried for staff passwords: one client guessing one username's password, then
the right password; one client trying one password on many usernames; the
same username guessed from many addresses; one client failing as often as it
can, after which the real user (from their own address) still logs in.
"""

import datetime

import pytest
import time_machine
from django.test import Client, override_settings

from meldpunt import throttle
from meldpunt.demo.data import DEMO_PASSWORD
from tests.factories import report_about
from tests.test_staff_login import current_code

MOMENT = datetime.datetime(2026, 3, 2, 10, 14, 50, tzinfo=datetime.UTC)
WRONG_CODE = "1234 5678 9012 3456 7890 1234 5678"
TOO_OFTEN = "te vaak een code geprobeerd"
LOGIN = "/account/inloggen/"


@pytest.fixture(autouse=True)
def empty_counters():
    throttle.forget()
    yield
    throttle.forget()


@pytest.fixture
def case_and_code(organisation, person):
    case, code = report_about(organisation, person("Henk Bosman"))
    return case, str(code)


def try_code(client, code, **headers):
    return client.post("/voorbeeldstad/postvak/", {"code": code}, **headers)


def opened(response) -> bool:
    return response.status_code == 302 and response["Location"].endswith("/postvak/melding/")


# Receipt codes ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(RECEIPT_ATTEMPTS_PER_CLIENT=5, RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE=20)
def test_a_guessing_client_is_stopped_even_when_it_finally_has_the_right_code(case_and_code):
    _case, code = case_and_code
    guesser = Client(REMOTE_ADDR="198.51.100.10")
    with time_machine.travel(MOMENT, tick=False):
        answers = [try_code(guesser, WRONG_CODE) for _ in range(30)]
        assert all(response.status_code == 400 for response in answers)
        assert all(TOO_OFTEN in response.content.decode() for response in answers[5:])
        assert not opened(try_code(guesser, code))


@pytest.mark.django_db
@override_settings(RECEIPT_ATTEMPTS_PER_CLIENT=5, RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE=100)
def test_forging_x_forwarded_for_gives_no_new_allowance(case_and_code):
    """Tried: a new made-up X-Forwarded-For on every request, without a proxy
    configured (CLIENT_ADDRESS_HEADER is REMOTE_ADDR): the header is ignored."""
    _case, code = case_and_code
    guesser = Client(REMOTE_ADDR="198.51.100.11")
    with time_machine.travel(MOMENT, tick=False):
        for n in range(5):
            try_code(guesser, WRONG_CODE, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        response = try_code(guesser, code, HTTP_X_FORWARDED_FOR="203.0.113.200")
        assert TOO_OFTEN in response.content.decode()


@pytest.mark.django_db
@override_settings(
    RECEIPT_ATTEMPTS_PER_CLIENT=5, RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE=100, CLIENT_ADDRESS_HEADER="HTTP_X_FORWARDED_FOR"
)
def test_behind_a_proxy_only_the_address_the_proxy_saw_counts(case_and_code):
    """Tried: forged entries in front of the address the proxy appends
    ("<forged>, 198.51.100.12"); the last entry is the client."""
    _case, code = case_and_code
    guesser = Client()
    with time_machine.travel(MOMENT, tick=False):
        for n in range(5):
            try_code(guesser, WRONG_CODE, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.12")
        forged = try_code(guesser, code, HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.12")
        assert TOO_OFTEN in forged.content.decode()
        assert opened(try_code(Client(), code, HTTP_X_FORWARDED_FOR="192.0.2.44"))


@pytest.mark.django_db
@override_settings(RECEIPT_ATTEMPTS_PER_CLIENT=100, RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE=12)
def test_many_addresses_together_are_stopped_by_the_installation_limit(case_and_code):
    """Tried: 12 addresses with one wrong code each within a minute, then a 13th with the right code."""
    _case, code = case_and_code
    with time_machine.travel(MOMENT, tick=False):
        for n in range(12):
            try_code(Client(REMOTE_ADDR=f"198.51.100.{100 + n}"), WRONG_CODE)
        assert TOO_OFTEN in try_code(Client(REMOTE_ADDR="203.0.113.50"), code).content.decode()


@pytest.mark.django_db
@override_settings(RECEIPT_ATTEMPTS_PER_CLIENT=10, RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE=15)
def test_one_client_cannot_use_up_the_installations_budget(case_and_code, organisation, person):
    """Tried: one address sends 500 wrong codes in a second (its limit 10, the
    installation's 15 a minute). Five reporters from their own addresses then
    open their inboxes within that minute: the hammering used only 10."""
    _case, code = case_and_code
    others = [str(report_about(organisation, person("Henk Bosman"))[1]) for _ in range(4)] + [code]
    hammer = Client(REMOTE_ADDR="198.51.100.66")
    with time_machine.travel(MOMENT, tick=False):
        answers = [try_code(hammer, WRONG_CODE) for _ in range(500)]
        assert sum(TOO_OFTEN not in response.content.decode() for response in answers) == 10
        for n, other in enumerate(others):
            assert opened(try_code(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), other)), n


# Staff passwords -------------------------------------------------------------------------------------------


def login(client, username="behandelaar1", password=DEMO_PASSWORD, code=None):
    return client.post(LOGIN, {"username": username, "password": password, "otp_token": code or current_code(username)})


def logged_in(response) -> bool:
    return response.status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_ALLOWED=5)
def test_a_password_guessing_client_is_stopped_even_with_the_right_password(organisation):
    guesser = Client(REMOTE_ADDR="198.51.100.20")
    for n in range(20):
        login(guesser, password=f"raden-{n}", code="000000")
    response = login(guesser)
    assert response.status_code == 429 and "Te veel mislukte pogingen" in response.content.decode()
    assert guesser.get("/behandelen/").status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_ALLOWED=5)
def test_one_password_on_many_usernames_is_stopped_per_client(organisation):
    """Tried: one address tries "Welkom01!" on every demo username (password spraying)."""
    sprayer = Client(REMOTE_ADDR="198.51.100.21")
    usernames = ["behandelaar1", "behandelaar2", "burgemeester", "secretaris", "wethouder", "vertrouwenspersoon"]
    for username in usernames:
        login(sprayer, username=username, password="Welkom01!", code="000000")
    assert login(sprayer, username="beheerder").status_code == 429


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_ALLOWED=5, LOGIN_FAILURES_PER_USERNAME=12)
def test_one_username_guessed_from_many_addresses_is_stopped(organisation):
    """Tried: 12 addresses, one wrong password each, on behandelaar1; then the right password from a 13th."""
    for n in range(12):
        login(Client(REMOTE_ADDR=f"198.51.100.{120 + n}"), password=f"raden-{n}", code="000000")
    assert login(Client(REMOTE_ADDR="203.0.113.60")).status_code == 429
    assert logged_in(login(Client(REMOTE_ADDR="203.0.113.61"), username="behandelaar2"))


@pytest.mark.django_db
def test_one_client_cannot_lock_a_staff_member_out(organisation):
    """Tried (default limits): one address fails on behandelaar1 as often as it
    can, 100 times. Found: with one limit for the client and for the username
    (10 each), those 10 failures also blocked the username everywhere, so anyone
    could lock any handler out for a quarter of an hour from one laptop. Now a
    username allows five clients' worth of failures, and the real user logs in."""
    attacker = Client(REMOTE_ADDR="198.51.100.30")
    answers = [login(attacker, password=f"raden-{n}", code="000000") for n in range(100)]
    assert answers[-1].status_code == 429
    assert logged_in(login(Client(REMOTE_ADDR="192.0.2.30")))
