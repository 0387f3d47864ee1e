"""Stored XSS and HTML injection: hostile text in every text field and every
file name, through the public forms, comes out as text on every page that shows it.

Tried (tests/hostile.py ``payload``): ``"'><img src=x data-injected onerror=...>``
plus an ``<svg onload=...>``, with a tag naming the field, in

* the public report form: the reporter's name and phone, "what happened", "told
  before, to whom", a typed-in person's name and function, text left in the
  registry search box (kept as a typed-in person), and an attachment's file name;
* the staff "register on behalf" form: the same fields;
* messages both ways, each with an attachment with a hostile file name;
* an organisation's name, integrity office and first admin's name via the
  installation administrator's /installatie/organisaties/;
* the registry via /beheer: a person's name fields and aliases, a position's
  title, portfolio and unit (the report is about that person), a conflict's
  reason; the protocol's version note;
* pages that show refused input again: the report form with an error, a
  registry search, the receipt-code form and the staff login form.

Every staff page a handler, the burgemeester and the functional admin can
reach by following links, and every page of the reporter's inbox, is read:
no element or attribute from a payload exists, no inline script, and the
payloads the page is meant to show are there as text. Notification e-mails
are plain text only and carry none of the report's words.
"""

import html
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from meldpunt.cases.models import Case
from meldpunt.notifications.models import Notification
from meldpunt.notifications.service import send_email
from meldpunt.registry.models import Person, Position
from tests.conftest import verified_client
from tests.hostile import file_payload, injected_elements, own_words_payload, payload, short_payload, shown_as_text
from tests.test_protocol_editor import form_data as protocol_form_data

FIELDS = [
    "reporter_name", "phone", "description", "told_before_details", "typed_name", "typed_function",
    "search_kept", "report_file", "handler_message", "handler_file", "reporter_message", "reporter_file",
    "register_description", "register_typed_name", "register_file", "person_name", "roepnaam", "alias",
    "position_title", "portfolio", "unit", "conflict_reason", "protocol_note",
]  # fmt: skip
# Typed-in people and the search text get words of their own (one-word tags too), so that
# neither the registry search nor the subject resolver links them to the accused, whose
# name is a payload as well.
OWN_WORDS = {
    "search_kept": "Zoektekstveld",
    "typed_name": "Vrijnaamveld",
    "typed_function": "Vrijfunctieveld",
    "register_typed_name": "Registratienaamveld",
}
TAGS = {field: OWN_WORDS.get(field, f"XSS-{field}") for field in FIELDS}
P = {field: payload(TAGS[field]) for field in FIELDS}
P["phone"] = short_payload(TAGS["phone"])
P.update({field: own_words_payload(tag) for field, tag in OWN_WORDS.items()})
P.update({field: file_payload(TAGS[field]) for field in FIELDS if field.endswith("_file")})
REPORT_FIELDS = ["reporter_name", "phone", "description", "told_before_details", "typed_name", "typed_function"]

# Pages not followed while crawling: downloads (checked in test_attack_uploads.py),
# logging out, switching language, scripts.
NOT_FOLLOWED = re.compile(r"/uitloggen/|/sluiten/|/bijlage/|\.csv$|/taal/|\.js$|^/static/")


def hostile_file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name + ".txt", b"Een gewoon tekstbestand.\n", content_type="text/plain")


