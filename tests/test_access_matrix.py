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

To add a pattern: add ``"app:name": [Probe(...), ...]`` to MATRIX, using
``expect(staff=..., handler=..., ...)`` for the answers.
"""

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from meldpunt.accounts.models import StaffAccount
from meldpunt.api.models import ApiToken
from meldpunt.api.tokens import create_token
from meldpunt.audit.checkpoints import make_checkpoint
from meldpunt.audit.log import chain_for
from meldpunt.audit.models import AuditCheckpoint
from meldpunt.cases.actions import FileInput
from meldpunt.cases.models import Case, SubjectProposal
from meldpunt.nazorg.models import SupportOption
from meldpunt.nazorg.retaliation import check_months
from meldpunt.notifications.models import Notification
from meldpunt.organisations.models import Organisation
from meldpunt.protocol.versions import install_defaults
from meldpunt.registry.models import Appointment, Category, Conflict, Person, Position
from tests.conftest import verified_client
from tests.factories import report_about
from tests.test_protocol_editor import form_data as protocol_form_data

ROLES = [
    "reporter",
    "handler",
    "vertrouwenspersoon",
    "burgemeester",
    "secretaris",
    "accused",
    "colleague",
    "beheerder",
    "council",
    "auditor",
    "other_org",
    "anonymous",
]
STAFF_ROLES = [r for r in ROLES if r not in ("reporter", "anonymous")]
USERNAMES = {
    "handler": "behandelaar1",
    "vertrouwenspersoon": "vertrouwenspersoon",
    "burgemeester": "burgemeester",
    "secretaris": "secretaris",
    "accused": "wethouder",
    "colleague": "wethouder2",
    "beheerder": "beheerder",
    "council": "griffier",
    "auditor": "auditor",
    "other_org": "anderstad",
}
ATTACHMENT_BYTES = b"Verslag van het gesprek, fictief.\n"
VOORBEELDSTAD = "Gemeente Voorbeeldstad"
DESCRIPTION = "Ongepaste berichten na mijn hulpvraag bij het loket."


@dataclass(frozen=True)
class Answer:
    """What one role gets: a status; whether the page shows the probe's marker
    (None: not checked); whether a POST changed the probe's state (None on a
    POST means "must not"); and, for a redirect, a part of its target."""

    status: int
    shows: bool | None = None
    changes: bool | None = None
    to: str = ""


OK = Answer(200, shows=True)
LISTED, UNLISTED = Answer(200, shows=True), Answer(200, shows=False)
OWN_ONLY = Answer(200, shows=False)  # a page of one's own organisation, nothing of the other's
PAGE = Answer(200)
NOT_FOUND = Answer(404)
FORBIDDEN = Answer(403)
GONE = Answer(410)
LOGIN = Answer(302, to="/account/inloggen/")
INBOX_LOGIN = Answer(302, to="/voorbeeldstad/postvak/")
NOT_ALLOWED = Answer(405)


def done(status=302):
    """A POST that went through and changed the probe's state."""
    return Answer(status, changes=True)


