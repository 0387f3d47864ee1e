"""Hostile and awkward input through the public forms: it never breaks a page
(no HTTP 500), never leaks a hint, and never loses a word. One table per class
of input; each row says what was tried (docs/security.md, "Input rules")."""

import html
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from meldpunt.cases.models import Case, SubjectLink
from meldpunt.registry.models import Appointment, Conflict, Position
from tests.conftest import verified_client
from tests.factories import report_about
from tests.test_report_form import URL, valid

# 1. Ids ------------------------------------------------------------------------------------------------

# Everything here is "not an id": what a browser never sends, what int() or
# str.isdigit() would accept although it is not a plain number, and numbers
# the database cannot hold.
BAD_IDS = [
    pytest.param("99999999999999999999999", id="past-64-bits"),
    pytest.param("9223372036854775808", id="2-to-the-63"),
    pytest.param("18446744073709551616", id="2-to-the-64"),
    pytest.param("²", id="superscript-two"),
    pytest.param("١", id="arabic-indic-one"),
    pytest.param("１", id="fullwidth-one"),
    pytest.param("-1", id="negative"),
    pytest.param("+1", id="plus-sign"),
    pytest.param(" 1", id="leading-space"),
    pytest.param("1\n", id="trailing-newline"),
    pytest.param("0", id="zero"),
    pytest.param("1e3", id="exponent"),
    pytest.param("1.0", id="decimal"),
    pytest.param("0x1", id="hex"),
    pytest.param("1_000", id="underscore"),
    pytest.param("abc", id="text"),
    pytest.param("1\x00", id="nul"),
]
NOT_IN_REGISTRY = "staat niet (meer) in het register"


@pytest.fixture
def admin(organisation):
    return verified_client("beheerder")


def urlencoded(http, url, data):
    """POST as a browser sends a form without files; names may then hold any character (a multipart
    header would lose a newline in a field name)."""
    return http.post(url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")


def staff_report(**overrides):
    return valid(kind="melding", channel="telefoon", **overrides)


@pytest.mark.django_db
@pytest.mark.parametrize("raw", BAD_IDS)
def test_a_malformed_person_id_in_the_report_forms_is_no_such_person(client, handler_client, organisation, raw):
    for http, url, data in [
        (client, URL, valid(**{f"persoon_{raw}": "beschuldigde"})),
        (handler_client, reverse("behandelen:register"), staff_report(**{f"persoon_{raw}": "beschuldigde"})),
    ]:
        response = urlencoded(http, url, data)
        assert response.status_code == 400, (url, raw)
        assert NOT_IN_REGISTRY in response.content.decode()
        # Everything typed is still there.
        assert "Na mijn inspraak bij de raadsvergadering" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("raw", BAD_IDS)
def test_a_malformed_person_id_survives_the_registry_search_round_trip(client, handler_client, organisation, raw):
    for http, url, data in [
        (client, URL, valid(action="zoek", search="Bosman", **{f"persoon_{raw}": "beschuldigde"})),
        (handler_client, reverse("behandelen:register"), staff_report(action="zoek", search="Bosman")),
    ]:
        data[f"persoon_{raw}"] = "beschuldigde"
        response = urlencoded(http, url, data)
        assert response.status_code == 200, (url, raw)
        page = response.content.decode()
        assert "Henk Bosman" in page and "Na mijn inspraak bij de raadsvergadering" in page
    assert not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("raw", BAD_IDS)
def test_a_malformed_person_id_is_refused_when_a_handler_names_someone_in_a_case(
    handler_client, organisation, person, raw
):
    case, _code = report_about(organisation, person("Pieter de Groot"))
    url = reverse("behandelen:add_subject", args=[case.reference])
    response = handler_client.post(url, {"person": raw, "role": "betrokkene"}, follow=True)
    assert response.status_code == 200
    assert "staat niet in het register van deze organisatie" in response.content.decode()
    assert case.subjects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("raw", BAD_IDS)
def test_a_malformed_id_in_the_registry_forms_is_the_forms_own_message(admin, organisation, raw):
    sport = Position.objects.get(organisation=organisation, code="weth-sport")
    attempts = [
        (reverse("beheer:appointment_add", args=[sport.pk]), {"person": raw, "start_date": "2025-01-01"}),
        (
            reverse("beheer:position_new"),
            {"title": "Wethouder Klimaat", "code": "weth-klimaat", "category": "wethouder", "reports_to": raw},
        ),
        (
            reverse("beheer:position_new"),
            {"title": "Wethouder Klimaat", "code": "weth-klimaat", "category": "wethouder", "deputy": raw},
        ),
        (reverse("beheer:conflict_add"), {"person": raw, "other": raw, "reason": "familie"}),
    ]
    for url, data in attempts:
        response = admin.post(url, data)
        assert response.status_code == 400, (url, raw)
    assert "Kies een persoon uit het register van uw organisatie." in response.content.decode()
    response = admin.get(reverse("beheer:protocol_preview"), {"persoon": raw})
    assert response.status_code == 400
    assert "Deze persoon staat niet in het register." in response.content.decode()
    assert not Position.objects.filter(code="weth-klimaat").exists()
    assert not Appointment.objects.filter(position=sport, start_date="2025-01-01").exists()
    assert not Conflict.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("raw", BAD_IDS)
def test_a_malformed_version_number_in_the_protocol_editor_is_no_error(admin, organisation, raw):
    from tests.test_protocol_editor import form_data

    response = admin.post(reverse("beheer:protocol_edit"), form_data(organisation, based_on=raw, note="x"))
    assert response.status_code in (302, 400, 409)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/beheer/personen/{n}/",
        "/beheer/functies/{n}/",
        "/beheer/functies/{n}/benoemen/",
        "/beheer/benoemingen/{n}/beeindigen/",
        "/beheer/conflicten/{n}/verwijderen/",
        "/beheer/protocol/versie/{n}/",
    ],
)
@pytest.mark.parametrize("number", ["99999999999999999999999", "9223372036854775808", "0", "%C2%B2", "%D9%A1"])
def test_an_id_in_a_url_that_is_not_a_valid_id_is_not_found(admin, organisation, path, number):
    assert admin.get(path.format(n=number)).status_code == 404
    assert admin.post(path.format(n=number), {"end_date": "2025-01-01"}).status_code == 404


