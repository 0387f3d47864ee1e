"""The rate limits count in their own table (meldpunt.throttle): every hit is
counted, by however many clients at once, and nothing makes room by
forgetting counts.

Each test goes through the functions the views call, with requests from
chosen client addresses (RequestFactory): what is asserted is which attempts
the limits let through.
"""

import threading

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import RequestFactory

from meldpunt import throttle
from meldpunt.throttle.models import SlotCount

pytestmark = pytest.mark.django_db


def request_from(address: str):
    return RequestFactory().post("/voorbeeldstad/postvak/", REMOTE_ADDR=address)


def hits(prefix: str) -> int:
    return SlotCount.objects.filter(key__startswith=prefix).aggregate(n=Sum("hits"))["n"] or 0


def addresses(count: int, prefix: str = "2001:db8::") -> list[str]:
    return [f"{prefix}{n:x}" for n in range(1, count + 1)]


def test_hundreds_of_clients_do_not_wipe_the_global_count(settings):
    """Tried: 400 receipt-code attempts from 400 addresses (a cache would cull its
    oldest third beyond 300 entries, the global window with it), then one more
    from a new address: the installation's budget of 400 is spent, so it is refused."""
    settings.RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE = 400
    allowed = [throttle.allow_receipt_attempt(request_from(a)) for a in addresses(400)]
    assert all(allowed)
    assert not throttle.allow_receipt_attempt(request_from("2001:db8:1::1"))
    assert hits("receipt-attempts:all:") == 400


def test_a_username_stays_locked_while_hundreds_of_other_clients_knock(settings):
    """Tried: a username's failed logins up to its allowance, then 400 receipt-code
    attempts from 400 other addresses (with the counts in Django's database cache
    this unlocked the username: its cull made room by deleting the first third of
    the keys, the login windows first), then 100 failed logins for other usernames."""
    settings.LOGIN_FAILURES_ALLOWED = 3
    settings.LOGIN_FAILURES_PER_USERNAME = 6
    for address in addresses(6, "198.51.100."):
        throttle.count_login_failure(request_from(address), "i.vos")
    assert throttle.login_blocked(request_from("203.0.113.9"), "I.Vos")  # any client, any capitals
    for address in addresses(400):
        throttle.allow_receipt_attempt(request_from(address))
    for number, address in enumerate(addresses(100, "2001:db8:2::")):
        throttle.count_login_failure(request_from(address), f"gast{number}")
    assert throttle.login_blocked(request_from("203.0.113.9"), "i.vos")
    assert not throttle.login_blocked(request_from("203.0.113.9"), "d.schouten")


def test_a_refused_attempt_is_counted_nowhere(settings):
    """Tried: one client past its allowance of 3, ten times more: the global count
    holds only its 3 allowed attempts, so one client cannot use up everyone's budget."""
    settings.RECEIPT_ATTEMPTS_PER_CLIENT = 3
    results = [throttle.allow_receipt_attempt(request_from("203.0.113.5")) for _ in range(13)]
    assert results == [True] * 3 + [False] * 10
    assert hits("receipt-attempts:all:") == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_sixteen_attempts_at_once_get_no_more_than_the_allowance(settings):
    """Tried: 16 threads, each its own database connection, sending one client's
    receipt-code attempt at the same instant, with an allowance of 5: exactly 5 go through
    (counting by reading and then writing would let most of them through)."""
    settings.RECEIPT_ATTEMPTS_PER_CLIENT = 5
    start, results = threading.Barrier(16), []

    def attempt():
        try:
            start.wait()
            results.append(throttle.allow_receipt_attempt(request_from("203.0.113.77")))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 11 + [True] * 5
    assert hits("receipt-attempts:client:") == 5


def test_slots_that_no_longer_count_are_deleted(settings, monkeypatch):
    """Tried: an attempt, then the clock 16 minutes on (past the 15-minute window):
    the next attempt deletes the old slot."""
    import time

    now = time.time()
    monkeypatch.setattr(throttle, "_pruned_at", 0.0)
    throttle.allow_receipt_attempt(request_from("203.0.113.8"))
    assert SlotCount.objects.filter(key__startswith="receipt-attempts:client:").count() == 1
    monkeypatch.setattr(time, "time", lambda: now + 16 * 60)
    throttle.allow_receipt_attempt(request_from("203.0.113.8"))
    rows = SlotCount.objects.filter(key__startswith="receipt-attempts:client:")
    assert [row.slot for row in rows] == [throttle.Window("x", 1, settings.RECEIPT_ATTEMPTS_WINDOW).slot(now + 960)]
