"""Access matrix of the JSON API: every role x every operation of the OpenAPI schema.

The operations are enumerated from the schema the app serves
(/api/v1/openapi.json): an operation without an entry in API_MATRIX or
API_NOT_CASE_DATA fails test_every_api_operation_has_an_entry, naming it.
The URL-pattern walk of tests/test_access_matrix.py counts the API's own
patterns as covered through ``api_url_names_with_an_entry``.

Staff roles call with a personal API token of their own login; the reporter
with the inbox token of their receipt code; the anonymous visitor with
nothing. A staff token on the reporter's inbox and the inbox token on the
staff operations are "not logged in" (401). A case you may not see is 404
with the same body as a case that does not exist.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from meldpunt.api.tokens import create_token
from meldpunt.cases.actions import FileInput
from meldpunt.cases.models import Message
from tests.factories import report_about
from tests.test_access_matrix import ROLES, USERNAMES, another_organisation, staff_login, url_names

OK, CREATED, UNAUTHENTICATED, NOT_FOUND = 200, 201, 401, 404
LISTED, UNLISTED = "listed", "unlisted"
SCHEMA_URL = "/api/v1/openapi.json"
ATTACHMENT_BYTES = b"Verslag van het gesprek, fictief.\n"
SAME_NOT_FOUND = "Dit bestaat niet, of u mag het niet zien."


def staff(*, reporter=UNAUTHENTICATED, anonymous=UNAUTHENTICATED, default, **roles) -> dict:
    """Answers for every role: ``default`` for each staff role not named."""
    assert set(roles) <= set(USERNAMES), set(roles) - set(USERNAMES)
    return {"reporter": reporter, "anonymous": anonymous, **{r: roles.get(r, default) for r in USERNAMES}}


def reporter_only(answer) -> dict:
    return {role: answer if role == "reporter" else UNAUTHENTICATED for role in ROLES}


# Who may read the case about the wethouder: the handler and the protocol's recipients
# (burgemeester, gemeentesecretaris); who may change it: the handler only.
READERS = {"handler": OK, "burgemeester": OK, "secretaris": OK}
API_MATRIX = {
    "GET /api/v1/zaken": staff(default=UNLISTED, handler=LISTED, burgemeester=LISTED, secretaris=LISTED),
    "GET /api/v1/zaken/{reference}": staff(default=NOT_FOUND, **READERS),
    "GET /api/v1/zaken/{reference}/berichten": staff(default=NOT_FOUND, **READERS),
    "GET /api/v1/zaken/{reference}/bijlagen/{attachment_id}": staff(default=NOT_FOUND, **READERS),
    "GET /api/v1/notificaties": staff(default=UNLISTED, handler=LISTED, burgemeester=LISTED, secretaris=LISTED),
    "POST /api/v1/zaken/{reference}/berichten": staff(default=NOT_FOUND, handler=CREATED),
    "POST /api/v1/zaken/{reference}/stappen": staff(default=NOT_FOUND, handler=OK),
    "GET /api/v1/{org}/postvak": reporter_only(OK),
    "GET /api/v1/{org}/postvak/bijlagen/{attachment_id}": reporter_only(OK),
    "POST /api/v1/{org}/postvak/berichten": reporter_only(CREATED),
    "POST /api/v1/{org}/postvak/intrekken": reporter_only(OK),
}
API_NOT_CASE_DATA = {
    "POST /api/v1/{org}/meldingen": "public report submission (tests/test_api.py)",
    "POST /api/v1/{org}/postvak/sessies": "public receipt-code check (tests/test_api.py)",
    "DELETE /api/v1/{org}/postvak/sessie": "ends the caller's own inbox session; shows nothing",
}
# What each POST changes, to check that a refused one changed nothing.
MESSAGES_BY = {
    "POST /api/v1/zaken/{reference}/berichten": "behandelaar",
    "POST /api/v1/{org}/postvak/berichten": "melder",
}


def api_operations() -> dict[str, dict]:
    """ "METHOD /path" -> operation, from the schema the app serves."""
    schema = Client().get(SCHEMA_URL).json()
    return {f"{method.upper()} {path}": op for path, item in schema["paths"].items() for method, op in item.items()}


def api_url_names_with_an_entry() -> set[str]:
    """The API's URL pattern names all of whose operations have an entry here
    (ninja names a pattern after the function, the operation id ends with it)."""
    operations = api_operations()
    entered = set(API_MATRIX) | set(API_NOT_CASE_DATA)
    covered = set()
    for name in url_names():
        if not name.startswith("api:"):
            continue
        mine = [key for key, op in operations.items() if op["operationId"].endswith("_" + name.removeprefix("api:"))]
        if mine and all(key in entered for key in mine):
            covered.add(name)
    return covered


def test_every_api_operation_has_an_entry():
    operations = set(api_operations())
    unlisted = sorted(operations - set(API_MATRIX) - set(API_NOT_CASE_DATA))
    assert not unlisted, f"API operations without an entry in the access matrix: {unlisted}"
    assert not (set(API_MATRIX) | set(API_NOT_CASE_DATA)) - operations, "matrix names an operation that is gone"
    assert all(set(answers) == set(ROLES) for answers in API_MATRIX.values())


@pytest.fixture
def world(organisation, person):
    attachment = FileInput(name="verslag.txt", content_type="text/plain", data=ATTACHMENT_BYTES)
    case, code = report_about(organisation, person("Henk Bosman"), files=[attachment])
    staff_login(person("Fatima El Amrani"), USERNAMES["colleague"])
    another_organisation()
    return case, code, case.attachments.get()


def headers_for(role, code) -> dict:
    if role == "anonymous":
        return {}
    if role == "reporter":
        login = Client().post("/api/v1/voorbeeldstad/postvak/sessies", {"code": str(code)}, "application/json")
        return {"HTTP_AUTHORIZATION": f"Bearer {login.json()['token']}"}
    _row, token = create_token(get_user_model().objects.get(username=USERNAMES[role]), "matrix", 30)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def call(client, key, case, attachment, headers):
    method, path = key.split(" ", 1)
    url = path.format(org="voorbeeldstad", reference=case.reference, attachment_id=attachment.public_id)
    if method == "GET":
        return client.get(url, **headers)
    if url.endswith("/stappen"):
        return client.post(url, {"step": "beoordelen"}, "application/json", **headers)
    return client.post(url, {"body": "Een bericht via de API."}, **headers)


def check(key, role, want, response, case) -> str | None:
    if want in (LISTED, UNLISTED):
        listed = response.status_code == OK and case.reference in response.content.decode()
        if response.status_code != OK or listed != (want == LISTED):
            return f"{key} as {role}: {response.status_code}, case listed={listed}, expected {want}"
    elif response.status_code != want:
        return f"{key} as {role}: {response.status_code}, expected {want}"
    elif want == NOT_FOUND and response.json()["detail"] != SAME_NOT_FOUND:
        return f"{key} as {role}: a 404 unlike the one for a case that does not exist"
    elif want == OK and "bijlagen" in key:
        if response.getvalue() != ATTACHMENT_BYTES:
            return f"{key} as {role}: 200 without the attachment's bytes"
    elif want == OK and key.endswith("/berichten") and not response.json():
        return f"{key} as {role}: 200 without the case's messages"
    elif want == OK and key.endswith("{reference}") and case.reference not in response.content.decode():
        return f"{key} as {role}: 200 without the case"
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(world, role):
    case, code, attachment = world
    headers = headers_for(role, code)
    client = Client()
    failures = []
    # Reads first, then writes, the withdrawal last (it closes the inbox for replies).
    for key in sorted(API_MATRIX, key=lambda k: (k.startswith("POST"), k.endswith("intrekken"))):
        want = API_MATRIX[key][role]
        before = Message.objects.filter(case=case, author=MESSAGES_BY.get(key, "")).count()
        failures.append(check(key, role, want, call(client, key, case, attachment, headers), case))
        if key in MESSAGES_BY and want != CREATED:
            after = Message.objects.filter(case=case, author=MESSAGES_BY[key]).count()
            if after != before:
                failures.append(f"{key} as {role}: refused, yet a message was stored")
    case.refresh_from_db()
    if role != "reporter":
        assert case.state != "ingetrokken", f"{role} withdrew the report"
    if role != "handler":
        assert case.state != "beoordeling", f"{role} took a step"
    failures = [f for f in failures if f]
    assert not failures, failures
