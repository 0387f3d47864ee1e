"""Access matrix: every role x every URL pattern that shows or changes data.

The test walks Django's URL resolver; a pattern that is neither in MATRIX nor in
NOT_CASE_DATA fails test_every_url_pattern_has_an_entry, naming the pattern.

Roles tried (ROLES): the reporter with an open inbox session, a handler
(behandelaar1), the vertrouwenspersoon, burgemeester, gemeentesecretaris, the
accused wethouder (the case is about Henk Bosman), a colleague of the accused
(Fatima El Amrani, fellow wethouder in the same college of B&W, no protocol
role for this case), the functional admin, the griffier (council figures only,
no case), the auditor (reads the audit trail, opens no case), staff of another
organisation (a handler who is also the functional admin of Gemeente Anderstad, the strongest
outsider) and an anonymous visitor.

Each pattern has its own table (a list of ``Probe``: one request, GET or POST,
with the answer per role). An answer is a status, and where it matters whether
the page shows the probe's marker (the case number, the attachment's bytes,
"Gemeente Voorbeeldstad" on the registry pages) and, for a POST, whether the
probe's ``state`` changed. A POST that a role is refused must change nothing:
for every POST probe, a role whose answer does not say ``changes=True`` is
asserted to have changed nothing. Every probe runs in a savepoint that is
rolled back, with a fresh client, so each starts from the same world.

To add a pattern: add ``"app:name": [Probe(...), ...]`` to the table of its
area in ``tests/access_matrix/`` (``CASE_PAGES``, ``OTHER_PAGES``), using
``expect(staff=..., handler=..., ...)`` for the answers
(``tests/access_matrix/answers.py``).
"""

import copy
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from meldpunt.accounts.models import StaffAccount
from meldpunt.audit.checkpoints import make_checkpoint
from meldpunt.audit.log import chain_for
from meldpunt.cases.actions import FileInput
from meldpunt.cases.models import SubjectProposal
from meldpunt.notifications.models import Notification
from meldpunt.organisations.models import Organisation
from meldpunt.protocol.versions import install_defaults
from meldpunt.registry.models import Appointment, Category, Conflict, Person, Position
from tests.access_matrix.answers import (
    ATTACHMENT_BYTES,
    DESCRIPTION,
    IMPORT_CSV,
    ROLES,
    USERNAMES,
    Probe,
    World,
)
from tests.access_matrix.case_pages import CASE_PAGES
from tests.access_matrix.other_pages import OTHER_PAGES
from tests.conftest import verified_client
from tests.factories import report_about

# url name -> the probes of that pattern, by area (tests/access_matrix/).
MATRIX: dict[str, list[Probe]] = {**CASE_PAGES, **OTHER_PAGES}

# Patterns checked elsewhere that show no case data, each with its reason.
NOT_CASE_DATA = {
    "set_language": "switches the interface language; no data",
    "melden:organisations": "public list of organisations",
    "melden:start": "public start page",
    "melden:report": "public report form (tests/test_report_form.py)",
    "melden:receipt": "shows the caller's own fresh receipt only (tests/test_one_report_per_form.py)",
    "melden:inbox_login": "public receipt-code form (tests/test_receipts.py)",
    "bewijs:verify": "public proof check: reads only the proof given and the keys (tests/test_proof.py)",
    "bewijs:keys": "public list of the organisations' public signing keys",
    "accounts:login": "public login form (tests/test_staff_login.py)",
    "accounts:passkey_login": "public passkey login (tests/test_passkeys.py)",
    "accounts:passkey_jsi18n": "static texts for the passkey script",
    "api_reference": "the API reference page, rendered from the schema",
    "api:api-root": "the API's root; no data",
    "api:openapi-json": "the OpenAPI schema",
}
# Patterns without an entry yet. Keep this empty: a new pattern gets its table in MATRIX.
PENDING: set[str] = set()


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
    # The API's own patterns are covered operation by operation (tests/test_access_matrix_api.py).
    from tests.test_access_matrix_api import api_url_names_with_an_entry

    names -= api_url_names_with_an_entry()
    unlisted = sorted(n for n in names if n not in MATRIX and n not in NOT_CASE_DATA and n not in PENDING)
    assert not unlisted, f"URL patterns without an entry in the access matrix: {unlisted}"
    assert not (set(MATRIX) - names), "matrix names a pattern that no longer exists"
    assert not (set(MATRIX) & set(NOT_CASE_DATA)), "a pattern is both in the matrix and exempt"


def test_every_entry_answers_for_every_role():
    for name, probes in MATRIX.items():
        for probe in probes:
            assert set(probe.answers) == set(ROLES), f"{name} {probe.method}: roles {set(ROLES) - set(probe.answers)}"