@pytest.fixture
def hostile(organisation, person, settings):
    """Every payload stored through the public interfaces; returns the clients and the case."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = verified_client("beheerder")
    response = admin.post(
        "/beheer/personen/nieuw/",
        {"name": P["person_name"], "email": "", "roepnaam": P["roepnaam"], "aliases": P["alias"]},
    )
    assert response.status_code == 302, response.content.decode()
    accused = Person.objects.get(organisation=organisation, name=P["person_name"])
    position_data = {"title": P["position_title"], "code": "weth-aanval", "category": "wethouder"}
    position_data.update(portfolio=P["portfolio"], unit=P["unit"])
    assert admin.post("/beheer/functies/nieuw/", position_data).status_code == 302
    position = Position.objects.get(organisation=organisation, code="weth-aanval")
    appointment = {"person": accused.pk, "start_date": "2024-01-01", "end_date": ""}
    assert admin.post(f"/beheer/functies/{position.pk}/benoemen/", appointment).status_code == 302
    conflict = {"person": person("Ruud Meijer").pk, "other": person("Kees Brouwer").pk, "reason": P["conflict_reason"]}
    assert admin.post("/beheer/conflicten/nieuw/", conflict).status_code == 302
    note = protocol_form_data(organisation, note=P["protocol_note"])
    assert admin.post("/beheer/protocol/wijzigen/", note).status_code == 302

    reporter = Client()
    report = {
        "action": "verstuur",
        "relation": "medewerker",
        "anonymous": "nee",
        "name": P["reporter_name"],
        "phone": P["phone"],
        "description": P["description"],
        "told_before": "ja",
        "told_before_details": P["told_before_details"],
        "wishes": ["gehoord"],
        f"persoon_{accused.pk}": "beschuldigde",
        "vrij_naam_1": P["typed_name"],
        "vrij_functie_1": P["typed_function"],
        "vrij_rol_1": "betrokkene",
        "search": P["search_kept"],
        "files": [hostile_file(P["report_file"])],
    }
    response = reporter.post("/voorbeeldstad/melden/", report)
    if response.status_code == 200:  # the search text matched someone: send again, keeping it as typed
        report["zoek_getoond"] = P["search_kept"]
        report["files"] = [hostile_file(P["report_file"])]
        response = reporter.post("/voorbeeldstad/melden/", report)
    assert response.status_code == 302, response.content.decode()
    case = Case.objects.get(organisation=organisation)  # the only one: the demo fixture has no cases

    handler = verified_client("behandelaar1")
    message = {"body": P["handler_message"], "files": [hostile_file(P["handler_file"])]}
    assert handler.post(f"/behandelen/zaak/{case.reference}/", message).status_code == 302
    reply = {"body": P["reporter_message"], "files": [hostile_file(P["reporter_file"])]}
    assert reporter.post("/voorbeeldstad/postvak/melding/", reply).status_code == 302
    registered = {
        "kind": "signaal",
        "channel": "telefoon",
        "relation": "inwoner",
        "anonymous": "ja",
        "description": P["register_description"],
        "told_before": "nee",
        "vrij_naam_1": P["register_typed_name"],
        "vrij_rol_1": "beschuldigde",
        "files": [hostile_file(P["register_file"])],
    }
    response = handler.post("/behandelen/registreren/", registered)
    assert response.status_code == 200 and "data-injected" not in response.content.decode()
    return {"case": case, "reporter": reporter, "handler": handler, "admin": admin, "accused": accused}


def links(page: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="(/[^"#]*)"', page)]


def crawl(client: Client, starts: list[str], prefixes: tuple[str, ...], limit: int = 120) -> dict[str, str]:
    """Every page reachable from ``starts`` by links under ``prefixes``: {path: html}."""
    seen, queue, pages = set(starts), list(starts), {}
    while queue and len(pages) < limit:
        path = queue.pop(0)
        response = client.get(path)
        assert response.status_code in (200, 302), f"{path}: {response.status_code}"
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        pages[path] = response.content.decode()
        for link in links(pages[path]):
            if link.startswith(prefixes) and not NOT_FOLLOWED.search(link) and link not in seen:
                seen.add(link)
                queue.append(link)
    return pages


def assert_harmless(pages: dict[str, str]) -> None:
    found = {path: injected_elements(page) for path, page in pages.items()}
    found = {path: elements for path, elements in found.items() if elements}
    assert not found, f"injected into pages: {found}"


def assert_shown(page: str, fields: list[str]) -> None:
    missing = [field for field in fields if not shown_as_text(page, P[field])]
    assert not missing, f"payloads not shown as text: {missing}"


@pytest.mark.django_db
def test_the_handlers_pages_show_every_payload_as_text(hostile):
    case, handler = hostile["case"], hostile["handler"]
    pages = crawl(handler, ["/behandelen/", "/behandelen/notificaties/", "/account/"], ("/behandelen/", "/account/"))
    assert f"/behandelen/zaak/{case.reference}/" in pages and f"/behandelen/zaak/{case.reference}/logboek/" in pages
    assert len(pages) >= 6, sorted(pages)
    assert_harmless(pages)
    case_page = pages[f"/behandelen/zaak/{case.reference}/"]
    assert_shown(case_page, REPORT_FIELDS + ["person_name", "search_kept", "report_file", "handler_message"])
    assert_shown(case_page, ["handler_file", "reporter_message", "reporter_file", "position_title"])
    assert_shown(pages["/behandelen/"], ["person_name"])  # a typed name is "niet in register" there
    registered = Case.objects.exclude(pk=case.pk).get(organisation=case.organisation, kind="signaal")
    assert_shown(
        pages[f"/behandelen/zaak/{registered.reference}/"],
        ["register_description", "register_typed_name", "register_file"],
    )


@pytest.mark.django_db
def test_the_burgemeesters_pages_show_every_payload_as_text(hostile):
    case = hostile["case"]
    pages = crawl(verified_client("burgemeester"), ["/behandelen/", "/behandelen/notificaties/"], ("/behandelen/",))
    assert f"/behandelen/zaak/{case.reference}/" in pages
    assert_harmless(pages)
    assert_shown(pages[f"/behandelen/zaak/{case.reference}/"], ["description", "person_name", "reporter_message"])


@pytest.mark.django_db
def test_the_registry_and_protocol_pages_show_every_payload_as_text(hostile):
    accused = hostile["accused"]
    starts = ["/beheer/", f"/beheer/protocol/wat-als/?persoon={accused.pk}", "/beheer/conflicten/nieuw/"]
    pages = crawl(hostile["admin"], starts, ("/beheer/",))
    assert len(pages) >= 10, sorted(pages)
    assert_harmless(pages)
    assert_shown(pages["/beheer/"], ["person_name", "position_title"])
    assert_shown(pages[f"/beheer/personen/{accused.pk}/"], ["person_name", "roepnaam", "alias", "position_title"])
    assert_shown(pages["/beheer/conflicten/"], ["conflict_reason"])
    assert_shown(pages["/beheer/protocol/"], ["protocol_note"])
    assert_shown(pages[f"/beheer/protocol/wat-als/?persoon={accused.pk}"], ["person_name"])


@pytest.mark.django_db
def test_the_reporters_inbox_shows_every_payload_as_text(hostile):
    reporter = hostile["reporter"]
    pages = crawl(
        reporter, ["/voorbeeldstad/postvak/melding/", "/voorbeeldstad/postvak/intrekken/"], ("/voorbeeldstad/",)
    )
    assert_harmless(pages)
    inbox = pages["/voorbeeldstad/postvak/melding/"]
    assert_shown(inbox, ["description", "told_before_details", "typed_name", "typed_function", "person_name"])
    assert_shown(inbox, ["report_file", "handler_message", "handler_file", "reporter_message", "reporter_file"])


@pytest.mark.django_db
def test_refused_input_is_shown_again_as_text(organisation):
    """Tried: each payload in a form that comes back with an error or a search result."""
    client = Client()
    report = {"action": "verstuur", "relation": "medewerker", "anonymous": "nee", "name": P["reporter_name"]}
    report.update(description=P["description"], told_before="nee", vrij_naam_1=P["typed_name"])  # no wish: refused
    refused = client.post("/voorbeeldstad/melden/", report)
    assert refused.status_code == 400
    search = client.post("/voorbeeldstad/melden/", {**report, "action": "zoek", "search": P["search_kept"]})
    receipt = client.post("/voorbeeldstad/postvak/", {"code": P["description"]})
    login = client.post("/account/inloggen/", {"username": P["typed_name"], "password": "x", "otp_token": "1"})
    pages = {"report": refused, "search": search, "receipt": receipt, "login": login}
    assert_harmless({name: response.content.decode() for name, response in pages.items()})
    assert_shown(refused.content.decode(), ["reporter_name", "description", "typed_name"])
    assert_shown(search.content.decode(), ["search_kept", "description"])
    assert_shown(receipt.content.decode(), ["description"])


@pytest.mark.django_db
def test_notification_emails_are_plain_text_without_report_words(hostile):
    """The e-mails name a case number and a link; registry names may appear in the
    reason (plain text, so nothing renders), the report's own words never."""
    case = hostile["case"]
    mail.outbox = []
    for notification in Notification.objects.filter(case=case):
        send_email.call(notification.pk)
    assert len(mail.outbox) >= 3
    for message in mail.outbox:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", None) and not message.attachments
        raw = message.message().as_string()
        assert "text/html" not in raw
        for field in REPORT_FIELDS + ["report_file", "handler_message", "reporter_message", "search_kept"]:
            assert TAGS[field] not in raw, field
        assert "\n" not in message.subject


