"""The auditor reads the audit trail, never a report; every read of a report,
by any role, is exactly one audit event; logins, failed logins and e-mailed
notifications are events; a case page shows who opened the case."""

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.api.tokens import create_token
from meldpunt.audit.checkpoints import verify_file
from meldpunt.audit.log import record
from meldpunt.audit.models import AuditCheckpoint, AuditEvent
from meldpunt.audit.trail import safe_cell
from meldpunt.cases.actions import FileInput
from meldpunt.demo.data import DEMO_PASSWORD
from meldpunt.registry.models import Person
from tests.conftest import verified_client
from tests.factories import report_about

DESCRIPTION = "Hij stuurde mij berichten over mijn uiterlijk, fictief Zilverreiger."
REPORTER_NAME = "Noor Fictief-Tureluur"
ATTACHMENT = b"Schermafdruk van de berichten, fictief.\n"


@pytest.fixture
def case_and_code(organisation, person):
    files = [FileInput(name="berichten.txt", content_type="text/plain", data=ATTACHMENT)]
    case, code = report_about(
        organisation, person("Henk Bosman"), description=DESCRIPTION, anonymous=False, name=REPORTER_NAME, files=files
    )
    return case, str(code)


@pytest.fixture
def auditor(organisation):
    return verified_client("auditor")


def reads(case) -> int:
    return AuditEvent.objects.filter(action="case.read", case_reference=case.reference).count()


def reporter_client(code: str) -> Client:
    client = Client()
    assert client.post("/voorbeeldstad/postvak/", {"code": code}).status_code == 302
    return client


def api_token(username: str) -> dict:
    token, plain = create_token(get_user_model().objects.get(username=username), "test", 30)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


# Every read of a report is one event --------------------------------------------------------------------


@pytest.mark.django_db
def test_every_read_of_a_report_by_any_role_is_exactly_one_event(case_and_code):
    case, code = case_and_code
    attachment = case.attachments.get().public_id
    ref = case.reference
    reporter = reporter_client(code)
    case_url, api_url, burgemeester = f"/behandelen/zaak/{ref}/", f"/api/v1/zaken/{ref}", api_token("burgemeester")
    opens = [
        ("handler, case page", lambda: verified_client("behandelaar1").get(f"/behandelen/zaak/{ref}/")),
        ("burgemeester, case page", lambda: verified_client("burgemeester").get(f"/behandelen/zaak/{ref}/")),
        ("secretaris, case page", lambda: verified_client("secretaris").get(f"/behandelen/zaak/{ref}/")),
        ("handler, attachment", lambda: verified_client("behandelaar1").get(f"{case_url}bijlage/{attachment}/")),
        ("handler, case log", lambda: verified_client("behandelaar1").get(f"/behandelen/zaak/{ref}/logboek/")),
        ("handler, API", lambda: Client().get(f"/api/v1/zaken/{ref}", **api_token("behandelaar1"))),
        ("burgemeester, API attachment", lambda: Client().get(f"{api_url}/bijlagen/{attachment}", **burgemeester)),
        ("reporter, inbox", lambda: reporter.get("/voorbeeldstad/postvak/melding/")),
        ("reporter, attachment", lambda: reporter.get(f"/voorbeeldstad/postvak/bijlage/{attachment}/")),
    ]  # fmt: skip
    for what, open_it in opens:
        before = reads(case)
        response = open_it()
        assert response.status_code == 200, what
        assert reads(case) == before + 1, f"{what}: {reads(case) - before} read events"


@pytest.mark.django_db
def test_a_refused_read_leaves_no_read_event(case_and_code):
    # Tried: the accused wethouder and the auditor opening the case page.
    case, _code = case_and_code
    for username in ("wethouder", "auditor"):
        assert verified_client(username).get(f"/behandelen/zaak/{case.reference}/").status_code == 404
    assert reads(case) == 0


# The auditor ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_auditor_gets_not_found_on_every_case_url(case_and_code, auditor):
    case, _code = case_and_code
    ref = case.reference
    attachment = case.attachments.get().public_id
    link = case.subjects.get().public_id
    for url in (
        f"/behandelen/zaak/{ref}/",
        f"/behandelen/zaak/{ref}/logboek/",
        f"/behandelen/zaak/{ref}/bijlage/{attachment}/",
        f"/behandelen/zaak/{ref}/over/{link}/",
    ):
        assert auditor.get(url).status_code == 404, url
    token = api_token("auditor")
    for url in (f"/api/v1/zaken/{ref}", f"/api/v1/zaken/{ref}/berichten", f"/api/v1/zaken/{ref}/bijlagen/{attachment}"):
        assert Client().get(url, **token).status_code == 404, url
    assert Client().get("/api/v1/zaken", **token).json() == []
    assert ref.encode() not in auditor.get("/behandelen/").content


