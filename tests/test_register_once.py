"""A report a handler registers on someone's behalf is stored once per form, like the
public form's (meldpunt/melden/submissions.py): the register form carries a one-time
token; sending it again (a double click, a reload of the POST, back and
"Registreren" again) stores nothing new and shows the same receipt code while its
one-time view lasts.

Actors (meldpunt/demo/data.py, fictional): handler behandelaar1, wethouder Henk Bosman.
"""

import datetime
import re

import time_machine
from django.utils import timezone

from meldpunt.cases.models import Case
from meldpunt.melden.submissions import RECEIPT_VIEW_SECONDS, TOKEN_FIELD
from tests.conftest import verified_client

URL = "/behandelen/registreren/"


def phone_report(person, token) -> dict:
    return {
        "action": "verstuur",
        "kind": "melding",
        "channel": "telefoon",
        "relation": "student",
        "anonymous": "ja",
        "description": "Belde over opmerkingen tijdens het overleg over studentenhuisvesting.",
        "told_before": "nee",
        f"persoon_{person('Henk Bosman').pk}": "beschuldigde",
        TOKEN_FIELD: token,
    }


def form_token(client) -> str:
    page = client.get(URL).content.decode()
    return re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', page).group(1)


def shown_code(response) -> str | None:
    found = re.search(r'data-testid="receipt-code">([^<]+)<', response.content.decode())
    return found.group(1) if found else None


def test_a_double_submit_registers_one_case_and_shows_the_same_code(organisation, person):
    """Tried: "Registreren" clicked twice with the same form."""
    handler = verified_client("behandelaar1")
    token = form_token(handler)
    first = handler.post(URL, phone_report(person, token))
    second = handler.post(URL, phone_report(person, token))
    assert first.status_code == second.status_code == 200
    assert Case.objects.count() == 1
    assert shown_code(first) and shown_code(second) == shown_code(first)
    page = second.content.decode()
    assert "Dit formulier was al verstuurd. De melding is één keer geregistreerd, niet twee keer." in page
    assert Case.objects.get().reference in page


def test_the_same_form_after_the_half_hour_stores_nothing_and_shows_no_code(organisation, person):
    """Tried: the form sent again (back, "Registreren") an hour after it was registered."""
    handler = verified_client("behandelaar1")
    token = form_token(handler)
    handler.post(URL, phone_report(person, token))
    later = timezone.now() + datetime.timedelta(seconds=RECEIPT_VIEW_SECONDS * 2)
    with time_machine.travel(later):
        again = handler.post(URL, phone_report(person, token))
    assert again.status_code == 200 and Case.objects.count() == 1
    assert shown_code(again) is None
    assert "De ontvangstcode is niet meer te zien" in again.content.decode()


def test_a_new_form_registers_a_new_case(organisation, person):
    """Tried: two phone calls, each registered with a fresh form."""
    handler = verified_client("behandelaar1")
    handler.post(URL, phone_report(person, form_token(handler)))
    handler.post(URL, phone_report(person, form_token(handler)))
    assert Case.objects.count() == 2


def test_a_refused_form_keeps_its_token(organisation, person):
    """Tried: the form sent without a description, then corrected: still one token, one case."""
    handler = verified_client("behandelaar1")
    token = form_token(handler)
    refused = handler.post(URL, {**phone_report(person, token), "description": ""})
    assert refused.status_code == 400
    assert f'name="{TOKEN_FIELD}" value="{token}"' in refused.content.decode()
    handler.post(URL, phone_report(person, token))
    handler.post(URL, phone_report(person, token))
    assert Case.objects.count() == 1
