"""Receipt codes: format, storage, look-up, wrong codes and rate limits."""

import datetime
import re
import time

import pytest
import time_machine
from django.test import Client, override_settings

from meldpunt import throttle
from meldpunt.cases import receipts
from meldpunt.cases.models import Case
from meldpunt.cases.receipts import MalformedCode, ReceiptCode
from tests.factories import report_about


@pytest.fixture(autouse=True)
def empty_rate_limits(db):
    throttle.forget()
    yield
    throttle.forget()


def test_new_code_is_28_digits_in_seven_groups_of_four():
    code = ReceiptCode.generate()
    text = str(code)
    assert len(text.replace(" ", "")) == 28
    assert text.replace(" ", "").isdigit()
    assert [len(group) for group in text.split(" ")] == [4] * 7
    assert len(code.lookup) == 6 and len(code.secret) == 22


def test_codes_do_not_repeat():
    assert len({str(ReceiptCode.generate()) for _ in range(1000)}) == 1000


@pytest.mark.parametrize(
    "typed",
    ["4761 1599 7041 3136 0510 3438 9021", "4761-1599-7041-3136-0510-3438-9021", " 4761159970413136051034389021 "],
)
def test_spaces_and_dashes_are_accepted(typed):
    assert ReceiptCode.parse(typed) == ReceiptCode(lookup="476115", secret="9970413136051034389021")


@pytest.mark.parametrize("typed", ["4761 1599 7041 3136 0510 3438", "4761-1599-7041-3136-0510-3438"])
def test_an_older_24_digit_code_still_parses(typed):
    # Tried: a code in the format handed out before (six groups of four).
    assert ReceiptCode.parse(typed) == ReceiptCode(lookup="476115", secret="997041313605103438")


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "1234",
        "4761 1599 7041 3136 0510 343",
        "4761 1599 7041 3136 0510 3438 902",
        "abcd" * 7,
        "٤٧٦١١٥٩٩٧٠٤١٣١٣٦٠٥١٠٣٤٣٨",
    ],
)
def test_malformed_codes_are_refused(typed):
    with pytest.raises(MalformedCode):
        ReceiptCode.parse(typed)


def test_secret_is_never_in_repr():
    code = ReceiptCode.generate()
    assert code.secret not in repr(code)


@pytest.mark.django_db
def test_only_an_argon2id_hash_of_the_secret_is_stored(organisation, person):
    case, code = report_about(organisation, person("Henk Bosman"))
    stored = Case.objects.get(pk=case.pk)
    assert stored.receipt_lookup == code.lookup
    assert stored.receipt_hash.startswith("$argon2id$v=19$m=8192,t=1,p=1$")
    assert code.secret not in stored.receipt_hash
    assert str(code).replace(" ", "") not in stored.receipt_hash


@pytest.mark.django_db
def test_find_case_by_code(organisation, person):
    case, code = report_about(organisation, person("Henk Bosman"))
    assert receipts.find_case(organisation, str(code)) == case
    wrong_secret = ReceiptCode(lookup=code.lookup, secret=str((int(code.secret) + 1) % 10**22).zfill(22))
    assert receipts.find_case(organisation, str(wrong_secret)) is None


def _old_case(organisation, person):
    """A case whose code was handed out under the earlier format and parameters:
    24 digits, the secret hashed with argon2id at 64 MiB and 2 passes."""
    from argon2 import PasswordHasher

    case, _new_code = report_about(organisation, person("Henk Bosman"))
    old = ReceiptCode(lookup=case.receipt_lookup, secret="482109375520194761")
    old_hash = PasswordHasher(time_cost=2, memory_cost=64 * 1024, parallelism=1, hash_len=32, salt_len=16).hash(
        old.secret
    )
    Case.objects.filter(pk=case.pk).update(receipt_hash=old_hash)
    return case, old


@pytest.mark.django_db
def test_a_code_hashed_under_the_old_parameters_still_opens_its_case(organisation, person):
    case, old = _old_case(organisation, person)
    assert Case.objects.get(pk=case.pk).receipt_hash.startswith("$argon2id$v=19$m=65536,t=2,p=1$")
    # Tried: the old 24-digit code, typed in its six groups.
    assert len(str(old).replace(" ", "")) == 24
    assert receipts.find_case(organisation, str(old)) == case
    # Tried: the same code with its last digit changed.
    assert receipts.find_case(organisation, str(old)[:-1] + ("0" if str(old)[-1] != "0" else "1")) is None


