"""A handler works a case from received to closed on the case page; the reporter
sees each step in the inbox, in Dutch and in English (issue 10)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from meldpunt.cases.models import Case
from tests.browser.conftest import PHONE
from tests.browser.journeys import ORG, report_anonymously, staff_login, totp_code

pytestmark = pytest.mark.browser

FEEDBACK = "Wij hebben uw melding onderzocht. De wethouder is aangesproken en er zijn maatregelen genomen."


def serious_problems(page) -> list[str]:
    """What axe-core finds serious or critical on the page (as tests/browser/test_accessibility.py)."""
    result = Axe().run(page).response
    return [
        f"{v['id']}: {v['help']} ({'; '.join(', '.join(n['target']) for n in v['nodes'])})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def open_inbox(page, base, code):
    page.goto(f"{base}/{ORG}/postvak/")
    page.locator("#id_code").fill(code)
    page.locator("#id_code").press("Enter")
    expect(page).to_have_url(f"{base}/{ORG}/postvak/melding/")


def reporter_sees(page, current: str, shot, name):
    page.reload()
    expect(page.get_by_test_id("step-path").locator('[aria-current="step"]')).to_have_text(current)
    shot(page, name)


def take_step(handler, name, **fields):
    form = handler.get_by_test_id(f"step-{name}")
    for field, value in fields.items():
        control = form.locator(f'[name="{field}"]')
        if field == "outcome":
            control.select_option(value)
        elif field == "investigation":
            form.locator(f'[name="investigation"][value="{value}"]').check()
        else:
            control.fill(value)
    form.get_by_role("button").click()
    expect(handler.get_by_role("status")).to_contain_text("Stap gezet")


def test_a_handler_works_a_case_to_closed_and_the_reporter_follows_each_step(demo, live_server, new_context, shot):
    base = live_server.url
    first = new_context(javascript=False, viewport=PHONE).new_page()
    code = report_anonymously(first, base, lambda page, name: shot(page, f"reporter-{name}"))
    reference = Case.objects.latest("pk").reference

    # axe runs as script in the page: these contexts bypass the pages' CSP for it.
    dutch = new_context(javascript=False, viewport=PHONE).new_page()
    english = new_context(javascript=False, viewport=PHONE, locale="en-GB").new_page()
    open_inbox(dutch, base, code)
    open_inbox(english, base, code)
    reporter_sees(dutch, "Ontvangst bevestigd", shot, "nl-ontvangstbevestigd")
    reporter_sees(english, "Receipt acknowledged", shot, "en-acknowledged")
    expect(english.get_by_test_id("where")).to_contain_text("Where your report is now")

    handler = new_context(bypass_csp=True).new_page()
    staff_login(handler, base, "behandelaar1", totp_code("behandelaar1"))
    handler.goto(f"{base}/behandelen/zaak/{reference}/")
    expect(handler.get_by_test_id("case-owner")).to_have_text("Integriteitsbureau (team)")
    handler.get_by_test_id("pick-up").click()
    expect(handler.get_by_test_id("case-owner")).to_have_text("Ingrid Vos")
    shot(handler, "handler-picked-up")

    take_step(handler, "beoordelen")
    reporter_sees(dutch, "Beoordeling", shot, "nl-beoordeling")
    reporter_sees(english, "Assessment", shot, "en-assessment")

    take_step(handler, "onderzoeken", reason="Meerdere voorvallen genoemd.", investigation="intern")
    reporter_sees(dutch, "Onderzoek", shot, "nl-onderzoek")
    reporter_sees(english, "Investigation", shot, "en-investigation")

    take_step(handler, "besluiten", reason="Het onderzoek bevestigt de berichten.")
    reporter_sees(dutch, "Besluit en maatregelen", shot, "nl-besluit")
    reporter_sees(english, "Decision and measures", shot, "en-decision")

    take_step(handler, "terugkoppelen")
    # Closing cannot happen yet: the page says what is missing, with links to record it.
    missing = handler.get_by_test_id("missing-afsluiten")
    expect(missing).to_contain_text("De melder heeft nog geen inhoudelijke terugkoppeling gehad.")
    expect(missing).to_contain_text("Er is nog geen nazorg aangeboden.")
    shot(handler, "handler-closing-missing")
    assert serious_problems(handler) == []
    reporter_sees(dutch, "Terugkoppeling aan de melder", shot, "nl-terugkoppeling")
    reporter_sees(english, "Feedback to the reporter", shot, "en-feedback")

    handler.get_by_label("Uw bericht").fill(FEEDBACK)
    handler.get_by_label("Dit bericht is de inhoudelijke terugkoppeling").check()
    handler.get_by_role("button", name="Bericht naar de melder sturen").click()
    expect(handler.get_by_role("status")).to_contain_text("Uw bericht staat in het postvak van de melder.")
    take_step(handler, "nazorg")
    reporter_sees(dutch, "Nazorg", shot, "nl-nazorg")
    expect(dutch.get_by_test_id("message").last).to_contain_text(FEEDBACK)
    expect(dutch.get_by_test_id("feedback-given")).to_be_visible()
    reporter_sees(english, "Aftercare", shot, "en-aftercare")
    inbox = new_context(viewport=PHONE, bypass_csp=True).new_page()
    open_inbox(inbox, base, code)
    assert serious_problems(inbox) == []

    aftercare = handler.locator("#nazorg")
    aftercare.locator('[name="date"]').fill(timezone.localdate().isoformat())
    aftercare.locator('[name="text"]').fill("De vertrouwenspersoon aangeboden per bericht.")
    aftercare.get_by_role("button").click()
    expect(handler.get_by_role("status")).to_contain_text("Vastgelegd in de tijdlijn")
    expect(handler.get_by_test_id("missing-afsluiten")).to_have_count(0)

    take_step(handler, "afsluiten", outcome="gegrond", reason="Vastgesteld en maatregelen genomen.")
    expect(handler.get_by_test_id("case-state")).to_have_text("Afgesloten")
    expect(handler.get_by_test_id("case-outcome")).to_have_text("Gegrond")
    timeline = handler.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Afsluiten: van Nazorg naar Afgesloten")
    expect(timeline).to_contain_text("Reden: Vastgesteld en maatregelen genomen.")
    shot(handler, "handler-closed")
    handler.goto(f"{base}/behandelen/mijn-zaken/")
    assert serious_problems(handler) == []

    dutch.reload()
    expect(dutch.get_by_test_id("current-step")).to_contain_text("Nu: Afgesloten.")
    expect(dutch.get_by_test_id("step-path").locator('[aria-current="step"]')).to_have_count(0)
    shot(dutch, "nl-afgesloten")
    english.reload()
    expect(english.get_by_test_id("current-step")).to_contain_text("Now: Closed.")
    shot(english, "en-closed")