def test_the_check_finds_a_payload_that_was_not_escaped():
    """The check itself: each payload, pasted into a page raw, is found."""
    for text in P.values():
        assert injected_elements(f"<p>{text}</p>"), text
        assert not injected_elements(f"<p>{html.escape(text)}</p>")


@pytest.mark.django_db
def test_an_organisation_name_is_shown_as_text_on_its_pages(organisation):
    """Tried: payloads as a new organisation's name, its integrity office's name
    and its first functional admin's name, typed by the installation administrator."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create_superuser("installatie", password="x" * 20)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    installer = verified_client("installatie")
    names = {"name": payload("XSS-organisatie"), "integrity_office_name": payload("XSS-bureau")}
    fields = {**names, "slug": "aanvalstad", "admin_name": payload("XSS-beheerder"), "admin_username": "a.beheer"}
    created = installer.post("/installatie/organisaties/", fields)
    assert created.status_code == 200, created.content.decode()
    pages = {"/installatie/organisaties/": created.content.decode()}
    for path in ("/", "/aanvalstad/", "/aanvalstad/melden/", "/aanvalstad/postvak/"):
        pages[path] = Client().get(path).content.decode()
    assert_harmless(pages)
    assert shown_as_text(pages["/installatie/organisaties/"], names["name"])
    assert shown_as_text(pages["/"], names["name"]) and shown_as_text(pages["/aanvalstad/"], names["name"])
