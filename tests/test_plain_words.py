"""Pages speak plain words: one date format per language, no codes on staff
pages, English support text on English pages, phone numbers as tel: links
(issue 15, point 11)."""

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation

from meldpunt.audit.models import AuditEvent
from meldpunt.cases import actions
from meldpunt.cases.models import Case
from meldpunt.dates import long_date, long_datetime
from meldpunt.registry.models import Appointment
from meldpunt.text import tel_href, tel_links
from tests import test_translations
from tests.conftest import verified_client
from tests.factories import ReportInputFactory, accused, report_about
from tests.test_inbox import open_inbox

compiled_english = test_translations.compiled_english  # the fixture that builds the English catalogue

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b\.?")
DUTCH_MONTH = re.compile(
    r"\b\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}\b"
)


def visible_text(response) -> str:
    """The page's text without tags, attributes, scripts or styles."""
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def worked_case(organisation, person):
    """A named report about the wethouder with a period, a reply and a state change."""
    case, code = actions.submit_report(
        organisation,
        ReportInputFactory(
            subjects=[accused(person("Henk Bosman"))],
            anonymous=False,
            name="Fictieve Melder",
            phone="06 12345678",
            period_start=datetime.date(2026, 3, 2),
            period_end=datetime.date(2026, 5, 31),
        ),
    )
    handler = verified_client("behandelaar1")
    handler.post(f"/behandelen/zaak/{case.reference}/", {"body": "Kunt u mij bellen?"})
    handler.post(f"/behandelen/zaak/{case.reference}/status/", {"step": "beoordelen"})
    handler.get(f"/behandelen/zaak/{case.reference}/")
    return case, code


@pytest.mark.django_db
def test_no_iso_dates_or_english_month_abbreviations_on_dutch_pages(worked_case):
    case, code = worked_case
    handler, admin = verified_client("behandelaar1"), verified_client("beheerder")
    pages = {
        "case list": handler.get("/behandelen/"),
        "case": handler.get(f"/behandelen/zaak/{case.reference}/"),
        "case log": handler.get(f"/behandelen/zaak/{case.reference}/logboek/"),
        "notifications": verified_client("burgemeester").get("/behandelen/notificaties/"),
        "registry": admin.get("/beheer/"),
        "protocol": admin.get("/beheer/protocol/"),
        "conflicts": admin.get("/beheer/conflicten/"),
        "inbox": open_inbox(code).get("/voorbeeldstad/postvak/melding/"),
    }
    appointment = Appointment.objects.filter(position__organisation=case.organisation).first()
    pages["appointments"] = admin.get(f"/beheer/functies/{appointment.position_id}/benoemen/")
    for name, response in pages.items():
        text = visible_text(response) if response.status_code == 200 else ""
        if not text:
            continue
        assert not ISO_DATE.findall(text), (name, ISO_DATE.findall(text))
        assert not ENGLISH_MONTH.findall(text), (name, ENGLISH_MONTH.findall(text))
    case_page = visible_text(pages["case"])
    # The period the reporter gave, and the times, in the one Dutch format.
    assert "2 maart 2026 – 31 mei 2026" in case_page
    assert DUTCH_MONTH.search(visible_text(pages["case list"]))
    assert re.search(r"\d{1,2} \w+ \d{4}, \d{2}:\d{2}", visible_text(pages["case log"]))


@pytest.mark.django_db
def test_english_pages_use_the_english_date_format(worked_case, compiled_english):
    case, _code = worked_case
    client = verified_client("behandelaar1")
    client.cookies["django_language"] = "en"
    text = visible_text(client.get(f"/behandelen/zaak/{case.reference}/"))
    assert "2 March 2026 – 31 May 2026" in text
    assert not ISO_DATE.findall(text)