def staff_login(person: Person, username: str) -> None:
    user = get_user_model().objects.create_user(username, password="x" * 20)
    StaffAccount.objects.create(user=user, person=person)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def another_organisation() -> Organisation:
    """Gemeente Anderstad, with one person who is its handler and its functional admin."""
    other = Organisation.objects.create(slug="anderstad", name="Gemeente Anderstad")
    install_defaults(other)
    outsider = Person.objects.create(organisation=other, name="Olga Anders")
    for code, category in (("int", Category.BEHANDELAAR), ("fb", Category.FUNCTIONEEL_BEHEERDER)):
        position = Position.objects.create(organisation=other, code=code, title=code, category=category)
        Appointment.objects.create(position=position, person=outsider, start_date=datetime.date(2020, 1, 1))
    staff_login(outsider, USERNAMES["other_org"])
    return other


@pytest.fixture
def world(organisation, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    attachment = FileInput(name="verslag.txt", content_type="text/plain", data=ATTACHMENT_BYTES)
    case, code = report_about(organisation, person("Henk Bosman"), description=DESCRIPTION, files=[attachment])
    staff_login(person("Fatima El Amrani"), USERNAMES["colleague"])
    another_organisation()
    burgemeester = get_user_model().objects.get(username="burgemeester")
    passkey = WebAuthnCredential.objects.create(
        user=burgemeester,
        name="Passkey 1",
        confirmed=True,
        credential_id=b"burgemeester-passkey",
        public_key=b"not-a-real-key",
        aaguid="00000000-0000-0000-0000-000000000000",
        credential_id_sha256="0" * 64,
    )

    def position(code):
        return Position.objects.get(organisation=organisation, code=code)

    return World(
        case=case,
        code=str(code),
        attachment_id=str(case.attachments.get().public_id),
        person=person,
        position=position,
        conflict=Conflict.objects.create(person=person("Ruud Meijer"), other=person("Kees Brouwer"), reason="broers"),
        notification=Notification.objects.get(case=case, person=person("Marieke van Dalen")),
        passkey=passkey,
        extra={
            "appointment": Appointment.objects.get(person=person("Johan Kuipers")),
            "csv": lambda: SimpleUploadedFile("register.csv", IMPORT_CSV, "text/csv"),
            "checkpoint": make_checkpoint(chain_for(organisation)),
            "proposal": SubjectProposal.objects.create(
                case=case, person=person("Pieter de Groot"), source="vermelding", score=70, explanation="-"
            ),
        },
    )


def client_for(role: str, world: World) -> Client:
    if role == "anonymous":
        return Client()
    if role == "reporter":
        client = Client()
        assert client.post("/voorbeeldstad/postvak/", {"code": world.code}).status_code == 302
        return client
    return verified_client(USERNAMES[role])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def check(probe: Probe, role: str, world: World, logged_in: Client) -> str | None:
    """Run one probe as one role (a new client with ``logged_in``'s session
    cookies); a failure in words, or None."""
    want = probe.answers[role]
    client = Client()
    client.cookies = copy.deepcopy(logged_in.cookies)
    url = probe.url(world)
    before = probe.state(world, client) if probe.state else None
    data = probe.data(world) if probe.data else {}
    if probe.method == "POST":
        json_view = "/passkeys/" in url and not url.endswith("verwijderen/")
        response = client.post(url, data, content_type="application/json") if json_view else client.post(url, data)
    else:
        response = client.get(url, data)
    what = f"{probe.method} {url} as {role}"
    if response.status_code != want.status:
        return f"{what}: {response.status_code}, expected {want.status}"
    if want.to and want.to not in response["Location"]:
        return f"{what}: redirect to {response['Location']}, expected {want.to}"
    if want.shows is not None:
        marker = probe.marker(world)
        content = body(response)
        shown = (marker if isinstance(marker, bytes) else marker.encode()) in content
        if shown != want.shows:
            return (
                f"{what}: {marker!r} {'shown' if shown else 'not shown'}, expected {'' if want.shows else 'not '}shown"
            )
    if probe.state:
        changed = probe.state(world, client) != before
        if changed != bool(want.changes):
            expected = "a change" if want.changes else "no change"
            return f"{what}: state {'changed' if changed else 'unchanged'}, expected {expected}"
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_matrix(world, role):
    failures = []
    # One log-in per role; every probe gets its own client with that session, and
    # whatever a probe does to the session (a log-out, a new key) is rolled back with it.
    logged_in = client_for(role, world)
    for probes in MATRIX.values():
        for probe in probes:
            # Each probe starts from the same world: its changes are rolled back.
            with transaction.atomic():
                failure = check(probe, role, world, logged_in)
                transaction.set_rollback(True)
            if failure:
                failures.append(failure)
    assert not failures, "\n".join(failures)