def expect(*, staff: Answer, reporter: Answer = LOGIN, anonymous: Answer = LOGIN, **roles: Answer) -> dict:
    """Answers for every role: ``staff`` for each staff role not named in ``roles``."""
    unknown = set(roles) - set(STAFF_ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {"reporter": reporter, "anonymous": anonymous, **{r: roles.get(r, staff) for r in STAFF_ROLES}}


@dataclass
class World:
    """What the probes point at: the case about the wethouder, its attachment,
    and registry objects of Gemeente Voorbeeldstad."""

    case: Case
    code: str
    attachment_id: str
    person: Callable[[str], Person]
    position: Callable[[str], Position]
    conflict: Conflict
    notification: Notification  # the burgemeester's
    passkey: WebAuthnCredential  # the burgemeester's
    extra: dict = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return self.case.reference


@dataclass(frozen=True)
class Probe:
    url: Callable[[World], str]
    answers: dict
    method: str = "GET"
    data: Callable[[World], dict] | None = None
    marker: Callable[[World], str | bytes] = lambda w: w.ref
    state: Callable[[World, Client], object] | None = None


def proposed_measure(w, burdens: str):
    """A proposed measure in the world's case (made within the probe's savepoint)."""
    from django.utils import timezone

    from meldpunt.maatregelen.models import Measure

    measure = Measure(
        case=w.case,
        kind="partijen_scheiden",
        burdens=burdens,
        decided_on=timezone.localdate(),
        created_at=timezone.now(),
    )
    measure.sealed_text = w.case.key.seal_json(f"measure:{measure.public_id}", {"reason": "-", "justification": "-"})
    measure.save()
    return measure


def burgemeester_token(w) -> ApiToken:
    """The burgemeester's API token (made on first use within the probe's savepoint)."""
    token = ApiToken.objects.filter(user__username="burgemeester").first()
    if token is None:
        token, _plain = create_token(get_user_model().objects.get(username="burgemeester"), "matrix", 30)
    return ApiToken.objects.get(pk=token.pk)


def case_state(w, _client):
    return Case.objects.get(pk=w.case.pk).state


def message_count(w, _client):
    return w.case.messages.count()


def support_option(w) -> SupportOption:
    return SupportOption.objects.filter(organisation=w.case.organisation).order_by("pk").first()


def follow_up_of(w) -> Case:
    """A case that follows from the world's case (made on first use within the probe's savepoint)."""
    found = Case.objects.filter(follows_from=w.case).first()
    if found is None:
        found, _code = report_about(w.case.organisation, w.person("Henk Bosman"))
        Case.objects.filter(pk=found.pk).update(follows_from=w.case)
    return found


def voorbeeldstad_people(w, _client):
    return Person.objects.filter(organisation=w.case.organisation).count()


def opens(path):
    return lambda _w, client: client.get(path).status_code


REGISTRY = {"marker": lambda w: VOORBEELDSTAD}
case_url = "/behandelen/zaak/{}/".format

IMPORT_CSV = (
    b"code;functie;categorie;portefeuille;afdeling;rapporteert_aan;plaatsvervanger;naam;email;begindatum;einddatum\n"
    b"weth-klimaat;Wethouder Klimaat;wethouder;Klimaat;;;;Nina Nieuw;;2025-01-01;\n"
)

# url name -> the probes of that pattern.
MATRIX: dict[str, list[Probe]] = {
    # Staff case pages ------------------------------------------------------------------------------------------
    "behandelen:home": [
        # Whose work is not cases starts on their own page (cases.access.works_on_cases).
        Probe(
            lambda w: "/behandelen/",
            expect(
                staff=UNLISTED,
                handler=LISTED,
                burgemeester=LISTED,
                secretaris=LISTED,
                council=Answer(302, to="/cijfers/"),
                auditor=Answer(302, to="/audit/"),
                beheerder=Answer(302, to="/beheer/"),
            ),
        ),
    ],
    "behandelen:case": [
        Probe(lambda w: case_url(w.ref), expect(staff=NOT_FOUND, handler=OK, burgemeester=OK, secretaris=OK)),
        # Tried: a message to the reporter; only a handler may write.
        Probe(
            lambda w: case_url(w.ref),
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"body": "Kunt u vertellen wanneer dit begon?"},
            state=message_count,
        ),
    ],
    "behandelen:change_state": [
        Probe(
            lambda w: f"{case_url(w.ref)}status/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"step": "beoordelen"},
            state=case_state,
        ),
    ],
    # Timeline entries (note, hearing, conversation, aftercare offer, the accused leaving): handlers only.
    "behandelen:record_entry": [
        # Tried: an internal note.
        Probe(
            lambda w: f"{case_url(w.ref)}vastleggen/notitie/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"text": "Eerst de manager van de melder bellen."},
            state=lambda w, _c: w.case.events.count(),
        ),
        # Tried: recording that the accused wethouder resigned (ends his appointment, never the case).
        Probe(
            lambda w: f"{case_url(w.ref)}vastleggen/vertrek/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {
                "person": w.person("Henk Bosman").pk,
                "reason": "aftreden",
                "date": str(datetime.date.today()),
            },
            state=lambda w, _c: w.case.events.count(),
        ),
    ],
    # The owner: handlers only; "ik pak deze zaak op" is the same POST with one's own person.
    "behandelen:assign_owner": [
        Probe(
            lambda w: f"{case_url(w.ref)}eigenaar/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"owner": w.person("Ingrid Vos").pk},
            state=lambda w, _c: Case.objects.get(pk=w.case.pk).owner_id,
        ),
    ],
    # Mijn zaken: one's own cases and, for a handler, the team's; nobody else's.
    "behandelen:my_cases": [
        Probe(lambda w: "/behandelen/mijn-zaken/", expect(staff=UNLISTED, handler=LISTED)),
    ],
    "behandelen:add_subject": [
        # Tried: naming another person in the case (re-classification).
        Probe(
            lambda w: f"{case_url(w.ref)}persoon/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"person": w.person("Pieter de Groot").pk, "role": "betrokkene"},
            state=lambda w, _c: w.case.subjects.count(),
        ),
    ],
    # The person timeline: the case page's rule (access_case), and only cases the viewer may open.
    "behandelen:person_timeline": [
        Probe(
            lambda w: f"{case_url(w.ref)}over/{w.case.subjects.get().public_id}/",
            expect(staff=NOT_FOUND, handler=OK, burgemeester=OK, secretaris=OK),
        ),
    ],
    "behandelen:correct_link": [
        # Tried: linking the accused to someone else (a correction routes the case again).
        Probe(
            lambda w: f"{case_url(w.ref)}over/{w.case.subjects.get().public_id}/corrigeren/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"person": w.person("Pieter de Groot").pk},
            state=lambda w, _c: w.case.subjects.get().person_id,
        ),
    ],
    "behandelen:decide_proposal": [
        # Tried: confirming a proposed link (a person the narrative mentions).
        Probe(
            lambda w: f"{case_url(w.ref)}voorstel/{w.extra['proposal'].pk}/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"besluit": "bevestigen"},
            state=lambda w, _c: w.case.subjects.count(),
        ),
    ],
    # The measures register (meldpunt/maatregelen/): handlers, and the burgemeester for a case about a
    # wethouder (this one); the reporter answers only in their own inbox.
    "maatregelen:record": [
        Probe(
            lambda w: f"{case_url(w.ref)}maatregelen/",
            expect(staff=NOT_FOUND, handler=done(), burgemeester=done()),
            method="POST",
            data=lambda w: {
                "kind": "waarschuwing",
                "burdens": "beschuldigde",
                "decided_on": str(datetime.date.today()),
                "decision_maker_other": "Het college",
                "reason": "Ongepaste berichten.",
                "state": "genomen",
            },
            state=lambda w, _c: w.case.measures.count(),
        ),
    ],
    "maatregelen:take": [
        Probe(
            lambda w: f"{case_url(w.ref)}maatregelen/{proposed_measure(w, 'beschuldigde').public_id}/nemen/",
            expect(staff=NOT_FOUND, handler=done(), burgemeester=done()),
            method="POST",
            state=lambda w, _c: list(w.case.measures.values_list("state", flat=True)),
        ),
    ],
    "maatregelen:withdraw": [
        Probe(
            lambda w: f"{case_url(w.ref)}maatregelen/{proposed_measure(w, 'beschuldigde').public_id}/intrekken/",
            expect(staff=NOT_FOUND, handler=done(), burgemeester=done()),
            method="POST",
            state=lambda w, _c: list(w.case.measures.values_list("state", flat=True)),
        ),
    ],
    # The reporter of this case is anonymous: consent from a conversation is refused (400) to whoever may decide.
    "maatregelen:consent_conversation": [
        Probe(
            lambda w: f"{case_url(w.ref)}maatregelen/{proposed_measure(w, 'melder').public_id}/instemming/",
            expect(staff=NOT_FOUND, handler=Answer(400), burgemeester=Answer(400)),
            method="POST",
            data=lambda w: {"answer": "akkoord", "date": str(datetime.date.today()), "held_by": "Ingrid Vos"},
            state=lambda w, _c: list(w.case.measures.values_list("state", "consent")),
        ),
    ],
    "maatregelen:answer": [
        Probe(
            lambda w: f"/voorbeeldstad/postvak/maatregel/{proposed_measure(w, 'melder').public_id}/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            data=lambda w: {"answer": "akkoord"},
            state=lambda w, _c: list(w.case.measures.values_list("state", "consent")),
        ),
    ],
    # The case log uses the handling rule (access_case_for_handling): handlers only.
    "behandelen:case_log": [
        Probe(lambda w: f"{case_url(w.ref)}logboek/", expect(staff=NOT_FOUND, handler=OK)),
    ],
    "behandelen:attachment": [
        Probe(
            lambda w: f"{case_url(w.ref)}bijlage/{w.attachment_id}/",
            expect(staff=NOT_FOUND, handler=OK, burgemeester=OK, secretaris=OK),
            marker=lambda w: ATTACHMENT_BYTES,
        ),
        # An attachment id that exists nowhere is "not found" for everyone, also for the handler.
        Probe(
            lambda w: f"{case_url(w.ref)}bijlage/00000000-0000-0000-0000-000000000000/",
            expect(staff=NOT_FOUND),
        ),
    ],
    # Registering a report on someone's behalf: handlers, each for their own organisation.
    "behandelen:register": [
        Probe(lambda w: "/behandelen/registreren/", expect(staff=NOT_FOUND, handler=PAGE, other_org=PAGE)),
        Probe(
            lambda w: "/behandelen/registreren/",
            expect(staff=NOT_FOUND, handler=done(200), other_org=PAGE),
            method="POST",
            data=lambda w: {
                "kind": "melding",
                "channel": "telefoon",
                "relation": "inwoner",
                "anonymous": "ja",
                "description": "Telefonisch gemeld: opmerkingen over uiterlijk.",
                "told_before": "nee",
            },
            state=lambda w, _c: Case.objects.filter(organisation=w.case.organisation).count(),
        ),
    ],
    # Notifications: each staff member sees their own, for cases they may open.
    "behandelen:notifications": [
        Probe(
            lambda w: "/behandelen/notificaties/",
            expect(staff=UNLISTED, handler=LISTED, burgemeester=LISTED, secretaris=LISTED),
        ),
        # Tried: marking the burgemeester's notification read; only she can.
        Probe(
            lambda w: "/behandelen/notificaties/",
            expect(staff=Answer(302), burgemeester=done()),
            method="POST",
            data=lambda w: {"notification": w.notification.pk},
            state=lambda w, _c: Notification.objects.get(pk=w.notification.pk).read_at,
        ),
    ],
    # The reporter's inbox: only the session opened with the receipt code.
    "melden:inbox": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/melding/",
            expect(reporter=OK, anonymous=INBOX_LOGIN, staff=INBOX_LOGIN),
            marker=lambda w: DESCRIPTION,
        ),
        # Without the reporter's session the message is kept on the code page, not sent.
        Probe(
            lambda w: "/voorbeeldstad/postvak/melding/",
            expect(reporter=done(), anonymous=PAGE, staff=PAGE),
            method="POST",
            data=lambda w: {"body": "Ik heb nog een aanvulling."},
            state=message_count,
        ),
    ],
    "melden:inbox_attachment": [
        Probe(
            lambda w: f"/voorbeeldstad/postvak/bijlage/{w.attachment_id}/",
            expect(reporter=OK, anonymous=NOT_FOUND, staff=NOT_FOUND),
            marker=lambda w: ATTACHMENT_BYTES,
        ),
    ],
    "melden:withdraw": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/intrekken/",
            expect(reporter=PAGE, anonymous=INBOX_LOGIN, staff=INBOX_LOGIN),
        ),
        Probe(
            lambda w: "/voorbeeldstad/postvak/intrekken/",
            expect(reporter=done(), anonymous=INBOX_LOGIN, staff=INBOX_LOGIN),
            method="POST",
            state=case_state,
        ),
    ],
    "melden:inbox_logout": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/sluiten/",
            expect(reporter=NOT_ALLOWED, anonymous=NOT_ALLOWED, staff=NOT_ALLOWED),
        ),
        Probe(
            lambda w: "/voorbeeldstad/postvak/sluiten/",
            expect(reporter=done(), anonymous=Answer(302), staff=Answer(302)),
            method="POST",
            state=opens("/voorbeeldstad/postvak/melding/"),
        ),
    ],
    # The proof of filing's downloads: only in the reporter's inbox session (meldpunt/bewijs/).
    "bewijs:pdf": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/bewijs/",
            expect(reporter=Answer(200), anonymous=INBOX_LOGIN, staff=INBOX_LOGIN),
            marker=lambda w: b"%PDF",
        ),
    ],
    "bewijs:text": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/bewijs/tekst/",
            expect(reporter=OK, anonymous=INBOX_LOGIN, staff=INBOX_LOGIN),
            marker=lambda w: f"zaak: {w.ref}",
        ),
    ],
    "bewijs:document": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/bewijs/melding/",
            expect(reporter=OK, anonymous=INBOX_LOGIN, staff=INBOX_LOGIN),
            marker=lambda w: DESCRIPTION,
        ),
    ],
    # Accounts -------------------------------------------------------------------------------------------------
    "accounts:logout": [
        Probe(
            lambda w: "/account/uitloggen/",
            expect(reporter=Answer(302), anonymous=Answer(302), staff=done()),
            method="POST",
            state=opens("/account/"),  # every staff member's own page
        ),
    ],
    # A set-up link is its own credential; an unknown one opens nothing, for anyone.
    "accounts:setup": [
        Probe(lambda w: "/account/instellen/geen-echte-link/", expect(reporter=GONE, anonymous=GONE, staff=GONE)),
        Probe(
            lambda w: "/account/instellen/geen-echte-link/",
            expect(reporter=GONE, anonymous=GONE, staff=GONE),
            method="POST",
            data=lambda w: {"code": "123456", "password1": "x" * 20, "password2": "x" * 20},
            state=lambda w, _c: list(TOTPDevice.objects.values_list("pk", "confirmed")),
        ),
    ],
    "accounts:recovery_codes": [Probe(lambda w: "/account/herstelcodes/", expect(staff=PAGE))],
    "accounts:new_recovery_codes": [
        Probe(
            lambda w: "/account/herstelcodes/nieuw/",
            expect(staff=done()),
            method="POST",
            state=lambda w, _c: sorted(StaticToken.objects.values_list("token", flat=True)),
        ),
    ],
    "accounts:account": [Probe(lambda w: "/account/", expect(staff=PAGE))],
    # Personal API tokens: everyone makes their own; revoking another's token is "not found".
    "accounts:api_token_create": [
        Probe(
            lambda w: "/account/api-tokens/nieuw/",
            expect(staff=done(201)),
            method="POST",
            data=lambda w: {"name": "matrix", "days": "30"},
            state=lambda w, _c: ApiToken.objects.count(),
        ),
    ],
    "accounts:api_token_revoke": [
        Probe(
            lambda w: f"/account/api-tokens/{burgemeester_token(w).pk}/intrekken/",
            expect(staff=NOT_FOUND, burgemeester=done()),
            method="POST",
            state=lambda w, _c: burgemeester_token(w).revoked_at is not None,
        ),
    ],
    # Without a password step just before, there is no passkey to confirm.
    "accounts:passkey_confirm": [
        Probe(lambda w: "/account/inloggen/passkey/bevestigen/", expect(reporter=LOGIN, anonymous=LOGIN, staff=LOGIN)),
    ],
    # Tried: removing the burgemeester's passkey; another's passkey does not exist for you.
    "accounts:passkey_remove": [
        Probe(
            lambda w: f"/account/passkeys/{w.passkey.pk}/verwijderen/",
            expect(staff=NOT_FOUND, burgemeester=done()),
            method="POST",
            state=lambda w, _c: WebAuthnCredential.objects.filter(pk=w.passkey.pk).exists(),
        ),
    ],
    # The library's JSON views: enrolling needs a verified staff session...
    "accounts:passkey_register_begin": [
        Probe(
            lambda w: "/account/passkeys/registreren/begin/",
            expect(reporter=FORBIDDEN, anonymous=FORBIDDEN, staff=PAGE),
            method="POST",
        ),
    ],
    "accounts:passkey_register_complete": [
        # Tried: a made-up answer without a begun registration; nothing is stored for anyone.
        Probe(
            lambda w: "/account/passkeys/registreren/klaar/",
            expect(reporter=FORBIDDEN, anonymous=FORBIDDEN, staff=Answer(400)),
            method="POST",
            data=lambda w: {"id": "bm90LWEtY3JlZGVudGlhbA", "type": "public-key", "response": {}},
            state=lambda w, _c: WebAuthnCredential.objects.count(),
        ),
    ],
    # ...and logging in with one needs the password step first.
    "accounts:passkey_login_begin": [
        Probe(
            lambda w: "/account/passkeys/inloggen/begin/",
            expect(reporter=FORBIDDEN, anonymous=FORBIDDEN, staff=FORBIDDEN),
            method="POST",
        ),
    ],
    "accounts:passkey_login_complete": [
        Probe(
            lambda w: "/account/passkeys/inloggen/klaar/",
            expect(reporter=FORBIDDEN, anonymous=FORBIDDEN, staff=FORBIDDEN),
            method="POST",
            data=lambda w: {"id": "bm90LWEtY3JlZGVudGlhbA", "type": "public-key", "response": {}},
            state=opens("/behandelen/"),
        ),
    ],
    # The installation administrator's page: no organisation's staff.
    "organisations:list": [
        Probe(lambda w: "/installatie/organisaties/", expect(staff=FORBIDDEN)),
        Probe(
            lambda w: "/installatie/organisaties/",
            expect(staff=FORBIDDEN),
            method="POST",
            data=lambda w: {
                "name": "Gemeente Nieuwstad",
                "slug": "nieuwstad",
                "integrity_office_name": "Integriteitsbureau",
                "admin_name": "Nina Nieuw",
                "admin_username": "nina.nieuw",
            },
            state=lambda w, _c: Organisation.objects.count(),
        ),
    ],
    # The functional admin's registry pages: no case content. Staff without the
    # role get 403 (the pages are not secret); another organisation's objects are
    # "not found", and the other organisation's admin sees only their own.
    "beheer:home": [Probe(lambda w: "/beheer/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY)],
    "beheer:person_new": [
        Probe(
            lambda w: "/beheer/personen/nieuw/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY
        ),
        Probe(
            lambda w: "/beheer/personen/nieuw/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: {"name": "Nieuwe Medewerker", "email": ""},
            state=voorbeeldstad_people,
        ),
    ],
    "beheer:person": [
        Probe(
            lambda w: f"/beheer/personen/{w.person('Henk Bosman').pk}/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        Probe(
            lambda w: f"/beheer/personen/{w.person('Henk Bosman').pk}/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=NOT_FOUND),
            method="POST",
            data=lambda w: {"name": "Henk Bosman", "email": "henk.nieuw@voorbeeldstad.example"},
            state=lambda w, _c: Person.objects.get(pk=w.person("Henk Bosman").pk).email,
        ),
    ],
    "beheer:person_login": [
        Probe(
            lambda w: f"/beheer/personen/{w.person('Daan Schouten').pk}/login/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        # Tried: deactivating handler Daan Schouten's login.
        Probe(
            lambda w: f"/beheer/personen/{w.person('Daan Schouten').pk}/login/",
            expect(staff=FORBIDDEN, beheerder=done(200), other_org=NOT_FOUND),
            method="POST",
            data=lambda w: {"action": "deactivate"},
            state=lambda w, _c: get_user_model().objects.get(username="behandelaar2").is_active,
        ),
    ],
    "beheer:position_new": [
        Probe(
            lambda w: "/beheer/functies/nieuw/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY
        ),
        Probe(
            lambda w: "/beheer/functies/nieuw/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: {"title": "Wethouder Klimaat", "code": "weth-klimaat", "category": "wethouder"},
            state=lambda w, _c: Position.objects.filter(organisation=w.case.organisation).count(),
        ),
    ],
    "beheer:position": [
        Probe(
            lambda w: f"/beheer/functies/{w.position('weth-sport').pk}/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        Probe(
            lambda w: f"/beheer/functies/{w.position('weth-sport').pk}/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=NOT_FOUND),
            method="POST",
            data=lambda w: {
                "title": "Wethouder Sport",
                "code": "weth-sport",
                "category": "wethouder",
                "portfolio": "Sport",
            },
            state=lambda w, _c: Position.objects.get(pk=w.position("weth-sport").pk).portfolio,
        ),
    ],
    "beheer:appointment_add": [
        Probe(
            lambda w: f"/beheer/functies/{w.position('raadslid-1').pk}/benoemen/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        Probe(
            lambda w: f"/beheer/functies/{w.position('raadslid-1').pk}/benoemen/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=NOT_FOUND),
            method="POST",
            data=lambda w: {
                "person": w.person("Gerard Wolters").pk,
                "start_date": "2010-01-01",
                "end_date": "2012-12-31",
            },
            state=lambda w, _c: Appointment.objects.filter(position=w.position("raadslid-1")).count(),
        ),
    ],
    "beheer:appointment_end": [
        Probe(
            lambda w: f"/beheer/benoemingen/{w.extra['appointment'].pk}/beeindigen/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        Probe(
            lambda w: f"/beheer/benoemingen/{w.extra['appointment'].pk}/beeindigen/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=NOT_FOUND),
            method="POST",
            data=lambda w: {"end_date": datetime.date.today().isoformat()},
            state=lambda w, _c: Appointment.objects.get(pk=w.extra["appointment"].pk).end_date,
        ),
    ],
    "beheer:import": [
        Probe(lambda w: "/beheer/import/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY),
        # Tried: importing a registry with a new wethouder; the other organisation's admin imports into their own.
        Probe(
            lambda w: "/beheer/import/",
            expect(staff=FORBIDDEN, beheerder=done(200), other_org=PAGE),
            method="POST",
            data=lambda w: {"file": w.extra["csv"]()},
            state=voorbeeldstad_people,
        ),
    ],
    "beheer:import_example": [
        Probe(
            lambda w: "/beheer/import/voorbeeld-register.csv", expect(staff=FORBIDDEN, beheerder=PAGE, other_org=PAGE)
        )
    ],
    "beheer:conflicts": [
        Probe(
            lambda w: "/beheer/conflicten/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=UNLISTED),
            marker=lambda w: "Kees Brouwer",
        ),
    ],
    "beheer:conflict_add": [
        Probe(
            lambda w: "/beheer/conflicten/nieuw/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY
        ),
        # Tried: a conflict between two Voorbeeldstad people; for the other organisation they are not in the list.
        Probe(
            lambda w: "/beheer/conflicten/nieuw/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(400)),
            method="POST",
            data=lambda w: {
                "person": w.person("Linda Smit").pk,
                "other": w.person("Thomas Visser").pk,
                "reason": "partners",
            },
            state=lambda w, _c: Conflict.objects.filter(person__organisation=w.case.organisation).count(),
        ),
    ],
    "beheer:deadlines": [
        Probe(lambda w: "/beheer/termijnen/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY),
        # Tried: a reminder 5 days before a deadline instead of 2.
        Probe(
            lambda w: "/beheer/termijnen/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: {
                "acknowledgement_days": 7,
                "feedback_months": 3,
                "reminder_days": 5,
                "meeting_days": 10,
                "count_working_days": "on",
            },
            state=lambda w, _c: type(w.case.organisation).objects.get(pk=w.case.organisation_id).reminder_days,
        ),
    ],
    "beheer:patterns": [
        Probe(lambda w: "/beheer/patroon/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY),
        # Tried: a pattern from 3 different reporters instead of 2.
        Probe(
            lambda w: "/beheer/patroon/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: {"pattern_threshold": 3},
            state=lambda w, _c: type(w.case.organisation).objects.get(pk=w.case.organisation_id).pattern_threshold,
        ),
    ],
    # Aftercare (meldpunt/nazorg/): the admin's support options and months; the handler's offer at closure;
    # the reporter's answers, only in their own inbox.
    "nazorg:settings": [
        Probe(lambda w: "/beheer/nazorg/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY),
        # Tried: asking about disadvantage 6 months after closure instead of 3.
        Probe(
            lambda w: "/beheer/nazorg/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: {"retaliation_check_months": 6},
            state=lambda w, _c: check_months(w.case.organisation),
        ),
    ],
    "nazorg:option_new": [
        Probe(
            lambda w: "/beheer/nazorg/steun/nieuw/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY),
            **REGISTRY,
        ),
        Probe(
            lambda w: "/beheer/nazorg/steun/nieuw/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: {"kind": "anders", "name": "Buddy", "contact": "Via het integriteitsbureau.", "order": 40},
            state=lambda w, _c: SupportOption.objects.filter(organisation=w.case.organisation).count(),
        ),
    ],
    "nazorg:option": [
        Probe(
            lambda w: f"/beheer/nazorg/steun/{support_option(w).pk}/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        Probe(
            lambda w: f"/beheer/nazorg/steun/{support_option(w).pk}/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=NOT_FOUND),
            method="POST",
            data=lambda w: {"kind": "vertrouwenspersoon", "name": "Vertrouwenspersoon", "contact": "K1", "order": 1},
            state=lambda w, _c: SupportOption.objects.get(pk=support_option(w).pk).contact,
        ),
    ],
    "nazorg:offer_again": [
        Probe(
            lambda w: f"{case_url(w.ref)}nazorg/aanbieden/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            state=lambda w, _c: w.case.support_offers.count(),
        ),
    ],
    "nazorg:answer_support": [
        Probe(
            lambda w: f"/voorbeeldstad/postvak/steun/{w.case.support_offers.get().public_id}/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            data=lambda w: {"geen": "ja"},
            state=lambda w, _c: w.case.support_answers.count(),
        ),
    ],
    "nazorg:disadvantage": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/benadeling/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            data=lambda w: {"zaak": str(w.case.public_id), "tekst": "Sinds mijn melding word ik buitengesloten."},
            state=lambda w, _c: Case.objects.filter(follows_from=w.case).count(),
        ),
    ],
    "nazorg:open_linked": [
        Probe(
            lambda w: f"/voorbeeldstad/postvak/gekoppeld/{follow_up_of(w).public_id}/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            state=lambda w, client: client.session.get("melder_case"),
        ),
    ],
    "beheer:conflict_remove": [
        Probe(
            lambda w: f"/beheer/conflicten/{w.conflict.pk}/verwijderen/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=NOT_FOUND),
            **REGISTRY,
        ),
        Probe(
            lambda w: f"/beheer/conflicten/{w.conflict.pk}/verwijderen/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=NOT_FOUND),
            method="POST",
            state=lambda w, _c: Conflict.objects.filter(pk=w.conflict.pk).exists(),
        ),
    ],
    "beheer:protocol": [
        Probe(lambda w: "/beheer/protocol/", expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY), **REGISTRY)
    ],
    "beheer:protocol_edit": [
        Probe(
            lambda w: "/beheer/protocol/wijzigen/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY),
            **REGISTRY,
        ),
        # Tried: Voorbeeldstad's protocol form with a note; the other organisation's admin
        # posting it changes (at most) their own protocol.
        Probe(
            lambda w: "/beheer/protocol/wijzigen/",
            expect(staff=FORBIDDEN, beheerder=done(), other_org=Answer(302)),
            method="POST",
            data=lambda w: protocol_form_data(w.case.organisation, note="Nieuwe termijn"),
            state=lambda w, _c: w.case.organisation.protocol_versions.count(),
        ),
    ],
    "beheer:protocol_version": [
        Probe(
            lambda w: "/beheer/protocol/versie/1/",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=OWN_ONLY),
            **REGISTRY,
        ),
    ],
    "beheer:protocol_preview": [
        # Tried: "who would be told about a report on Henk Bosman"; for the other organisation he does not exist.
        Probe(
            lambda w: f"/beheer/protocol/wat-als/?persoon={w.person('Henk Bosman').pk}",
            expect(staff=FORBIDDEN, beheerder=OK, other_org=Answer(400, shows=False)),
            marker=lambda w: "Henk Bosman",
        ),
    ],
}

# The auditor's pages (meldpunt/audit/views.py): the auditor only, never any report content (the
# trail shows the case numbers, not the description); everyone else 403, as on the registry pages.
MATRIX |= {
    "audit:trail": [
        Probe(lambda w: "/audit/", expect(staff=FORBIDDEN, auditor=OK)),
        Probe(lambda w: "/audit/", expect(staff=FORBIDDEN, auditor=UNLISTED), marker=lambda w: DESCRIPTION),
    ],
    "audit:trail_csv": [
        Probe(lambda w: "/audit/auditlogboek.csv", expect(staff=FORBIDDEN, auditor=OK)),
        Probe(
            lambda w: "/audit/auditlogboek.csv", expect(staff=FORBIDDEN, auditor=UNLISTED), marker=lambda w: DESCRIPTION
        ),
    ],
    "audit:checkpoints": [Probe(lambda w: "/audit/controlepunten/", expect(staff=FORBIDDEN, auditor=PAGE))],
    "audit:checkpoint_make": [
        Probe(
            lambda w: "/audit/controlepunten/nieuw/",
            expect(staff=FORBIDDEN, auditor=done()),
            method="POST",
            state=lambda w, _c: AuditCheckpoint.objects.count(),
        ),
    ],
    "audit:checkpoint_file": [
        Probe(
            lambda w: f"/audit/controlepunten/{w.extra['checkpoint'].pk}/bestand/",
            expect(staff=FORBIDDEN, auditor=PAGE),
        ),
    ],
}


def minutes_in(w):
    """Minutes of a phone call in the world's case (made on first use within the probe's savepoint)."""
    from django.utils import timezone

    from meldpunt.verslagen import actions as minutes_actions
    from meldpunt.verslagen.models import Minutes

    found = Minutes.objects.filter(case=w.case).first()
    if found is None:
        given = minutes_actions.MinutesInput(
            occasion="melding",
            channel="telefoon",
            held_on=timezone.localdate(),
            text="Verslag van het telefoongesprek.",
        )
        found = minutes_actions.record_minutes(w.case, given, staff_user=None)
    return found


def minutes_versions(w, _client):
    from meldpunt.verslagen.models import MinutesVersion

    return list(MinutesVersion.objects.filter(minutes__case=w.case).values_list("number", "approved_at"))


# Minutes and meeting requests (meldpunt/verslagen/): handlers write and record approval given in person (the
# reporter of this case is anonymous, so that is refused, 400); the reporter corrects, approves and asks for a
# meeting only in their own inbox.
MATRIX |= {
    "verslagen:record_meeting": [
        Probe(
            lambda w: f"{case_url(w.ref)}verslagen/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {
                "gesprek-held_on": str(datetime.date.today()),
                "gesprek-channel": "persoonlijk",
                "gesprek-text": "Gesprek op het stadhuis.",
            },
            state=lambda w, _c: w.case.minutes.count(),
        ),
    ],
    "verslagen:write_version": [
        Probe(
            lambda w: f"{case_url(w.ref)}verslagen/{minutes_in(w).public_id}/versie/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"text": "Verslag van het telefoongesprek, verbeterd."},
            state=minutes_versions,
        ),
    ],
    "verslagen:approve_in_person": [
        Probe(
            lambda w: f"{case_url(w.ref)}verslagen/{minutes_in(w).public_id}/goedkeuring/",
            expect(staff=NOT_FOUND, handler=Answer(400)),
            method="POST",
            data=lambda w: {
                "version": minutes_in(w).versions.get().public_id,
                "day": str(datetime.date.today()),
                "given_to": "Ingrid Vos",
            },
            state=minutes_versions,
        ),
    ],
    "verslagen:propose_correction": [
        Probe(
            lambda w: f"/voorbeeldstad/postvak/verslag/{minutes_in(w).public_id}/correctie/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            data=lambda w: {"version": minutes_in(w).versions.get().public_id, "text": "Het was dinsdag."},
            state=lambda w, _c: minutes_in(w).corrections.count(),
        ),
    ],
    "verslagen:approve": [
        Probe(
            lambda w: f"/voorbeeldstad/postvak/verslag/{minutes_in(w).public_id}/goedkeuren/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            data=lambda w: {"version": minutes_in(w).versions.get().public_id},
            state=minutes_versions,
        ),
    ],
    "verslagen:request_meeting": [
        Probe(
            lambda w: "/voorbeeldstad/postvak/gesprek/",
            expect(reporter=done(), staff=INBOX_LOGIN, anonymous=INBOX_LOGIN),
            method="POST",
            data=lambda w: {"note": "Liever 's ochtends."},
            state=lambda w, _c: w.case.meeting_requests.count(),
        ),
    ],
}

