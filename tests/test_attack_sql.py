"""SQL injection through search boxes, filters, ids and codes, through the pages.

Tried (``INJECTIONS``): classic tautologies, a stacked ``DROP TABLE``, a
``UNION SELECT`` of the receipt-code hashes, comment and LIKE wildcards, a
time delay, a NUL byte and a quote-heavy overlong text, in the case list's
case-number search and each of its filters and sort order (as the
burgemeester, who may see one of the two cases), the report form's registry
person search, the protocol preview's person and date, the receipt-code box,
the staff login's username, and ids and case numbers in URLs.

Each answer is a normal page or a plain "not found" (never a server error),
shows nothing the user may not see, and every table is still there afterwards.

Found: a NUL character in a case number in the URL (``/behandelen/zaak/%00.../``)
was a server error on PostgreSQL, which refuses NUL in a text comparison;
``meldpunt.cases.access.could_be_reference`` now makes it "not found".
"""

import pytest
from django.db import connection
from django.test import Client

from meldpunt.cases.models import Case
from meldpunt.registry.models import Person
from tests.conftest import verified_client
from tests.factories import report_about

INJECTIONS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "2026'; DROP TABLE cases_case; --",
    "1; DROP TABLE registry_person",
    "' UNION SELECT receipt_hash, NULL FROM cases_case --",
    "%' OR reference LIKE '%",
    "_%",
    "2026-0001'/*",
    "'; SELECT pg_sleep(5); --",
    "1' AND randomblob(500000000) --",
    "\x00' OR 1=1",
    "'" * 300,
]


@pytest.fixture
def two_cases(organisation, person):
    visible, _ = report_about(organisation, person("Henk Bosman"))  # routed to the burgemeester
    hidden, _ = report_about(organisation, person("Lotte Jansen"))  # not
    return visible, hidden


def tables() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["zaak", "status", "soort", "kanaal", "termijn", "sorteer"])
def test_the_case_list_filters_take_no_sql(two_cases, field):
    visible, hidden = two_cases
    before = tables()
    burgemeester = verified_client("burgemeester")
    for injection in INJECTIONS:
        response = burgemeester.get("/behandelen/", {field: injection})
        assert response.status_code == 200, (field, injection)
        page = response.content.decode()
        assert hidden.reference not in page, (field, injection)
    assert tables() == before
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_the_registry_search_in_the_report_form_takes_no_sql(organisation, two_cases):
    people = Person.objects.count()
    client = Client()
    for injection in INJECTIONS:
        response = client.post("/voorbeeldstad/melden/", {"action": "zoek", "search": injection})
        assert response.status_code in (200, 400), injection
        # No registry-wide list: a tautology finds nobody in particular.
        assert response.content.decode().count('name="persoon_') <= 12
    assert Person.objects.count() == people


@pytest.mark.django_db
def test_the_protocol_preview_takes_no_sql(organisation, two_cases):
    admin = verified_client("beheerder")
    for injection in INJECTIONS:
        response = admin.get("/beheer/protocol/wat-als/", {"persoon": injection, "datum": injection})
        assert response.status_code == 400, injection


@pytest.mark.django_db
def test_codes_usernames_ids_and_case_numbers_take_no_sql(two_cases):
    visible, hidden = two_cases
    before = tables()
    burgemeester = verified_client("burgemeester")
    for injection in INJECTIONS:
        receipt = Client().post("/voorbeeldstad/postvak/", {"code": injection})
        assert receipt.status_code == 400, injection
        login = Client().post("/account/inloggen/", {"username": injection, "password": injection, "otp_token": "1"})
        assert login.status_code in (200, 429), injection
        safe = injection.replace("/", "%2F").replace("?", "%3F").replace("#", "%23").replace("\x00", "%00")
        for url in (f"/behandelen/zaak/{safe}/", f"/beheer/personen/{safe}/", f"/behandelen/zaak/{safe}/logboek/"):
            assert burgemeester.get(url).status_code in (403, 404), url
    assert tables() == before
    assert burgemeester.get(f"/behandelen/zaak/{hidden.reference}' OR '1'='1/").status_code == 404
