"""The minutes' correction round trip (Directive 2019/1937 art. 18): a handler
registers a report made by phone with minutes, the reporter proposes a
correction in the inbox, the handler writes a new version, the reporter
approves it; the case page shows both versions, what changed and which one
was approved."""

import pytest
from playwright.sync_api import expect

from meldpunt.cases.models import Case
from tests.browser.conftest import PHONE
from tests.browser.journeys import ORG, staff_login, totp_code

pytestmark = pytest.mark.browser

MINUTES = "De melder belde op maandag over opmerkingen van de wethouder tijdens het spreekuur."
CORRECTION = "Het was dinsdag, niet maandag."
UPDATED = "De melder belde op dinsdag over opmerkingen van de wethouder tijdens het spreekuur."


def test_handler_writes_minutes_reporter_corrects_handler_updates_reporter_approves(
    demo, live_server, new_context, shot
):
    base = live_server.url
    handler = new_context().new_page()
    staff_login(handler, base, "behandelaar1", totp_code("behandelaar1"))
    handler.goto(f"{base}/behandelen/registreren/")
    handler.get_by_label("Inwoner of burger").check()
    handler.get_by_label("Wat is er gebeurd?").fill("Belde over opmerkingen van de wethouder tijdens het spreekuur.")
    handler.get_by_label("Verslag van het gesprek").fill(MINUTES)
    shot(handler, "register-with-minutes")
    handler.get_by_role("button", name="Registreren").click()
    code = handler.get_by_test_id("receipt-code").inner_text().strip()
    shot(handler, "registered")

    reporter = new_context(javascript=False, viewport=PHONE).new_page()
    reporter.goto(f"{base}/{ORG}/postvak/")
    reporter.get_by_label("Uw ontvangstcode").fill(code)
    reporter.get_by_role("button", name="Postvak openen").click()
    minutes = reporter.get_by_test_id("inbox-minutes")
    expect(minutes.get_by_test_id("inbox-minutes-text")).to_have_text(MINUTES)
    reporter.get_by_label("Wat moet er anders?").fill(CORRECTION)
    reporter.get_by_role("button", name="Correctie voorstellen").click()
    expect(reporter.get_by_test_id("inbox-minutes-status")).to_contain_text("U stelde een correctie voor.")
    shot(reporter, "correction-sent")

    handler.goto(f"{base}/behandelen/zaak/{Case.objects.get().reference}/")
    case_minutes = handler.get_by_test_id("minutes")
    expect(case_minutes.get_by_test_id("minutes-correction")).to_contain_text(CORRECTION)
    handler.get_by_label("Nieuwe versie van het verslag").fill(UPDATED)
    handler.get_by_role("button", name="Nieuwe versie opslaan").click()
    expect(handler.get_by_test_id("minutes-status")).to_contain_text("Versie 2 wacht op goedkeuring")
    shot(handler, "new-version")

    reporter.reload()
    expect(reporter.get_by_test_id("inbox-minutes-text")).to_have_text(UPDATED)
    reporter.get_by_role("button", name="Ik keur versie 2 goed").click()
    expect(reporter.get_by_test_id("inbox-minutes-status")).to_contain_text("U keurde versie 2 van dit verslag goed")
    shot(reporter, "approved")

    handler.reload()
    expect(handler.get_by_test_id("minutes-status")).to_have_text("Versie 2 is goedgekeurd door de melder.")
    approved = handler.locator('[data-testid="minutes-version"][data-approved="ja"]')
    expect(approved).to_have_count(1)
    expect(approved).to_have_attribute("data-number", "2")
    handler.get_by_text("Wat veranderde ten opzichte van de vorige versie").click()
    expect(handler.locator('[data-testid="minutes-diff"] del')).to_have_text("maandag")
    expect(handler.locator('[data-testid="minutes-diff"] ins')).to_have_text("dinsdag")
    shot(handler, "approved-on-case-page")