@pytest.mark.django_db
def test_a_valid_person_id_still_names_the_person(client, organisation, person):
    bosman = person("Henk Bosman")
    assert client.post(URL, valid(**{f"persoon_{bosman.pk}": "beschuldigde"})).status_code == 302  # to the receipt
    assert SubjectLink.objects.get().person == bosman


# 2. Control characters -----------------------------------------------------------------------------

# What a single-line field refuses: each row is one invisible character inside a name.
SINGLE_LINE_REFUSED = [
    pytest.param("Am\x00ira", id="nul"),
    pytest.param("Am\rira", id="carriage-return"),
    pytest.param("Am\nira", id="line-feed"),
    pytest.param("Am\r\nira", id="crlf"),
    pytest.param("Am\tira", id="tab"),
    pytest.param("Am\x1b[31mira", id="escape"),
    pytest.param("Am\x7fira", id="delete"),
    pytest.param("Am\x85ira", id="c1-next-line"),
    pytest.param("Am\u2028ira", id="line-separator"),
    pytest.param("\u202eariмA", id="right-to-left-override"),
    pytest.param("Am\u202dira", id="left-to-right-override"),
    pytest.param("Am\u202bira\u202c", id="rtl-embedding"),
    pytest.param("Am\u2067ira\u2069", id="rtl-isolate"),
    pytest.param("Am\u2066ira", id="ltr-isolate"),
    pytest.param("Am\u2068ira", id="first-strong-isolate"),
]
INVISIBLE = "Hier staat een onzichtbaar teken dat in dit veld niet kan"


