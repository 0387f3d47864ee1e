"""The JSON API: what an integration gets for good and bad input (docs/api.md).

Reporter side: a report sent as multipart/form-data with the web form's fields,
the inbox opened with the receipt code. Staff side: a personal API token.
Every error is problem+json naming the field, in the caller's language.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt import throttle
from meldpunt.api import tokens
from meldpunt.api.models import ApiToken
from meldpunt.audit.models import AuditEvent
from meldpunt.cases.models import Attachment, Case, Message, State
from tests.conftest import verified_client
from tests.factories import report_about

API = "/api/v1"
ORG = f"{API}/voorbeeldstad"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def empty_rate_limits(db):
    throttle.forget()
    yield
    throttle.forget()


def report(**overrides):
    data = {
        "relation": "inwoner",
        "anonymous": "ja",
        "description": "Na mijn vraag aan de balie kreeg ik berichten op mijn telefoon.",
        "told_before": "nee",
        "wishes": ["gehoord"],
    }
    data.update(overrides)
    return data


def token_for(username: str, days: int = 30) -> str:
    _row, token = tokens.create_token(get_user_model().objects.get(username=username), "koppeling", days)
    return token


def bearer(token: str, language: str = "nl") -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": language}


def field_errors(response) -> dict:
    assert response["Content-Type"] == PROBLEM, response.content
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == response.status_code
    return {e["field"]: e["detail"] for e in body.get("errors") or []}


def open_inbox(client, code) -> str:
    response = client.post(f"{ORG}/postvak/sessies", {"code": str(code)}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["token"]


# Report submission ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_report_with_an_attachment_is_stored_and_its_receipt_code_opens_the_inbox(organisation, person):
    client = Client()
    bosman = person("Henk Bosman")
    data = report(
        **{f"persoon_{bosman.pk}": "beschuldigde", "vrij_naam_1": "Een baliemedewerker", "vrij_rol_1": "betrokkene"},
        files=[SimpleUploadedFile("bericht.pdf", PDF, content_type="application/pdf")],
    )
    response = client.post(f"{ORG}/meldingen", data)
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert case.content["description"] == data["description"]
    assert {(s.role, s.person_id) for s in case.subjects.all()} == {("beschuldigde", bosman.pk), ("betrokkene", None)}
    assert Attachment.objects.get(case=case).filename == "bericht.pdf"
    assert len(body["receipt_code"].replace(" ", "")) == 28
    assert body["deadlines"]["acknowledgement_due"]

    token = open_inbox(client, body["receipt_code"])
    inbox = client.get(f"{ORG}/postvak", **bearer(token))
    assert inbox.status_code == 200
    assert inbox.json()["description"] == data["description"]
    assert inbox.json()["state"] == case.state


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad_input", "field", "message"),
    [
        ({"description": ""}, "description", "Dit veld is verplicht."),
        ({"relation": "buurman"}, "relation", "Selecteer een geldige keuze."),
        ({"wishes": []}, "wishes", "Kies minstens één wens."),
        ({"period_start": "2999-01-01"}, "period_start", "Deze datum ligt in de toekomst."),
        ({"email": "geen-adres", "anonymous": "nee"}, "email", "Voer een geldig e-mailadres in."),
        ({"search": "Bosman"}, "search", "Zoeken kan alleen in het webformulier."),
    ],
)
def test_bad_report_input_is_refused_naming_the_field_and_nothing_is_stored(organisation, bad_input, field, message):
    response = Client().post(f"{ORG}/meldingen", report(**bad_input))
    assert response.status_code == 400
    assert message in field_errors(response)[field], f"bad input {bad_input}"
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_disguised_attachment_is_refused_as_on_the_form(organisation):
    disguised = SimpleUploadedFile("foto.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = Client().post(f"{ORG}/meldingen", report(files=[disguised]))
    assert response.status_code == 400
    assert "geen echt .png-bestand" in field_errors(response)["files"]
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_json_body_instead_of_the_form_fields_is_refused_not_a_500(organisation):
    response = Client().post(f"{ORG}/meldingen", {"description": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert "relation" in field_errors(response)


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_request_limit_is_refused_naming_the_limit_not_a_500(organisation):
    response = Client().post(f"{ORG}/meldingen", report(description="te lang " * 200))
    assert response.status_code == 400
    assert "Het formulier was te groot" in field_errors(response)[""]
    assert not Case.objects.exists()


@pytest.mark.django_db
@override_settings(REPORT_SUBMISSIONS_PER_CLIENT=2)
def test_submissions_are_rate_limited_as_on_the_web(organisation):
    client = Client()
    assert [client.post(f"{ORG}/meldingen", report()).status_code for _ in range(2)] == [201, 201]
    refused = client.post(f"{ORG}/meldingen", report())
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["type"].endswith("te-veel-verzoeken")
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_an_unknown_organisation_is_not_found(organisation):
    response = Client().post(f"{API}/nergensdorp/meldingen", report())
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", f"{API}/voor%00beeldstad/meldingen", None),  # NUL in the organisation
        ("get", f"{API}/zaken/2026-%000001", None),  # NUL in the case number
        ("get", f"{API}/zaken/{'9' * 500}", None),  # an overlong case number
        ("get", f"{API}/zaken/2026-0001'%20OR%20'1'='1", None),  # SQL in the case number
        ("post", f"{API}/voorbeeldstad'%20--/meldingen", None),  # SQL in the organisation
        ("get", f"{API}/zaken/2026-0001/bijlagen/1%20OR%201=1", None),  # SQL in the attachment id
        ("post", f"{ORG}/meldingen", {"description": "Eerst\x00dan"}),  # NUL in a text field
        ("post", f"{ORG}/postvak/sessies", {"code": "1234\x00"}),  # NUL in the receipt code
    ],
)
def test_hostile_input_is_refused_never_a_server_error(organisation, method, path, data):
    client = Client(raise_request_exception=False)
    headers = bearer(token_for("behandelaar1"))
    if path.endswith("sessies"):
        response = client.post(path, data, content_type="application/json")
    elif method == "post":
        response = client.post(path, report(**(data or {})), **headers)
    else:
        response = client.get(path, **headers)
    assert 400 <= response.status_code < 500, f"{path} {data}: {response.status_code}"
    assert response["Content-Type"] == PROBLEM
    assert not Case.objects.exists()


# The reporter's inbox --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_inbox_shows_status_deadlines_and_messages_and_takes_a_reply(organisation, person):
    case, code = report_about(organisation, person("Henk Bosman"))
    client = Client()
    token = open_inbox(client, code)
    inbox = client.get(f"{ORG}/postvak", **bearer(token)).json()
    assert inbox["deadlines"]["feedback_due"]
    assert inbox["can_write"] is True
    assert [m["author"] for m in inbox["messages"]] == ["systeem"]

    sent = client.post(f"{ORG}/postvak/berichten", {"body": "Ik heb nog een schermafbeelding."}, **bearer(token))
    assert sent.status_code == 201
    assert Message.objects.filter(case=case, author="melder").get().body == "Ik heb nog een schermafbeelding."

    empty = client.post(f"{ORG}/postvak/berichten", {"body": ""}, **bearer(token))
    assert empty.status_code == 400
    assert field_errors(empty)["body"] == "Dit veld is verplicht."


@pytest.mark.django_db
def test_withdrawing_through_the_inbox_closes_it_for_replies(organisation, person):
    case, code = report_about(organisation, person("Henk Bosman"))
    client = Client()
    token = open_inbox(client, code)
    assert client.post(f"{ORG}/postvak/intrekken", **bearer(token)).status_code == 200
    case.refresh_from_db()
    assert case.state == State.INGETROKKEN
    again = client.post(f"{ORG}/postvak/berichten", {"body": "Toch nog iets."}, **bearer(token))
    assert again.status_code == 409
    assert again.json()["detail"].startswith("Deze melding is afgesloten of ingetrokken")


@pytest.mark.django_db
def test_a_wrong_receipt_code_opens_nothing(organisation, person):
    report_about(organisation, person("Henk Bosman"))
    client = Client()
    wrong = client.post(f"{ORG}/postvak/sessies", {"code": "1" * 28}, content_type="application/json")
    assert wrong.status_code == 400
    assert field_errors(wrong)["code"].startswith("Met deze code kunnen wij geen melding openen")
    malformed = client.post(f"{ORG}/postvak/sessies", {"kode": "1"}, content_type="application/json")
    assert malformed.status_code == 400
    assert field_errors(malformed)["code"] == "Dit veld is verplicht."
    assert client.get(f"{ORG}/postvak", **bearer("a" * 32)).status_code == 401


@pytest.mark.django_db
@override_settings(RECEIPT_ATTEMPTS_PER_CLIENT=2)
def test_receipt_code_attempts_are_limited_as_on_the_inbox_page(organisation):
    client = Client()
    statuses = [
        client.post(f"{ORG}/postvak/sessies", {"code": "2" * 28}, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert statuses == [400, 400, 429]


@pytest.mark.django_db
def test_a_closed_inbox_session_opens_nothing(organisation, person):
    _case, code = report_about(organisation, person("Henk Bosman"))
    client = Client()
    token = open_inbox(client, code)
    assert client.delete(f"{ORG}/postvak/sessie", **bearer(token)).status_code == 200
    assert client.get(f"{ORG}/postvak", **bearer(token)).status_code == 401


# Staff tokens ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_token_lifecycle_on_the_account_page(organisation):
    client = verified_client("behandelaar1")
    page = client.get("/account/")
    assert "API-tokens" in page.content.decode()
    created = client.post("/account/api-tokens/nieuw/", {"name": "zaaksysteem", "days": "30"})
    assert created.status_code == 201
    token = created.context["token"]
    row = ApiToken.objects.get()
    assert row.token_hash != token and token not in row.token_hash  # stored hashed
    assert token.startswith(row.prefix)
    assert AuditEvent.objects.filter(action="account.api_token_created", actor="staff:behandelaar1").exists()
    # Shown once: the account page lists it by its first characters only.
    assert token not in client.get("/account/").content.decode()

    assert Client().get(f"{API}/zaken", **bearer(token)).status_code == 200
    client.post(f"/account/api-tokens/{row.pk}/intrekken/")
    assert AuditEvent.objects.filter(action="account.api_token_revoked").exists()
    revoked = Client().get(f"{API}/zaken", **bearer(token))
    assert revoked.status_code == 401
    assert revoked["Content-Type"] == PROBLEM
    assert revoked["WWW-Authenticate"] == "Bearer"


@pytest.mark.django_db
def test_a_token_form_without_a_name_is_refused_and_makes_nothing(organisation):
    response = verified_client("behandelaar1").post("/account/api-tokens/nieuw/", {"name": "", "days": "30"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_someone_elses_token_cannot_be_revoked(organisation):
    token_for("behandelaar1")
    row = ApiToken.objects.get()
    assert verified_client("burgemeester").post(f"/account/api-tokens/{row.pk}/intrekken/").status_code == 404
    assert ApiToken.objects.get().revoked_at is None


@pytest.mark.django_db
def test_an_expired_token_opens_nothing(organisation):
    token = token_for("behandelaar1", days=7)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert Client().get(f"{API}/zaken", **bearer(token)).status_code == 401


@pytest.mark.django_db
def test_an_account_without_a_second_factor_gets_no_token_and_loses_its_tokens(organisation):
    user = get_user_model().objects.get(username="behandelaar1")
    token = token_for("behandelaar1")
    TOTPDevice.objects.filter(user=user).delete()
    with pytest.raises(tokens.NoSecondFactor):
        tokens.create_token(user, "zonder tweede factor", 30)
    assert Client().get(f"{API}/zaken", **bearer(token)).status_code == 401


@pytest.mark.django_db
def test_a_deactivated_login_loses_its_tokens(organisation):
    token = token_for("behandelaar1")
    get_user_model().objects.filter(username="behandelaar1").update(is_active=False)
    assert Client().get(f"{API}/zaken", **bearer(token)).status_code == 401


# Staff endpoints and access -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_handler_reads_a_case_its_messages_and_writes_to_the_reporter(organisation, person):
    case, code = report_about(organisation, person("Henk Bosman"))
    token = token_for("behandelaar1")
    client = Client()
    listed = client.get(f"{API}/zaken", **bearer(token)).json()
    assert [c["reference"] for c in listed] == [case.reference]
    detail = client.get(f"{API}/zaken/{case.reference}", **bearer(token)).json()
    assert detail["content"]["description"] == case.content["description"]
    assert [s["name"] for s in detail["subjects"]] == ["Henk Bosman"]
    assert AuditEvent.objects.filter(action="case.read", actor="staff:behandelaar1").exists()

    sent = client.post(f"{API}/zaken/{case.reference}/berichten", {"body": "Wilt u mij bellen?"}, **bearer(token))
    assert sent.status_code == 201
    messages = client.get(f"{API}/zaken/{case.reference}/berichten", **bearer(token)).json()
    assert messages[-1]["body"] == "Wilt u mij bellen?"
    # The reporter reads it in the inbox.
    reporter = Client()
    inbox = reporter.get(f"{ORG}/postvak", **bearer(open_inbox(reporter, code))).json()
    assert inbox["messages"][-1]["body"] == "Wilt u mij bellen?"


@pytest.mark.django_db
def test_a_case_you_may_not_see_is_not_found_exactly_like_one_that_does_not_exist(organisation, person):
    case, _code = report_about(organisation, person("Henk Bosman"))
    accused = Client()
    token = token_for("wethouder")  # Henk Bosman himself
    hidden = accused.get(f"{API}/zaken/{case.reference}", **bearer(token))
    missing = accused.get(f"{API}/zaken/2099-9999", **bearer(token))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert hidden["Content-Type"] == PROBLEM
    assert accused.get(f"{API}/zaken", **bearer(token)).json() == []
    write = accused.post(f"{API}/zaken/{case.reference}/berichten", {"body": "Ik was het niet."}, **bearer(token))
    assert write.status_code == 404
    assert not Message.objects.filter(author="behandelaar").exists()


@pytest.mark.django_db
def test_a_protocol_recipient_reads_but_cannot_write(organisation, person):
    case, _code = report_about(organisation, person("Henk Bosman"))
    token = token_for("burgemeester")
    assert Client().get(f"{API}/zaken/{case.reference}", **bearer(token)).status_code == 200
    write = Client().post(f"{API}/zaken/{case.reference}/berichten", {"body": "Graag meer."}, **bearer(token))
    assert write.status_code == 404


@pytest.mark.django_db
def test_a_handler_takes_lifecycle_steps_with_the_same_rules_as_the_case_page(organisation, person):
    case, _code = report_about(organisation, person("Henk Bosman"))
    token = token_for("behandelaar1")
    client = Client()
    url = f"{API}/zaken/{case.reference}/stappen"
    offered = client.get(f"{API}/zaken/{case.reference}", **bearer(token)).json()["next_steps"]
    assert "beoordelen" in [step["name"] for step in offered]

    taken = client.post(url, {"step": "beoordelen"}, content_type="application/json", **bearer(token))
    assert taken.status_code == 200, taken.content
    assert taken.json()["state"] == State.BEOORDELING
    case.refresh_from_db()
    assert case.state == State.BEOORDELING
    assert AuditEvent.objects.filter(action="case.state_changed", actor="staff:behandelaar1").exists()

    # Tried: deciding without a reason; the step needs one, nothing changes.
    no_reason = client.post(url, {"step": "besluiten"}, content_type="application/json", **bearer(token))
    assert no_reason.status_code == 400
    assert field_errors(no_reason)["reason"].startswith("Schrijf de reden op")
    # Tried: a step that does not exist from this state.
    impossible = client.post(
        url, {"step": "heropenen", "reason": "x"}, content_type="application/json", **bearer(token)
    )
    assert impossible.status_code == 409
    assert field_errors(impossible)["step"] == "Deze stap is vanuit de huidige status niet mogelijk."
    case.refresh_from_db()
    assert case.state == State.BEOORDELING


@pytest.mark.django_db
def test_only_handlers_take_steps_others_get_not_found(organisation, person):
    case, _code = report_about(organisation, person("Henk Bosman"))
    url = f"{API}/zaken/{case.reference}/stappen"
    for username in ("burgemeester", "wethouder"):
        response = Client().post(url, {"step": "beoordelen"}, "application/json", **bearer(token_for(username)))
        assert response.status_code == 404, username
        assert (
            Client().get(f"{API}/zaken/{case.reference}", **bearer(token_for("burgemeester"))).json()["next_steps"]
            == []
        )
    case.refresh_from_db()
    assert case.state != State.BEOORDELING


@pytest.mark.django_db
def test_notifications_are_those_of_the_tokens_owner(organisation, person):
    case, _code = report_about(organisation, person("Henk Bosman"))
    listed = Client().get(f"{API}/notificaties", **bearer(token_for("behandelaar1"))).json()
    assert listed and {n["case"] for n in listed} == {case.reference}
    assert Client().get(f"{API}/notificaties", **bearer(token_for("wethouder"))).json() == []


@pytest.mark.django_db
def test_without_a_token_the_staff_endpoints_say_not_logged_in(organisation):
    response = Client().get(f"{API}/zaken")
    assert response.status_code == 401
    assert response.json()["type"].endswith("niet-ingelogd")


@pytest.mark.django_db
def test_a_staff_browser_session_opens_nothing_in_the_api(organisation, person):
    """No cookie authority, so a cross-site request from a logged-in browser can do nothing."""
    case, _code = report_about(organisation, person("Henk Bosman"))
    browser = verified_client("behandelaar1")
    assert browser.get(f"{API}/zaken/{case.reference}").status_code == 401
    assert browser.post(f"{API}/zaken/{case.reference}/berichten", {"body": "Vervalst."}).status_code == 401
    assert not Message.objects.filter(author="behandelaar").exists()


# Language of errors ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_errors_are_in_english_when_asked_and_dutch_by_default(organisation):
    dutch = Client().post(f"{ORG}/meldingen", report(description=""))
    english = Client().post(f"{ORG}/meldingen", report(description=""), HTTP_ACCEPT_LANGUAGE="en")
    assert field_errors(dutch)["description"] == "Dit veld is verplicht."
    assert field_errors(english)["description"] == "This field is required."
    assert english.json()["title"] == "The input is not in order"
    assert english["Content-Language"] == "en"
    wishes = field_errors(Client().post(f"{ORG}/meldingen", report(wishes=[]), HTTP_ACCEPT_LANGUAGE="en"))
    assert wishes["wishes"] == "Choose at least one wish. You can change your mind later."


# Schema and reference page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_and_the_reference_page_are_served_by_meldpunt(organisation):
    schema = Client().get(f"{API}/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    submit = schema["paths"]["/api/v1/{org}/meldingen"]["post"]
    fields = submit["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"relation", "description", "wishes", "files"} <= set(fields["properties"])
    assert PROBLEM in submit["responses"]["400"]["content"]
    page = Client().get("/api/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/api/v1/{org}/meldingen" in html and 'id="probleem-niet-gevonden"' in html
    assert "<script" not in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