# The council figures (meldpunt/cijfers/): handlers, the burgemeester, the gemeentesecretaris and the council
# (the griffier) see their own organisation's counts, never a case; everyone else "not found".
FIGURES_PAGE = dict(handler=OK, burgemeester=OK, secretaris=OK, council=OK, other_org=OWN_ONLY)
FIGURES_PDF = dict(handler=PAGE, burgemeester=PAGE, secretaris=PAGE, council=PAGE, other_org=PAGE)
MATRIX |= {
    "cijfers:page": [
        Probe(lambda w: "/cijfers/", expect(staff=NOT_FOUND, **FIGURES_PAGE), marker=lambda w: VOORBEELDSTAD),
        # No case number on it, for anyone.
        Probe(lambda w: "/cijfers/", expect(staff=NOT_FOUND, **{role: UNLISTED for role in FIGURES_PAGE})),
    ],
    "cijfers:csv": [
        Probe(lambda w: "/cijfers/cijfers.csv", expect(staff=NOT_FOUND, **FIGURES_PAGE), marker=lambda w: VOORBEELDSTAD)
    ],
    "cijfers:pdf": [Probe(lambda w: "/cijfers/cijfers.pdf", expect(staff=NOT_FOUND, **FIGURES_PDF))],
    "cijfers:yearly": [
        Probe(
            lambda w: f"/cijfers/jaarverslag/{datetime.date.today().year}.pdf", expect(staff=NOT_FOUND, **FIGURES_PDF)
        )
    ],
    # Tried: assessing the behaviour as bullying; only a handler may.
    "behandelen:assess_behaviour": [
        Probe(
            lambda w: f"{case_url(w.ref)}soort-gedrag/",
            expect(staff=NOT_FOUND, handler=done()),
            method="POST",
            data=lambda w: {"behaviour": "pesten"},
            state=lambda w, _c: Case.objects.get(pk=w.case.pk).behaviour_assessed,
        ),
    ],
}

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