def report_fields_with(value):
    """Every single-line field of the report form, one at a time, holding ``value``."""
    return [
        {"anonymous": "nee", "name": value},
        {"anonymous": "nee", "phone": value},
        {"anonymous": "nee", "email": f"a{value}@example.org"},
        {"vrij_naam_1": value},
        {"vrij_naam_1": "Man met pet", "vrij_functie_1": value},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("value", SINGLE_LINE_REFUSED)
def test_single_line_fields_of_the_report_forms_refuse_control_and_bidi_characters(
    client, handler_client, organisation, value
):
    for fields in report_fields_with(value):
        for http, url, data in [
            (client, URL, valid(**fields)),
            (handler_client, reverse("behandelen:register"), staff_report(**fields)),
        ]:
            response = urlencoded(http, url, data)
            assert response.status_code == 400, (url, fields)
            page = response.content.decode()
            # The e-mail field has its own, stricter rule; everything else says what is wrong.
            assert INVISIBLE in page or "e-mailadres" in page, fields
            assert "Na mijn inspraak bij de raadsvergadering" in page
    assert not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", SINGLE_LINE_REFUSED)
def test_single_line_fields_of_the_staff_pages_refuse_control_and_bidi_characters(admin, organisation, value):
    from tests.test_protocol_editor import form_data

    attempts = [
        (reverse("beheer:person_new"), {"name": value, "email": ""}),
        (reverse("beheer:position_new"), {"title": value, "code": "weth-klimaat", "category": "wethouder"}),
        (
            reverse("beheer:position_new"),
            {"title": "Wethouder", "code": "weth-klimaat", "category": "wethouder", "portfolio": value},
        ),
        (reverse("beheer:position_new"), {"title": "Wethouder", "code": f"w{value}", "category": "wethouder"}),
        (reverse("beheer:protocol_edit"), form_data(organisation, note=value)),
    ]
    for url, data in attempts:
        response = urlencoded(admin, url, data)
        assert response.status_code == 400, (url, data)
        assert INVISIBLE in response.content.decode(), (url, data)
    assert not Position.objects.filter(code__startswith="w").exclude(code__startswith="weth-").exists()
    assert not Position.objects.filter(code="weth-klimaat").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", SINGLE_LINE_REFUSED)
def test_the_login_username_refuses_control_characters_without_a_hint(client, organisation, value):
    response = client.post(
        reverse("accounts:login"), {"username": f"behandelaar1{value}", "password": "x", "otp_token": "123456"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Amira\n", id="trailing-line-break-is-stripped"),
        pytest.param("عمر الفاروق", id="arabic"),
        pytest.param("שרה כהן", id="hebrew"),
        pytest.param("Zoë O'Brien-ʻAkau", id="diacritics"),
        pytest.param("Łukasz Żółć 👩🏽‍⚕️", id="emoji-with-joiner"),
    ],
)
def test_ordinary_names_in_any_script_are_kept(client, organisation, name):
    response = urlencoded(client, URL, valid(anonymous="nee", name=name))
    assert response.status_code == 302  # stored, on to the receipt
    assert Case.objects.get().content["name"] == name.strip()


MULTI_LINE_REFUSED = [
    pytest.param("regel\x00", id="nul"),
    pytest.param("regel\x1b[2J", id="escape"),
    pytest.param("regel\x0b", id="vertical-tab"),
    pytest.param("regel\x0c", id="form-feed"),
    pytest.param("regel\x08", id="backspace"),
    pytest.param("regel\x7f", id="delete"),
    pytest.param("regel\x9b", id="c1-control"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("value", MULTI_LINE_REFUSED)
def test_multi_line_fields_refuse_control_characters_but_keep_the_text(client, organisation, person, value):
    for fields in [
        {"description": f"Eerste {value} tweede"},
        {"told_before": "ja", "told_before_details": f"Aan {value} X"},
    ]:
        response = urlencoded(client, URL, valid(**fields))
        assert response.status_code == 400, fields
        assert "onzichtbaar stuurteken" in response.content.decode()
    assert not Case.objects.exists()
    case, code = report_about(organisation, person("Henk Bosman"))
    from tests.test_inbox import INBOX, open_inbox

    inbox = open_inbox(code)
    response = urlencoded(inbox, INBOX, {"body": f"Aanvulling {value} hier"})
    assert response.status_code == 400
    assert "Aanvulling" in response.content.decode()
    assert case.messages.count() == 1  # only the acknowledgement


@pytest.mark.django_db
def test_multi_line_fields_keep_line_breaks_and_tabs_as_the_server_counts_them(client, organisation):
    text = "Eerste regel\r\nTweede regel\rDerde\tkolom\n\nVierde"
    response = urlencoded(client, URL, valid(description=text, told_before="ja", told_before_details="Aan X\r\nIn mei"))
    assert response.status_code == 302  # stored, on to the receipt
    content = Case.objects.get().content
    assert content["description"] == "Eerste regel\nTweede regel\nDerde\tkolom\n\nVierde"
    assert content["told_before_details"] == "Aan X\nIn mei"


@pytest.mark.django_db
@pytest.mark.parametrize("value", SINGLE_LINE_REFUSED)
def test_a_registry_import_refuses_control_and_bidi_characters_in_any_cell(admin, organisation, value):
    from tests.test_registry_import import GOOD_ROWS, assert_refused, csv_file, registry_state, upload

    before = registry_state(organisation)
    cell = '"' + value.replace('"', '""') + '"'  # quoted, so that a line break stays inside the cell
    row = f"weth-klimaat,Wethouder Klimaat,wethouder,Klimaat,,,weth-wonen,{cell},,2025-01-01,"
    assert_refused(upload(admin, csv_file(row, *GOOD_ROWS[1:])), organisation, before, "onzichtbaar teken")


# 5. Login ----------------------------------------------------------------------------------------------

NEUTRAL_LOGIN = "Deze combinatie van gebruikersnaam, wachtwoord en code klopt niet."


def current_code(username):
    from tests.test_staff_login import current_code as code

    return code(username)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, password, token, expected",
    [
        pytest.param("", "", "", ["Vul uw gebruikersnaam in.", "Vul uw wachtwoord in."], id="all-empty"),
        pytest.param("", "x", "123456", ["Vul uw gebruikersnaam in."], id="empty-username"),
        pytest.param("behandelaar1", "", "123456", ["Vul uw wachtwoord in."], id="empty-password"),
        pytest.param("behandelaar1", "right", "", ["Vul de code uit uw authenticator-app in."], id="empty-code"),
        pytest.param("niemand", "right", "right", [NEUTRAL_LOGIN], id="unknown-username"),
        pytest.param("behandelaar1", "verkeerd", "right", [NEUTRAL_LOGIN], id="wrong-password-right-code"),
        pytest.param("behandelaar1", "right", "000000", [NEUTRAL_LOGIN], id="right-password-wrong-code"),
        pytest.param("behandelaar1", "right", "abcdef", [NEUTRAL_LOGIN], id="right-password-code-not-digits"),
        pytest.param("behandelaar1", "verkeerd", "000000", [NEUTRAL_LOGIN], id="everything-wrong"),
        pytest.param("geenfactor", "right", "123456", [NEUTRAL_LOGIN], id="account-without-second-factor"),
        pytest.param("BEHANDELAAR1", "right", "right", [NEUTRAL_LOGIN], id="username-other-case"),
    ],
)
def test_a_failed_login_says_only_what_is_empty_or_one_neutral_message(
    client, organisation, username, password, token, expected
):
    from django.contrib.auth import get_user_model

    from meldpunt import throttle
    from meldpunt.demo.data import DEMO_PASSWORD

    throttle.forget()
    if username == "geenfactor":
        get_user_model().objects.create_user("geenfactor", password=DEMO_PASSWORD)
    password = DEMO_PASSWORD if password == "right" else password
    token = current_code("behandelaar1") if token == "right" else token
    response = client.post(reverse("accounts:login"), {"username": username, "password": password, "otp_token": token})
    page = response.content.decode()
    assert response.status_code == 200
    for text in expected:
        assert text in page
    # No other message that could tell which part was right.
    for hint in ("tweede factor", "klopt niet of is verlopen", "Te veel verkeerde codes", "juiste gebruikersnaam"):
        assert hint not in page
    if NEUTRAL_LOGIN not in expected:
        assert NEUTRAL_LOGIN not in page
    assert "_auth_user_id" not in client.session
    throttle.forget()


# 3. Long text ------------------------------------------------------------------------------------------

LIMIT = 100_000
TOO_LONG = "Deze tekst is te lang: hoogstens 100.000 tekens"


def statement(length: int, unit: str = "Dit gebeurde in 2017 weer. ") -> str:
    return (unit * (length // len(unit) + 1))[:length]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text, stored_length",
    [
        pytest.param(statement(LIMIT), LIMIT, id="exactly-the-limit"),
        pytest.param("😀" * LIMIT, LIMIT, id="limit-in-4-byte-characters"),
        pytest.param("é" * LIMIT, LIMIT, id="limit-in-2-byte-characters"),
        # A browser sends each line break as CR LF; the server stores (and counts) one character.
        pytest.param(("a" * 99 + "\r\n") * 999 + "a" * 100, LIMIT, id="limit-counted-after-crlf-becomes-lf"),
        pytest.param("https://example.org/" + "x" * (LIMIT - 20), LIMIT, id="one-word-without-spaces"),
    ],
)
@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_a_statement_up_to_the_limit_is_stored_whole(client, organisation, text, stored_length, encoding):
    data = valid(description=text)
    response = client.post(URL, data) if encoding == "multipart" else urlencoded(client, URL, data)
    assert response.status_code == 302  # stored, on to the receipt
    assert len(Case.objects.get().content["description"]) == stored_length


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text, count",
    [
        pytest.param(statement(LIMIT + 1), "100.001", id="one-over"),
        pytest.param(statement(200_000), "200.000", id="a-200000-character-paste"),
        pytest.param("€" * (LIMIT + 5), "100.005", id="multi-byte-over"),
    ],
)
def test_a_longer_statement_is_refused_naming_the_limit_and_comes_back_whole(
    client, handler_client, organisation, person, text, count
):
    for http, url, data in [
        (client, URL, valid(description=text)),
        (handler_client, reverse("behandelen:register"), staff_report(description=text)),
    ]:
        response = http.post(url, data)
        page = html.unescape(response.content.decode())
        assert response.status_code == 400, url
        assert f"{TOO_LONG}, nu {count}." in page
        assert text in page  # every character is still in the field
    assert not Case.objects.exists()
    # The reporter's inbox and the handler's message box follow the same rule.
    case, code = report_about(organisation, person("Pieter de Groot"))
    from tests.test_inbox import INBOX, open_inbox

    for http, url in [(open_inbox(code), INBOX), (handler_client, reverse("behandelen:case", args=[case.reference]))]:
        response = http.post(url, {"body": text})
        assert response.status_code == 400, url
        page = html.unescape(response.content.decode())
        assert f"{TOO_LONG}, nu {count}." in page and text in page
    assert case.messages.count() == 1


@pytest.mark.django_db
def test_a_name_over_its_limit_comes_back_whole_with_a_message(client, organisation):
    name = "Pietersen-" * 30  # 300 characters
    response = client.post(URL, valid(vrij_naam_1=name))
    assert response.status_code == 400
    page = response.content.decode()
    assert "te lang (hoogstens 200 tekens)" in page
    assert f'value="{name}"' in page


@pytest.mark.django_db
def test_no_text_field_has_a_maxlength_and_the_statement_shows_its_limit(client, handler_client, admin, organisation):
    pages = [
        client.get(URL),
        handler_client.get(reverse("behandelen:register")),
        admin.get(reverse("beheer:person_new")),
        admin.get(reverse("beheer:position_new")),
        admin.get(reverse("beheer:conflict_add")),
        admin.get(reverse("beheer:protocol_edit")),
        client.get(reverse("accounts:login")),
    ]
    for response in pages:
        assert response.status_code == 200
        assert "maxlength" not in response.content.decode()
    assert "Hoogstens 100.000 tekens." in pages[0].content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "limit_setting, data, files, expected",
    [
        pytest.param(
            {"DATA_UPLOAD_MAX_MEMORY_SIZE": 50_000},
            {"description": "x" * 60_000},
            0,
            "Het formulier was te groot om in één keer te versturen: alle tekst samen mag hoogstens 48,8 KB zijn",
            id="form-fields-over-the-request-limit",
        ),
        pytest.param({}, {}, 20, "U stuurde te veel bestanden tegelijk.", id="twenty-files"),
    ],
)
def test_a_request_over_a_request_limit_says_which_limit(
    client, organisation, settings, limit_setting, data, files, expected
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.test_report_form import PDF

    for name, value in limit_setting.items():
        setattr(settings, name, value)
    client.raise_request_exception = False
    uploads = [SimpleUploadedFile(f"b{i}.pdf", PDF) for i in range(files)]
    response = client.post(URL, valid(**data, files=uploads))
    assert response.status_code == 400
    page = html.unescape(response.content.decode()).replace("\xa0", " ")
    assert expected in page
    assert "wat u typte staat daar meestal nog" in page
    assert not Case.objects.exists()


# 4. Files ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content, message",
    [
        pytest.param("leeg.pdf", b"", "Het bestand 'leeg.pdf' is leeg.", id="zero-byte-pdf"),
        pytest.param("notitie.txt", b"", "Het bestand 'notitie.txt' is leeg.", id="zero-byte-text"),
        pytest.param("zonder-soort", b"%PDF-1.4", "Het bestand 'zonder-soort' heeft een soort", id="no-extension"),
        pytest.param(".pdf", b"", "Het bestand '.pdf' is leeg.", id="only-an-extension-and-empty"),
    ],
)
def test_an_empty_or_nameless_file_is_refused_by_name_and_the_rest_is_kept(
    client, handler_client, organisation, person, name, content, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.test_report_form import PDF

    def files():
        return [SimpleUploadedFile(name, content), SimpleUploadedFile("brief.pdf", PDF)]

    for http, url, data in [
        (client, URL, valid(anonymous="nee", name="Getypte Naam", files=files())),
        (
            handler_client,
            reverse("behandelen:register"),
            staff_report(anonymous="nee", name="Getypte Naam", files=files()),
        ),
    ]:
        response = http.post(url, data)
        page = html.unescape(response.content.decode())
        assert response.status_code == 400, url
        assert message in page
        assert 'value="Getypte Naam"' in page and "Na mijn inspraak bij de raadsvergadering" in page
    assert not Case.objects.exists()
    case, code = report_about(organisation, person("Pieter de Groot"))
    from tests.test_inbox import INBOX, open_inbox

    for http, url in [(open_inbox(code), INBOX), (handler_client, reverse("behandelen:case", args=[case.reference]))]:
        response = http.post(url, {"body": "Hierbij de stukken.", "files": files()})
        page = html.unescape(response.content.decode())
        assert response.status_code == 400, url
        assert message in page and "Hierbij de stukken." in page
    assert case.messages.count() == 1 and not case.attachments.exists()


def multipart(fields: dict, files: list[tuple[str, bytes]], boundary="----MeldpuntGrens7MA4YWxk") -> tuple[bytes, str]:
    """A multipart body as a browser builds it, with file parts whose name may be empty."""
    body = b""
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            body += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{item}\r\n'.encode()
    for filename, content in files:
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "files, refused",
    [
        pytest.param([("", b"%PDF-1.4 inhoud")], True, id="nameless-part-with-content"),
        pytest.param([("brief.pdf", b"%PDF-1.4\n%%EOF\n"), ("", b"x" * 70_000)], True, id="nameless-after-a-good-one"),
        pytest.param([("", b"")], False, id="nothing-chosen"),
        pytest.param([("brief.pdf", b"%PDF-1.4\n%%EOF\n")], False, id="one-good-file"),
    ],
)
def test_a_file_part_without_a_name_is_refused_not_dropped(client, organisation, files, refused):
    body, content_type = multipart(valid(anonymous="nee", name="Getypte Naam"), files)
    response = client.generic("POST", URL, body, content_type=content_type)
    page = html.unescape(response.content.decode())
    if refused:
        assert response.status_code == 400
        assert "Een van de bijlagen had geen bestandsnaam." in page
        assert 'value="Getypte Naam"' in page
        assert not Case.objects.exists()
    else:
        assert response.status_code == 302  # stored, on to the receipt
        case = Case.objects.get()
        assert case.attachments.count() == sum(1 for name, _content in files if name)
