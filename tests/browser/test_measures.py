"""The seed's failure in a browser (Chromium): the handler records "keep the
reporter away from the wethouder" as taken; it stays proposed until the
reporter, on a phone without JavaScript, agrees in the inbox."""

import datetime

import pytest
from playwright.sync_api import expect

from meldpunt.maatregelen.models import Measure
from meldpunt.registry.models import Person
from tests.browser.conftest import PHONE
from tests.browser.journeys import ORG, staff_login, totp_code
from tests.factories import report_about

pytestmark = pytest.mark.browser

JUSTIFICATION = "U vroeg zelf om niet meer bij het overleg over de sporthal te zijn zolang het onderzoek loopt."


def test_keeping_the_reporter_away_waits_for_their_consent_in_the_inbox(demo, live_server, new_context, shot):
    base = live_server.url
    case, code = report_about(demo, Person.objects.get(organisation=demo, name="Johan Kuipers"))
    handler = new_context().new_page()
    staff_login(handler, base, "behandelaar1", totp_code("behandelaar1"))
    handler.goto(f"{base}/behandelen/zaak/{case.reference}/")
    form = handler.get_by_test_id("measure-form")
    form.get_by_label("Soort maatregel").select_option("partijen_scheiden")
    form.get_by_label("De melder", exact=True).check()
    form.get_by_label("Datum van het besluit").fill(datetime.date.today().isoformat())
    form.get_by_label("Of: besluit door iemand buiten de lijst").fill("Het college")
    form.get_by_label("Reden").fill("De melder en de wethouder zitten samen in het overleg over de sporthal.")
    form.get_by_label("Genomen: gaat nu in").check()
    form.get_by_role("button", name="Maatregel vastleggen").click()
    # Without a justification: refused at the field, what was typed kept.
    form = handler.get_by_test_id("measure-form")
    expect(form).to_contain_text("Schrijf de onderbouwing op")
    expect(form.get_by_label("Reden")).to_have_value(
        "De melder en de wethouder zitten samen in het overleg over de sporthal."
    )
    shot(handler, "justification-missing")
    form.get_by_label("Onderbouwing (nodig als de maatregel de melder belast)").fill(JUSTIFICATION)
    form.get_by_role("button", name="Maatregel vastleggen").click()
    expect(handler.get_by_text("Hij is niet genomen maar staat als voorgesteld")).to_be_visible()
    expect(handler.get_by_test_id("measure-state")).to_have_text("Voorgesteld")
    shot(handler, "proposed")

    reporter = new_context(javascript=False, viewport=PHONE).new_page()
    reporter.goto(f"{base}/{ORG}/postvak/")
    reporter.get_by_label("Uw ontvangstcode").fill(str(code))
    reporter.get_by_role("button", name="Postvak openen").click()
    measures = reporter.get_by_test_id("reporter-measures")
    expect(measures).to_contain_text("U en de persoon over wie u meldde worden uit elkaar gehouden")
    expect(measures).to_contain_text(JUSTIFICATION)
    shot(reporter, "asked")
    measures.get_by_label("Ik ga akkoord", exact=True).check()
    measures.get_by_role("button", name="Antwoord versturen").click()
    expect(reporter.get_by_test_id("reporter-measure-status")).to_contain_text("De maatregel is genomen.")
    shot(reporter, "agreed")

    handler.goto(f"{base}/behandelen/")
    expect(handler.get_by_test_id("burden-taken")).to_have_text("1 genomen")
    shot(handler, "counted")
    assert Measure.objects.get().state == Measure.State.GENOMEN
