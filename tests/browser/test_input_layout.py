"""Awkward input on every page, in Chromium (issue 9, classes 3 and 6; issue 15's
"no page wider than the screen"): with long values and words without spaces
in the registry, a case, its messages and a conflict, every reporter and staff
page is exactly as wide as a 360 px phone and a 1280 px desk screen; tables
scroll inside their own box, never the page. The statement box holds a
pasted text whole, also past the limit, and gives it back whole with a message.
"""

import datetime

import pytest
from django.conf import settings
from playwright.sync_api import expect

from meldpunt.cases import actions
from meldpunt.cases.actions import SubjectInput
from meldpunt.cases.models import Message
from meldpunt.registry.models import Appointment, Conflict, Person, Position
from tests.browser.journeys import ORG
from tests.conftest import verified_client
from tests.factories import ReportInputFactory

# What the page looks like is the same whatever database is behind it: the SQLite run only (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.database_independent]

NARROW = {"width": 360, "height": 800}
WIDE = {"width": 1280, "height": 900}
# A pasted link and a pasted hash: no place to break a line.
URL_WORD = "https://voorbeeldstad.example/documenten/" + "verslag-raadsvergadering-" * 40
HASH_WORD = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" * 20
LONG_NAME = "Wilhelmina-Gerardina-Alexandra-Constantijn-Bartholomeus-van-Zeerlangeachternaam" * 2


def long_data(organisation):
    """A registry person, a position, a conflict and a case, all with long values and words."""
    person = Person.objects.create(organisation=organisation, name=LONG_NAME[:200], email="lang@voorbeeldstad.example")
    position = Position.objects.create(
        organisation=organisation,
        code="mdw-" + "lang" * 10,
        title=("Beleidsmedewerker" * 12)[:200],
        category="medewerker",
        portfolio=URL_WORD[:300],
        unit=HASH_WORD[:200],
    )
    Appointment.objects.create(position=position, person=person, start_date=datetime.date(2020, 1, 1))
    other = Person.objects.get(organisation=organisation, name="Pieter de Groot")
    Conflict.objects.create(person=person, other=other, reason=HASH_WORD[:200])
    report = ReportInputFactory(
        description=f"{URL_WORD}\n{HASH_WORD}",
        subjects=[
            SubjectInput(role="beschuldigde", person=other),
            SubjectInput(role="betrokkene", person=person),
            SubjectInput(role="getuige", name=LONG_NAME[:200], function=HASH_WORD[:200]),
        ],
    )
    case, code = actions.submit_report(organisation, report)
    actions.post_message(case, Message.Author.MELDER, HASH_WORD)
    return case, code, person, position


def logged_in(new_context, live_server, viewport, username):
    """A browser context with the session of a staff member who passed the second factor."""
    client = verified_client(username)
    context = new_context(viewport=viewport)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["360px", "1280px"])
def test_every_page_fits_the_screen_with_long_values_and_the_statement_box_keeps_a_paste(
    demo, live_server, new_context, shot, viewport
):
    case, code, person, position = long_data(demo)
    base = live_server.url
    too_wide = []

    def visit(page, path, name):
        page.goto(base + path)
        expect(page.locator("h1").first).to_be_visible()
        shot(page, name)
        width = page_width(page)
        if width != viewport["width"]:
            too_wide.append(f"{name} ({path}): {width} px")

    handler = logged_in(new_context, live_server, viewport, "behandelaar1").new_page()
    for path, name in [
        ("/behandelen/", "case-list"),
        (f"/behandelen/zaak/{case.reference}/", "case"),
        (f"/behandelen/zaak/{case.reference}/logboek/", "case-log"),
        ("/behandelen/notificaties/", "notifications"),
        ("/behandelen/registreren/", "register"),
    ]:
        visit(handler, path, name)

    admin = logged_in(new_context, live_server, viewport, "beheerder").new_page()
    for path, name in [
        ("/beheer/", "registry"),
        (f"/beheer/personen/{person.pk}/", "person"),
        (f"/beheer/functies/{position.pk}/", "position"),
        ("/beheer/conflicten/", "conflicts"),
        ("/beheer/protocol/", "protocol"),
        ("/beheer/protocol/wijzigen/", "protocol-edit"),
        (f"/beheer/protocol/wat-als/?persoon={person.pk}", "protocol-what-if"),
        ("/beheer/import/", "import"),
    ]:
        visit(admin, path, name)

    reporter = new_context(viewport=viewport).new_page()
    visit(reporter, f"/{ORG}/", "start")
    visit(reporter, "/account/inloggen/", "login")
    visit(reporter, f"/{ORG}/postvak/", "inbox-login")
    reporter.locator("#id_code").fill(str(code))
    reporter.locator("#id_code").press("Enter")
    expect(reporter.get_by_test_id("message").first).to_be_visible()
    visit(reporter, f"/{ORG}/postvak/melding/", "inbox")

    # The statement box: a paste past the limit is held whole, sent whole and given back whole.
    visit(reporter, f"/{ORG}/melden/", "report-form")
    pasted = ("Het begon in 2017 bij het spreekuur. " * 2800) + URL_WORD  # about 104,000 characters
    box = reporter.locator("#id_description")
    box.focus()
    reporter.keyboard.insert_text(pasted)
    assert box.evaluate("b => b.value.length") == len(pasted)
    reporter.locator('input[name="relation"][value="inwoner"]').check()
    reporter.locator('input[name="wishes"][value="gehoord"]').check()
    reporter.locator('button[name="action"][value="verstuur"]').click()
    expect(reporter.locator("#id_description_error")).to_contain_text("Deze tekst is te lang: hoogstens 100.000 tekens")
    assert reporter.locator("#id_description").evaluate("b => b.value") == pasted
    shot(reporter, "report-form-too-long")
    if page_width(reporter) != viewport["width"]:
        too_wide.append(f"report form with the refused paste: {page_width(reporter)} px")

    assert not too_wide, f"wider than the {viewport['width']} px screen: {too_wide}"