@pytest.mark.django_db
def test_old_code_logs_in_to_the_inbox(client, organisation, person):
    case, old = _old_case(organisation, person)
    response = client.post("/voorbeeldstad/postvak/", {"code": str(old)})
    assert response.status_code == 302
    assert client.session.get("melder_case") == str(case.public_id)


@pytest.mark.django_db
def test_a_code_of_one_length_never_matches_a_hash_of_the_other(organisation, person):
    """A 28-digit code whose look-up part is that of an older case is checked
    against the 28-digit dummy hash (and the other way round), so it takes the
    time of an unknown look-up part and opens nothing."""
    case, old = _old_case(organisation, person)
    longer = ReceiptCode(lookup=old.lookup, secret=old.secret + "0000")
    assert receipts.find_case(organisation, str(longer)) is None
    new_case, new_code = report_about(organisation, person("Henk Bosman"))
    shorter = ReceiptCode(lookup=new_code.lookup, secret=new_code.secret[:18])
    assert receipts.find_case(organisation, str(shorter)) is None


def _argon2_calls(monkeypatch):
    """Count the argon2 verifications run during a check, with the hash each ran against."""
    from argon2 import low_level

    calls = []
    real = low_level.verify_secret

    def counting(*args, **kwargs):
        calls.append(args[0][:30])
        return real(*args, **kwargs)

    monkeypatch.setattr(low_level, "verify_secret", counting)
    import argon2._password_hasher as password_hasher

    monkeypatch.setattr(password_hasher, "verify_secret", counting)
    return calls


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["right", "wrong secret", "unknown look-up", "malformed", "old right", "old unknown"])
def test_a_check_costs_one_argon2_call_with_the_parameters_of_its_length(monkeypatch, organisation, person, which):
    case, code = report_about(organisation, person("Henk Bosman"))
    _old_case_, old = _old_case(organisation, person) if which.startswith("old") else (None, None)
    other_lookup = "000000" if code.lookup != "000000" else "111111"
    typed = {
        "right": str(code),
        "wrong secret": str(ReceiptCode(lookup=code.lookup, secret="1" * 22)),
        "unknown look-up": str(ReceiptCode(lookup=other_lookup, secret=code.secret)),
        "malformed": "12",
        "old right": str(old) if old else "",
        "old unknown": str(ReceiptCode(lookup=other_lookup, secret=old.secret)) if old else "",
    }[which]
    calls = _argon2_calls(monkeypatch)
    receipts.find_case(organisation, typed)
    assert len(calls) == 1
    # The 24-digit paths run at the old cost (64 MiB, 2 passes), the rest at the new one.
    expected = b"$argon2id$v=19$m=65536,t=2" if which.startswith("old") else b"$argon2id$v=19$m=8192,t=1"
    assert calls[0].startswith(expected)


@pytest.mark.django_db
def test_code_of_one_organisation_does_not_open_another(organisation, person):
    from meldpunt.organisations.models import Organisation

    other = Organisation.objects.create(slug="anderstad", name="Gemeente Anderstad")
    case, code = report_about(organisation, person("Henk Bosman"))
    assert receipts.find_case(other, str(code)) is None


@pytest.mark.django_db
def test_wrong_code_costs_as_much_time_as_a_right_one(organisation, person):
    """Not a performance assertion: a wrong look-up part must still run argon2,
    so it cannot be told apart by timing. We compare medians with a wide margin."""
    case, code = report_about(organisation, person("Henk Bosman"))
    unknown_lookup = str(ReceiptCode(lookup="000000" if code.lookup != "000000" else "111111", secret=code.secret))

    def median(text):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            receipts.find_case(organisation, text)
            times.append(time.perf_counter() - start)
        return sorted(times)[2]

    right, wrong, malformed = median(str(code)), median(unknown_lookup), median("12")
    assert wrong > right / 3
    assert malformed > right / 3


@pytest.mark.django_db
def test_wrong_code_gets_a_neutral_message(client, organisation):
    # Tried: 28 digits that belong to no report.
    response = client.post("/voorbeeldstad/postvak/", {"code": "1111 2222 3333 4444 5555 6666 7777"})
    assert response.status_code == 400
    assert "Met deze code kunnen wij geen melding openen" in response.content.decode()
    assert "melder_case" not in client.session


