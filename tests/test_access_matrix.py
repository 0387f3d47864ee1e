"""Access matrix: every role x every URL pattern that shows or changes case data.

The test walks Django's URL resolver; a pattern that is neither in MATRIX nor in
NOT_CASE_DATA fails test_every_url_pattern_has_an_entry, naming the pattern.
Roles tried: the reporter with an open inbox session, a handler (behandelaar1),
the vertrouwenspersoon, burgemeester, gemeentesecretaris, the accused wethouder
(the case is about Henk Bosman), the functional admin and an anonymous visitor.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import verified_client
from tests.factories import report_about

OK, NOT_FOUND, LOGIN = 200, 404, 302
# For list pages: 200, and the case is (LISTED) or is not (UNLISTED) on it.
LISTED, UNLISTED = "listed", "unlisted"

ROLES = ["reporter", "handler", "vertrouwenspersoon", "burgemeester", "secretaris", "accused", "beheerder", "anonymous"]
USERNAMES = {
    "handler": "behandelaar1",
    "vertrouwenspersoon": "vertrouwenspersoon",
    "burgemeester": "burgemeester",
    "secretaris": "secretaris",
    "accused": "wethouder",
    "beheerder": "beheerder",
}


def row(reporter, handler, vp, burgemeester, secretaris, accused, beheerder, anonymous):
    return dict(
        zip(ROLES, (reporter, handler, vp, burgemeester, secretaris, accused, beheerder, anonymous), strict=True)
    )


# url name -> expected GET status per role. Staff pages redirect the reporter
# and the anonymous visitor to the login; a case you may not see is "not found".
# The case log uses the handling rule (access_case_for_handling): handlers only.
MATRIX = {
    "behandelen:home": row(LOGIN, LISTED, UNLISTED, LISTED, LISTED, UNLISTED, UNLISTED, LOGIN),
    "behandelen:case": row(LOGIN, OK, NOT_FOUND, OK, OK, NOT_FOUND, NOT_FOUND, LOGIN),
    "behandelen:case_log": row(LOGIN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, LOGIN),
    "behandelen:attachment": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, LOGIN),
    "melden:inbox": row(OK, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
}

# Patterns checked elsewhere or not yet in the matrix, each with its reason.
NOT_CASE_DATA = {
    "set_language": "switches the interface language; no data",
    "melden:organisations": "public list of organisations",
    "melden:start": "public start page",
    "melden:report": "public report form (tests/test_report_form.py)",
    "melden:receipt": "shows the caller's own fresh receipt only",
    "melden:inbox_login": "public receipt-code form (tests/test_receipts.py)",
    "accounts:login": "public login form (tests/test_staff_login.py)",
    "accounts:passkey_login": "public passkey login (tests/test_passkeys.py)",
    "accounts:passkey_jsi18n": "static texts for the passkey script",
}
# Not yet in this matrix (next step): the rest of behandelen, beheer, accounts, installatie.
PENDING = {
    "behandelen:register", "behandelen:notifications", "behandelen:add_subject",
    "behandelen:change_state", "melden:inbox_attachment", "melden:withdraw", "melden:inbox_logout",
    "accounts:logout", "accounts:setup", "accounts:recovery_codes", "accounts:new_recovery_codes",
    "accounts:account", "accounts:passkey_confirm", "accounts:passkey_remove",
    "accounts:passkey_register_begin", "accounts:passkey_register_complete",
    "accounts:passkey_login_begin", "accounts:passkey_login_complete", "organisations:list",
    "beheer:home", "beheer:person_new", "beheer:person", "beheer:person_login", "beheer:position_new",
    "beheer:position", "beheer:appointment_add", "beheer:appointment_end", "beheer:import",
    "beheer:import_example", "beheer:conflicts", "beheer:conflict_add", "beheer:conflict_remove",
    "beheer:protocol", "beheer:protocol_edit", "beheer:protocol_version", "beheer:protocol_preview",
}  # fmt: skip


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {entry.pattern}>"


def test_every_url_pattern_has_an_entry():
    names = set(url_names())
    unlisted = sorted(n for n in names if n not in MATRIX and n not in NOT_CASE_DATA and n not in PENDING)
    assert not unlisted, f"URL patterns without an entry in the access matrix: {unlisted}"
    assert not (set(MATRIX) - names), "matrix names a pattern that no longer exists"


@pytest.fixture
def fixture_case(organisation, person):
    case, code = report_about(organisation, person("Henk Bosman"))
    return case, code


def client_for(role, code):
    if role == "anonymous":
        return Client()
    if role == "reporter":
        client = Client()
        assert client.post("/voorbeeldstad/postvak/", {"code": str(code)}).status_code == 302
        return client
    return verified_client(USERNAMES[role])


def url_for(name, case):
    return {
        "behandelen:home": "/behandelen/",
        "behandelen:case": f"/behandelen/zaak/{case.reference}/",
        "behandelen:case_log": f"/behandelen/zaak/{case.reference}/logboek/",
        "behandelen:attachment": f"/behandelen/zaak/{case.reference}/bijlage/00000000-0000-0000-0000-000000000000/",
        "melden:inbox": "/voorbeeldstad/postvak/melding/",
    }[name]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_matrix(fixture_case, role):
    case, code = fixture_case
    client = client_for(role, code)
    failures = []
    for name, expected in MATRIX.items():
        response = client.get(url_for(name, case))
        want = expected[role]
        if want in (LISTED, UNLISTED):
            listed = response.status_code == OK and case.reference in response.content.decode()
            if response.status_code != OK or listed != (want == LISTED):
                failures.append(f"{name} as {role}: {response.status_code}, case listed={listed}, expected {want}")
        elif response.status_code != want:
            failures.append(f"{name} as {role}: {response.status_code}, expected {want}")
        elif want == OK and name.startswith("behandelen:") and case.reference not in response.content.decode():
            failures.append(f"{name} as {role}: 200 without the case reference")
        elif want == LOGIN and "inloggen" not in response["Location"] and "postvak" not in response["Location"]:
            failures.append(f"{name} as {role}: redirect to {response['Location']}")
    assert not failures, failures