@pytest.mark.django_db
def test_the_auditor_reads_the_trail_in_plain_words_without_content(case_and_code, auditor):
    case, code = case_and_code
    verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/")
    reporter_client(code).get("/voorbeeldstad/postvak/melding/")
    response = auditor.get("/audit/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Zaak geopend door Ingrid Vos" in page
    assert "Melding gelezen door de melder in het postvak" in page
    assert case.reference in page
    for secret in (DESCRIPTION, "Zilverreiger", REPORTER_NAME, "berichten.txt"):
        assert secret not in page
    # Reading the trail is itself an event.
    assert AuditEvent.objects.filter(action="audit.read", actor="staff:auditor").count() == 1


@pytest.mark.django_db
def test_the_auditor_filters_by_case_staff_member_action_and_period(organisation, person, auditor):
    first, _ = report_about(organisation, person("Henk Bosman"))
    second, _ = report_about(organisation, person("Pieter de Groot"))
    verified_client("behandelaar1").get(f"/behandelen/zaak/{first.reference}/")
    verified_client("behandelaar2").get(f"/behandelen/zaak/{second.reference}/")

    def shown(**filters) -> str:
        response = auditor.get("/audit/", filters)
        assert response.status_code == 200, response.content
        return response.content.decode()

    by_case = shown(zaak=second.reference)
    assert second.reference in by_case and first.reference not in by_case
    by_staff = shown(medewerker="staff:behandelaar2")
    assert "Zaak geopend door Daan Schouten" in by_staff and "Ingrid Vos" not in by_staff.split("<table", 1)[1]
    by_action = shown(handeling="inzage")
    assert "Zaak geopend door" in by_action and "ontvangen via" not in by_action
    # The period is in local (Amsterdam) days: just before midnight UTC it is already tomorrow here.
    today = timezone.localdate(first.received_at).isoformat()
    assert first.reference in shown(van=today, tot=today)
    assert "Geen gebeurtenissen" in shown(van="2001-01-01", tot="2001-12-31")


@pytest.mark.django_db
def test_the_period_filter_counts_in_local_days_not_utc_days(organisation, person, auditor):
    # 22:30 UTC on 30 June is 00:30 on 1 July in the Netherlands: the event belongs to 1 July.
    with time_machine.travel(datetime.datetime(2026, 6, 30, 22, 30, tzinfo=datetime.UTC), tick=True):
        case, _ = report_about(organisation, person("Henk Bosman"))
    on_first_of_july = auditor.get("/audit/", {"zaak": case.reference, "van": "2026-07-01", "tot": "2026-07-01"})
    on_thirtieth_of_june = auditor.get("/audit/", {"zaak": case.reference, "van": "2026-06-30", "tot": "2026-06-30"})
    assert "Geen gebeurtenissen" not in on_first_of_july.content.decode()
    assert "Geen gebeurtenissen" in on_thirtieth_of_june.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filters, message",
    [
        ({"zaak": "' OR 1=1 --"}, "Een zaaknummer bestaat uit cijfers en streepjes"),
        ({"van": "31-31-2026"}, "Voer een geldige datum in"),
        ({"van": "2026-06-01", "tot": "2026-05-01"}, "Deze datum ligt vóór de begindatum"),
        ({"medewerker": "staff:iemand-anders"}, "Selecteer een geldige keuze"),
    ],
)
def test_bad_filters_are_explained_and_kept(organisation, auditor, filters, message):
    # Tried: SQL in the case number, an impossible date, a period that ends before it starts, a made-up staff member.
    response = auditor.get("/audit/", filters)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    for value in filters.values():
        if value.startswith("staff:"):
            continue
        assert f'value="{value}"' in page.replace("&#x27;", "'"), value


@pytest.mark.django_db
def test_the_trail_is_paged(organisation, auditor):
    for number in range(120):
        record("case.read", actor="staff:behandelaar1", organisation=organisation, what="case", n=number)
    first = auditor.get("/audit/").content.decode()
    assert "pagina 1 van 3" in first and 'rel="next"' in first
    third = auditor.get("/audit/", {"pagina": 3}).content.decode()
    assert "pagina 3 van 3" in third and 'rel="prev"' in third
    assert auditor.get("/audit/", {"pagina": "veel"}).status_code == 200  # a bad page number shows the first


@pytest.mark.django_db
def test_the_csv_download_is_the_filtered_trail_without_content(case_and_code, auditor):
    case, _code = case_and_code
    verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/")
    response = auditor.get("/audit/auditlogboek.csv", {"zaak": case.reference})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0] == ["Tijdstip", "Volgnummer", "Zaak", "Door", "Account", "Handeling", "Omschrijving"]
    assert {line[2] for line in lines[1:]} == {case.reference}
    assert ["Ingrid Vos", "staff:behandelaar1", "case.read", "Zaak geopend door Ingrid Vos"] in [
        line[3:] for line in lines[1:]
    ]
    for secret in (DESCRIPTION, REPORTER_NAME, "berichten.txt"):
        assert secret not in text
    assert AuditEvent.objects.filter(action="audit.exported", detail__filters__zaak=case.reference).count() == 1