@pytest.mark.django_db
def test_malformed_code_keeps_what_was_typed(client, organisation):
    # Tried: an empty code, then letters.
    response = client.post("/voorbeeldstad/postvak/", {"code": ""})
    assert response.status_code == 400
    assert "Dit veld is verplicht" in response.content.decode()
    response = client.post("/voorbeeldstad/postvak/", {"code": "abc-def"})
    assert response.status_code == 400
    assert 'value="abc-def"' in response.content.decode()


# A fixed moment for the rate-limit tests: counting windows slide with the
# clock, so a test that reads the real clock could straddle a minute.
MOMENT = datetime.datetime(2026, 3, 2, 10, 14, 50, tzinfo=datetime.UTC)
WRONG = "1111 2222 3333 4444 5555 6666"


def _try(client, code):
    return client.post("/voorbeeldstad/postvak/", {"code": code})


@pytest.mark.django_db
@override_settings(RECEIPT_ATTEMPTS_PER_CLIENT=3)
def test_too_many_tries_from_one_client_are_refused_even_with_the_right_code(client, organisation, person):
    case, code = report_about(organisation, person("Henk Bosman"))
    with time_machine.travel(MOMENT, tick=False):
        for _ in range(3):
            _try(client, WRONG)
        response = _try(client, str(code))
        assert response.status_code == 400
        assert "te vaak een code geprobeerd" in response.content.decode()
        assert "melder_case" not in client.session

        # Another client (another address) is not affected.
        assert _try(Client(REMOTE_ADDR="192.0.2.99"), str(code)).status_code == 302


@pytest.mark.django_db
@override_settings(RECEIPT_ATTEMPTS_PER_CLIENT=100, RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE=5)
def test_global_limit_stops_a_guessing_attack_spread_over_many_addresses(organisation, person):
    case, code = report_about(organisation, person("Henk Bosman"))
    with time_machine.travel(MOMENT, tick=False):
        for number in range(5):
            _try(Client(REMOTE_ADDR=f"198.51.100.{number}"), WRONG)
        response = _try(Client(REMOTE_ADDR="203.0.113.7"), str(code))
        assert response.status_code == 400
        assert "te vaak een code geprobeerd" in response.content.decode()


@pytest.mark.django_db
@override_settings(RECEIPT_ATTEMPTS_PER_CLIENT=3, RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE=5)
def test_one_client_hammering_does_not_lock_others_out_of_their_inbox(organisation, person):
    """Tried: one address sends 50 wrong codes within a second (per-client limit 3,
    installation limit 5 a minute). Only its first 3 cost an argon2 check; the
    other 47 are refused at once and must not use up everyone's allowance."""
    case, code = report_about(organisation, person("Henk Bosman"))
    hammer = Client(REMOTE_ADDR="198.51.100.66")
    with time_machine.travel(MOMENT, tick=False):
        statuses = [_try(hammer, WRONG) for _ in range(50)]
        assert all("te vaak" in response.content.decode() for response in statuses[3:])
        assert _try(Client(REMOTE_ADDR="192.0.2.10"), str(code)).status_code == 302


@pytest.mark.django_db
@override_settings(RECEIPT_ATTEMPTS_PER_CLIENT=3, RECEIPT_ATTEMPTS_WINDOW=15 * 60)
def test_the_client_window_slides_instead_of_resetting(organisation, person):
    """Tried: 3 wrong codes at 10:14:50, just before a quarter-hour boundary a
    fixed bucket would reset at; then the right code 2 minutes and 15¼ minutes later."""
    case, code = report_about(organisation, person("Henk Bosman"))
    reporter = Client(REMOTE_ADDR="198.51.100.7")
    with time_machine.travel(MOMENT, tick=False) as clock:
        for _ in range(3):
            _try(reporter, WRONG)
        clock.shift(datetime.timedelta(minutes=2))
        assert "te vaak een code geprobeerd" in _try(reporter, str(code)).content.decode()
        # The window is 15 minutes, counted in slots of 15 seconds.
        clock.shift(datetime.timedelta(minutes=13, seconds=11))
        assert _try(reporter, str(code)).status_code == 302


@pytest.mark.django_db
@override_settings(RECEIPT_ATTEMPTS_PER_CLIENT=100, RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE=5)
def test_the_global_window_slides_instead_of_resetting_on_the_minute(organisation, person):
    """Tried: 5 wrong codes from 5 addresses at 10:14:50, the right code from a
    sixth at 10:15:05 (a new minute) and again at 10:15:51 (a minute later)."""
    case, code = report_about(organisation, person("Henk Bosman"))
    with time_machine.travel(MOMENT, tick=False) as clock:
        for number in range(5):
            _try(Client(REMOTE_ADDR=f"198.51.100.{number}"), WRONG)
        clock.shift(datetime.timedelta(seconds=15))
        assert "te vaak een code geprobeerd" in _try(Client(REMOTE_ADDR="203.0.113.7"), str(code)).content.decode()
        clock.shift(datetime.timedelta(seconds=46))
        assert _try(Client(REMOTE_ADDR="203.0.113.7"), str(code)).status_code == 302


