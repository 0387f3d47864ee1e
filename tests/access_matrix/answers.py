"""The access matrix's vocabulary: the roles, the answers a role can get, the
world the probes point at, and the helpers the tables share."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.test import Client
from django_otp_webauthn.models import WebAuthnCredential

from meldpunt.api.models import ApiToken
from meldpunt.api.tokens import create_token
from meldpunt.cases.models import Case
from meldpunt.nazorg.models import SupportOption
from meldpunt.notifications.models import Notification
from meldpunt.registry.models import Conflict, Person, Position
from tests.factories import report_about

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
