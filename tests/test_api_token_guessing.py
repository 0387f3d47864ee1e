"""Guessing staff API tokens (docs/api.md "Limits", meldpunt/throttle.py).

Wrong tokens are limited per client and for the whole installation, like
failed staff logins: above a limit nothing is checked, the answer is 429
problem+json with Retry-After, and a refused request is counted nowhere, so a
single client cannot use up the installation's budget. Every wrong token that
was checked is in the audit trail (``api.token_refused``), never the token
itself or the caller's address.

Tried: one client sending many made-up tokens, then its own valid token; a
revoked token; many addresses together until the installation's limit, while
a real integration with a valid token waits; the window passing.
"""

import datetime

import pytest
import time_machine
from django.test import Client, override_settings

from meldpunt import throttle
from meldpunt.api import tokens
from meldpunt.audit.models import AuditEvent
from tests.test_api import PROBLEM, bearer, token_for

MOMENT = datetime.datetime(2026, 3, 2, 10, 14, 50, tzinfo=datetime.UTC)
CASES = "/api/v1/zaken"
MADE_UP = "mpt_" + "A" * 43


@pytest.fixture(autouse=True)
def empty_counters(db):
    throttle.forget()
    yield
    throttle.forget()


def guess(client, token=MADE_UP, address="203.0.113.7"):
    return client.get(CASES, REMOTE_ADDR=address, **bearer(token))


@override_settings(API_TOKEN_FAILURES_PER_CLIENT=3, API_TOKEN_FAILURES_WINDOW=900)
def test_one_client_guessing_is_refused_unchecked_and_audited(organisation):
    client = Client()
    valid = token_for("behandelaar1")
    with time_machine.travel(MOMENT, tick=False):
        answers = [guess(client, f"mpt_{'B' * 42}{n}").status_code for n in range(3)]
        assert answers == [401, 401, 401]
        refused = guess(client)
        assert refused.status_code == 429
        assert refused["Content-Type"] == PROBLEM
        body = refused.json()
        assert body["type"].endswith("te-veel-verzoeken") and body["status"] == 429
        wait = int(refused["Retry-After"])
        assert 1 <= wait <= 900 + 900 // 60  # the window, and at most one sixtieth of it more (throttle.SLOTS)
        # Nothing is checked above the limit: not even this client's own valid token.
        assert guess(client, valid).status_code == 429
        # Another client (the real integration, from its own address) is not affected.
        assert guess(Client(), valid, address="198.51.100.20").status_code == 200

    events = AuditEvent.objects.filter(action="api.token_refused").order_by("seq")
    assert events.count() == 3  # the checked wrong tokens; refused requests are not tried, not audited
    assert [e.detail["reason"] for e in events] == ["unknown"] * 3
    assert events.last().detail["limit_reached"] == ["client"]
    assert all(MADE_UP[4:12] not in str(e.detail) and "203.0.113.7" not in str(e.detail) for e in events)

    # The window passes: the client may try again.
    with time_machine.travel(MOMENT + datetime.timedelta(seconds=wait), tick=False):
        assert guess(client, valid).status_code == 200


def test_a_revoked_token_is_audited_in_its_owners_organisation(organisation):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="behandelaar1")
    row, token = tokens.create_token(user, "oude koppeling", 7)
    tokens.revoke_token(user, row.pk)
    response = guess(Client(), token)
    assert response.status_code == 401
    event = AuditEvent.objects.get(action="api.token_refused")
    assert event.detail == {"reason": "revoked", "token_id": row.pk}
    assert event.organisation_id_ref == organisation.pk and event.actor == "api"


@override_settings(API_TOKEN_FAILURES_PER_CLIENT=3, API_TOKEN_FAILURES_GLOBAL_PER_MINUTE=10)
def test_one_client_cannot_use_up_the_installations_budget_many_together_can(organisation):
    valid = token_for("behandelaar1")
    with time_machine.travel(MOMENT, tick=False):
        hammering = Client()
        answers = [guess(hammering).status_code for _ in range(50)]
        assert answers.count(401) == 3 and answers.count(429) == 47
        # Fifty tries from one address used three of the installation's ten: others still get in.
        assert guess(Client(), valid, address="198.51.100.20").status_code == 200
        # Many addresses together reach the installation's limit: then nobody's token is checked.
        for n in range(7):
            assert guess(Client(), address=f"192.0.2.{n}").status_code == 401
        assert guess(Client(), address="192.0.2.200").status_code == 429
        assert guess(Client(), valid, address="198.51.100.20").status_code == 429
    events = AuditEvent.objects.filter(action="api.token_refused")
    assert events.count() == 10
    assert events.order_by("seq").last().detail["limit_reached"] == ["all"]
    with time_machine.travel(MOMENT + datetime.timedelta(seconds=62), tick=False):
        assert guess(Client(), valid, address="198.51.100.20").status_code == 200


def test_a_request_without_a_token_counts_nothing(organisation):
    client = Client()
    for _ in range(20):
        assert client.get(CASES).status_code == 401
    assert not AuditEvent.objects.filter(action="api.token_refused").exists()
