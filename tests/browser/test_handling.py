"""A handler logs in with a second factor, reads a report and talks with the reporter."""

import pytest
from playwright.sync_api import expect

from meldpunt.cases.models import Case
from tests.browser.conftest import PHONE
from tests.browser.journeys import DESCRIPTION, ORG, report_anonymously, staff_login, totp_code, wrong_totp_code

pytestmark = pytest.mark.browser

QUESTION = "Dank voor uw melding. Weet u nog op welke dagen het spreekuur was?"
ANSWER = "Dat was op 3 en 17 maart, allebei 's ochtends."


def test_handler_with_second_factor_asks_and_the_reporter_answers(demo, live_server, new_context, shot):
    base = live_server.url
    reporter = new_context(javascript=False, viewport=PHONE).new_page()
    code = report_anonymously(reporter, base, lambda page, name: shot(page, f"reporter-{name}"))
    reference = Case.objects.get().reference

    handler = new_context().new_page()
    staff_login(handler, base, "behandelaar1", totp_code("behandelaar1"))
    expect(handler).to_have_url(f"{base}/behandelen/")
    row = handler.locator("tr", has=handler.get_by_role("link", name=reference))
    expect(row).to_contain_text("Henk Bosman")
    expect(row).to_contain_text("Ontvangst bevestigd")  # an online report is acknowledged at once
    shot(handler, "handler-cases")

    handler.get_by_role("link", name=reference).click()
    expect(handler).to_have_url(f"{base}/behandelen/zaak/{reference}/")
    expect(handler.get_by_test_id("description")).to_have_text(DESCRIPTION)
    expect(handler.get_by_test_id("reporter")).to_have_text("Anoniem")
    shot(handler, "handler-case")

    handler.get_by_label("Uw bericht").fill(QUESTION)
    handler.get_by_role("button", name="Bericht naar de melder sturen").click()
    expect(handler.get_by_role("status")).to_contain_text("Uw bericht staat in het postvak van de melder.")
    expect(handler.get_by_test_id("message").last).to_contain_text(QUESTION)
    shot(handler, "handler-question-sent")

    # The reporter comes back later, on another device: only the receipt code.
    later = new_context(javascript=False, viewport=PHONE).new_page()
    later.goto(f"{base}/{ORG}/postvak/")
    shot(later, "reporter-inbox-login")
    later.get_by_label("Uw ontvangstcode").fill(code)
    later.get_by_role("button", name="Postvak openen").click()
    expect(later).to_have_url(f"{base}/{ORG}/postvak/melding/")
    expect(later.get_by_test_id("message").last).to_contain_text(QUESTION)
    shot(later, "reporter-inbox-question")

    later.get_by_label("Uw bericht").fill(ANSWER)
    later.get_by_role("button", name="Versturen", exact=True).click()
    expect(later.get_by_test_id("message").last).to_contain_text(ANSWER)
    shot(later, "reporter-inbox-answered")

    handler.reload()
    expect(handler.get_by_test_id("message").last).to_contain_text(ANSWER)
    shot(handler, "handler-answer")


def test_wrong_second_factor_code_gives_no_access(demo, live_server, new_context, shot):
    base = live_server.url
    page = new_context().new_page()
    staff_login(page, base, "behandelaar1", wrong_totp_code("behandelaar1"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Deze combinatie van gebruikersnaam, wachtwoord en code klopt niet."
    )
    expect(page).to_have_url(f"{base}/account/inloggen/")
    shot(page, "login-wrong-code")

    page.goto(f"{base}/behandelen/")
    expect(page).to_have_url(f"{base}/account/inloggen/?next=/behandelen/")
    expect(page.locator("#id_username")).to_be_visible()
    shot(page, "cases-refused")