@pytest.mark.django_db
def test_rate_limit_stores_no_client_address(client, organisation):
    from meldpunt.throttle.models import SlotCount

    client.post("/voorbeeldstad/postvak/", {"code": "1" * 24}, REMOTE_ADDR="203.0.113.45")
    keys = list(SlotCount.objects.values_list("key", flat=True))
    assert keys, "the attempt was counted"
    assert not any("203.0.113.45" in key for key in keys)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _first_codes(monkeypatch, *codes):
    """ReceiptCode.generate returns ``codes`` first, then random codes again."""
    real_generate = ReceiptCode.generate.__func__
    queue = iter(codes)

    def generate(cls):
        return next(queue, None) or real_generate(cls)

    monkeypatch.setattr(ReceiptCode, "generate", classmethod(generate))


@pytest.mark.django_db(transaction=True)
def test_a_taken_lookup_part_gives_the_reporter_a_code_that_works(client, organisation, person, monkeypatch):
    """Tried: a report through the public form whose first random look-up part
    is already another case's, with a registry person, a typed name and two
    files. The database refuses the look-up; the report must still be stored
    whole under a new look-up part, and its code open the inbox. (A real
    transaction, so the database checks every reference when it commits.)"""
    from django.core.files.uploadedfile import SimpleUploadedFile

    first, first_code = report_about(organisation, person("Lotte Jansen"))
    bosman = person("Henk Bosman")
    _first_codes(monkeypatch, ReceiptCode(lookup=first_code.lookup, secret="1" * 22))
    response = client.post(
        "/voorbeeldstad/melden/",
        {
            "action": "verstuur",
            "relation": "inwoner",
            "anonymous": "ja",
            "description": "Hij stuurde mij berichten na mijn hulpvraag.",
            "contact_context": "hulpvraag",
            "told_before": "nee",
            "wishes": ["gehoord"],
            f"persoon_{bosman.pk}": "beschuldigde",
            "vrij_naam_1": "Man met pet",
            "vrij_functie_1": "bezoeker",
            "vrij_rol_1": "betrokkene",
            "files": [SimpleUploadedFile("brief.pdf", PDF), SimpleUploadedFile("notitie.txt", b"om 14:00 gebeld")],
        },
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    code = re.search(r'data-testid="receipt-code">([0-9 ]+)<', response.content.decode()).group(1)
    assert ReceiptCode.parse(code).lookup != first_code.lookup

    second = Case.objects.exclude(pk=first.pk).get()
    assert second.content["description"] == "Hij stuurde mij berichten na mijn hulpvraag."
    subjects = {(s.role, s.person.name if s.person else s.description()["name"]) for s in second.subjects.all()}
    assert subjects == {("beschuldigde", "Henk Bosman"), ("betrokkene", "Man met pet")}
    assert sorted((a.filename, a.read()) for a in second.attachments.all()) == [
        ("brief.pdf", PDF),
        ("notitie.txt", b"om 14:00 gebeld"),
    ]

    reporter = Client(REMOTE_ADDR="192.0.2.50")
    login = reporter.post("/voorbeeldstad/postvak/", {"code": code})
    assert login.status_code == 302
    inbox = reporter.get(login["Location"]).content.decode()
    assert reporter.session["melder_case"] == str(second.public_id)
    assert "goed ontvangen" in inbox
    assert receipts.find_case(organisation, str(first_code)) == first


@pytest.mark.django_db
def test_an_other_integrity_error_is_not_retried_or_hidden(organisation, person, monkeypatch):
    """Tried: a report whose storage breaks on another constraint (a case number
    already taken). It must fail loudly, not be retried as a look-up collision."""
    from django.db import IntegrityError

    from meldpunt.cases import numbering

    first, _code = report_about(organisation, person("Henk Bosman"))
    monkeypatch.setattr(numbering, "next_reference", lambda organisation, now: first.reference)
    with pytest.raises(IntegrityError):
        report_about(organisation, person("Henk Bosman"))
    assert Case.objects.count() == 1