@pytest.mark.django_db
def test_csv_cells_cannot_become_formulas(organisation, person, auditor):
    # Tried: a registry person named like a spreadsheet formula, who then logs in.
    staff = Person.objects.get(organisation=organisation, name="Daan Schouten")
    staff.name = '=HYPERLINK("http://example.invalid";"klik")'
    staff.save(update_fields=["name"])
    record("account.login", actor="staff:behandelaar2", organisation=organisation, factor="totp")
    text = b"".join(auditor.get("/audit/auditlogboek.csv").streaming_content).decode("utf-8-sig")
    cells = [cell for line in csv.reader(io.StringIO(text), delimiter=";") for cell in line]
    assert '\'=HYPERLINK("http://example.invalid";"klik")' in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    for value in ("=1+1", "+31 6", "-2", "@SUM(A1)", "\tx", "gewoon"):
        assert safe_cell(value) == (value if value == "gewoon" else "'" + value)


@pytest.mark.django_db
def test_other_staff_may_not_read_the_trail(organisation):
    for username in ("behandelaar1", "beheerder", "burgemeester"):
        client = verified_client(username)
        assert client.get("/audit/").status_code == 403, username
        assert client.get("/audit/auditlogboek.csv").status_code == 403, username


@pytest.mark.django_db
def test_the_auditor_makes_a_checkpoint_and_downloads_it(case_and_code, auditor):
    response = auditor.post("/audit/controlepunten/nieuw/")
    assert response.status_code == 302
    checkpoint = AuditCheckpoint.objects.get(made_by="staff:auditor")
    page = auditor.get("/audit/controlepunten/").content.decode()
    assert "Controlepunt gemaakt over" in page and checkpoint.head_hash[:16] in page
    download = auditor.get(f"/audit/controlepunten/{checkpoint.pk}/bestand/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    data = json.loads(download.content)
    assert data["seq"] == checkpoint.seq and data["organisation"] == "voorbeeldstad" and data["public_key"]
    assert verify_file(download.content.decode()).ok
    assert AuditEvent.objects.filter(action="audit.checkpoint_made").count() == 1
    assert AuditEvent.objects.filter(action="audit.checkpoint_exported").count() == 1


@pytest.mark.django_db
def test_another_organisations_checkpoint_does_not_exist_for_the_auditor(case_and_code, auditor):
    from meldpunt.audit.checkpoints import make_checkpoint

    record("installation.test", actor="system")
    other = make_checkpoint("global")
    assert auditor.get(f"/audit/controlepunten/{other.pk}/bestand/").status_code == 404


# The case page's access history ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_case_page_shows_who_opened_the_case(case_and_code):
    case, code = case_and_code
    verified_client("burgemeester").get(f"/behandelen/zaak/{case.reference}/")
    reporter_client(code).get("/voorbeeldstad/postvak/melding/")
    page = verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/").content.decode()
    history = page.split('data-testid="access-history"', 1)[1]
    assert "Wie heeft deze zaak geopend" in history
    assert "Zaak geopend door Marieke van Dalen" in history
    assert "Zaak geopend door Ingrid Vos" in history  # this very visit
    assert "Melding gelezen door de melder in het postvak" in history


# Logins, failed logins and notifications -------------------------------------------------------------------


def _code(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username)
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


@pytest.mark.django_db
def test_a_login_and_failed_logins_are_events_without_the_address(organisation, client):
    login = "/account/inloggen/"
    client.post(login, {"username": "behandelaar1", "password": "fout-wachtwoord", "otp_token": "000000"})
    # Tried: a password typed into the username field; it is never stored.
    client.post(login, {"username": "Geheim-Wachtwoord-99", "password": "x", "otp_token": "000000"})
    ok = client.post(login, {"username": "behandelaar1", "password": DEMO_PASSWORD, "otp_token": _code("behandelaar1")})
    assert ok.status_code == 302
    failed = list(AuditEvent.objects.filter(action="account.login_failed").order_by("chain", "seq"))
    assert {(e.chain, e.detail["account"]) for e in failed} == {
        (f"org:{organisation.pk}", "staff:behandelaar1"),
        ("global", None),
    }
    login_event = AuditEvent.objects.get(action="account.login")
    assert login_event.actor == "staff:behandelaar1" and login_event.detail == {"factor": "totp"}
    stored = json.dumps([list(AuditEvent.objects.values_list("actor", "detail"))], default=str)
    assert "Geheim-Wachtwoord-99" not in stored and "127.0.0.1" not in stored


@pytest.mark.django_db(transaction=True)
def test_every_emailed_notification_is_an_event(settings, organisation, person):
    from django.core import mail

    from meldpunt.notifications.models import Notification
    from tests.test_notifications import run_worker

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case, _code = report_about(organisation, person("Henk Bosman"))
    run_worker()
    emailed = Notification.objects.filter(emailed_at__isnull=False)
    events = AuditEvent.objects.filter(action="notification.emailed")
    assert emailed.count() == events.count() == len(mail.outbox) > 0
    assert {e.detail["notification"] for e in events} == set(emailed.values_list("pk", flat=True))
    assert {e.case_reference for e in events} == {case.reference}