def test_date_helpers_one_format_per_language():
    moment = datetime.datetime(2026, 12, 1, 13, 6, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert long_date(moment) == "1 december 2026"
    assert long_datetime(moment) == "1 december 2026, 13:06"
    assert long_date("2026-03-02") == "2 maart 2026"
    assert long_date("") == "" and long_date(None) == "" and long_date("not a date") == ""
    with translation.override("en"):
        assert long_datetime(moment) == "1 December 2026, 13:06"


@pytest.mark.django_db
def test_case_log_speaks_plain_words(worked_case):
    case, _code = worked_case
    text = visible_text(verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/logboek/"))
    for phrase in [
        "Melding ontvangen via online formulier, vastgelegd door de melder",
        "Verdeeld volgens protocol versie 1 bij binnenkomst",
        "Zaak geopend door Ingrid Vos",
        "Bericht aan de melder gestuurd door Ingrid Vos",
        "Status gewijzigd van „Ontvangst bevestigd” naar „Beoordeling” door Ingrid Vos",
    ]:
        assert phrase in text, phrase
    codes = set(AuditEvent.objects.filter(case_reference=case.reference).values_list("action", flat=True))
    assert "case.read" in codes  # the stored events keep their codes ...
    for code in codes:
        assert code not in text  # ... the page shows none of them
    assert "staff:" not in text


@pytest.mark.django_db
def test_routing_reason_in_plain_words(worked_case):
    case, _code = worked_case
    text = visible_text(verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/"))
    assert "Burgemeester: omdat de melding over een wethouder gaat (protocol versie 1)" in text
    assert "regel '" not in text


@pytest.mark.django_db
def test_accused_names_have_no_stray_separators(organisation, person):
    # Reported: the wethouder as accused, the griffier as involved. The list shows
    # "Henk Bosman", not "Henk Bosman, ".
    from meldpunt.cases.actions import SubjectInput
    from meldpunt.cases.models import SubjectLink

    griffier = Appointment.objects.get(position__code="griffier").person
    case, _ = actions.submit_report(
        organisation,
        ReportInputFactory(
            subjects=[
                accused(person("Henk Bosman")),
                SubjectInput(role=SubjectLink.Role.BETROKKENE, person=griffier),
            ]
        ),
    )
    page = verified_client("behandelaar1").get("/behandelen/").content.decode()
    row = page[page.index(f'data-reference="{case.reference}"') :].split("</tr>")[0]
    cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in row.split("</td>")]
    assert "Henk Bosman" in cells
    assert not any(c.endswith(",") or ", ," in c for c in cells)


@pytest.mark.django_db
def test_english_start_page_has_english_support_text_and_tel_links(organisation, compiled_english):
    client = Client()
    dutch = client.get("/voorbeeldstad/").content.decode()
    assert "U kunt ook terecht bij het Huis voor Klokkenluiders" in dutch
    assert 'href="tel:+318000000000"' in dutch
    client.cookies["django_language"] = "en"
    english = client.get("/voorbeeldstad/").content.decode()
    assert "You can also turn to the Dutch Whistleblowers Authority" in english
    assert "U kunt ook terecht" not in english
    assert 'href="tel:+318000000000"' in english


@pytest.mark.django_db
def test_reporter_phone_number_is_a_tel_link_for_the_handler(worked_case):
    case, _code = worked_case
    page = verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/").content.decode()
    assert '<a class="utrecht-link" href="tel:+31612345678">06 12345678</a>' in page


def test_tel_links_escape_text_and_link_only_phone_numbers():
    text = "Bel 020-123 45 67 of +31 6 1234 5678 <script>x</script>; zaak 2026-0001, postcode 1000 AA."
    result = str(tel_links(text))
    assert '<a class="utrecht-link" href="tel:+31201234567">020-123 45 67</a>' in result
    assert 'href="tel:+31612345678"' in result
    assert "&lt;script&gt;" in result and "<script>" not in result
    assert result.count("<a ") == 2
    assert tel_href("0800 000 0000") == "tel:+318000000000"


@pytest.mark.django_db
def test_case_list_on_a_report_without_subjects_says_unknown(organisation):
    case, _ = report_about(organisation)
    page = verified_client("behandelaar1").get("/behandelen/").content.decode()
    row = page[page.index(f'data-reference="{case.reference}"') :].split("</tr>")[0]
    assert "onbekend" in row
    assert Case.objects.filter(pk=case.pk).exists()
