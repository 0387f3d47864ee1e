"""A reporter makes a report on a phone, without JavaScript, and opens the inbox."""

import warnings

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from meldpunt.cases.models import Case
from tests.browser.conftest import ARTIFACTS, PHONE
from tests.browser.journeys import ORG, report_anonymously

pytestmark = pytest.mark.browser


def test_anonymous_report_in_dutch_without_javascript(demo, live_server, new_context, shot):
    page = new_context(javascript=False, viewport=PHONE).new_page()
    stylesheets = []
    page.on(
        "response",
        lambda r: stylesheets.append((r.url, r.status)) if r.request.resource_type == "stylesheet" else None,
    )

    def on_page(page, name):
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        shot(page, name)

    report_anonymously(page, live_server.url, on_page)

    # An online report is acknowledged the moment it arrives.
    expect(page.get_by_test_id("case-state")).to_have_text("Ontvangst bevestigd")
    messages = page.get_by_test_id("message")
    expect(messages).to_have_count(1)
    expect(messages.first).to_contain_text("ontvangen")

    # The NL Design System and Meldpunt style sheets were served on every page.
    assert {url.rsplit("/static/", 1)[1] for url, _ in stylesheets} == {
        "nlds/utrecht/index.css",
        "nlds/theme/theme.css",
        "meldpunt/meldpunt.css",
        "meldpunt/look.css",
        # The theme's fonts, from Meldpunt itself (settings.THEME_FONT_CSS).
        "fonts/noto-sans/400.css",
        "fonts/noto-sans/700.css",
        "fonts/noto-serif/700.css",
        "fonts/noto-sans-mono/400.css",
    }
    assert all(status in (200, 304) for _, status in stylesheets), stylesheets
    assert page.url == f"{live_server.url}/{ORG}/postvak/melding/"


UNTRANSLATED_REPORT = ARTIFACTS.parent / "untranslated-en.txt"

# Interface text on each page of the journey, in Dutch as written in the code.
KEY_TEXTS = {
    "start": ["Melding maken", "Eerst met iemand praten?", "Anoniem melden kan", "Naar mijn postvak"],
    "report-form": [
        "Wat is uw relatie tot de organisatie?",
        "Inwoner of burger",
        "Wilt u anoniem blijven?",
        "Ja, ik meld anoniem",
        "Zoek op naam of functie",
        "Zoeken",
        "Wat wilt u dat er gebeurt?",
        "Gehoord worden",
        "Melding versturen",
        "niet verplicht",
    ],
    "search-results": ["Gevonden", "Gaat over deze persoon", "Niet deze persoon"],
    "receipt": ["Uw melding is ontvangen", "Uw ontvangstcode", "Wat gebeurt er nu?"],
    "inbox": ["Uw postvak", "Berichten", "Postvak sluiten", "Bericht sturen of informatie toevoegen", "Versturen"],
}


def test_report_in_english(demo, live_server, new_context, shot):
    """The same journey after pressing "English". Where a text has an English
    translation, the page must show it; texts without one are listed in
    test-artifacts/untranslated-en.txt and reported as a warning."""
    page = new_context(javascript=False, viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/{ORG}/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/{ORG}/")

    untranslated = []

    def on_page(page, name):
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("button", name="Nederlands")).to_be_visible()
        text = page.locator("body").inner_text()
        for dutch in KEY_TEXTS[name]:
            with translation.override("en"):
                english = gettext(dutch)
            if english == dutch:
                untranslated.append(f"{name}: {dutch}")
            else:
                assert english in text, f"{name}: expected {english!r} for {dutch!r}"
        shot(page, name)

    report_anonymously(page, live_server.url, on_page, dutch=False)
    with translation.override("en"):
        received = gettext("Ontvangst bevestigd")
    expect(page.get_by_test_id("case-state")).to_have_text(received)
    expect(page.get_by_test_id("message")).to_have_count(1)

    UNTRANSLATED_REPORT.parent.mkdir(parents=True, exist_ok=True)
    UNTRANSLATED_REPORT.write_text("".join(f"{line}\n" for line in untranslated))
    if untranslated:
        warnings.warn(
            f"{len(untranslated)} interface texts have no English translation yet: {untranslated}", stacklevel=1
        )


def test_empty_description_shows_the_error_and_keeps_what_was_typed(demo, live_server, new_context, shot):
    page = new_context(javascript=False, viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/{ORG}/melden/")
    page.get_by_label("Medewerker", exact=True).check()
    page.get_by_label("Nee, ik geef mijn naam").check()
    page.get_by_label("Uw naam").fill("Joke Smit")
    page.get_by_label("Uw e-mailadres").fill("joke@example.org")
    page.get_by_label("Wanneer begon het?").fill("2026-03-02")
    page.get_by_label("Steun").check()
    shot(page, "filled-in")
    page.get_by_role("button", name="Melding versturen").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Er is iets nog niet goed")
    expect(alert.get_by_role("link", name="Wat is er gebeurd?")).to_have_attribute("href", "#id_description")
    expect(page.locator("#id_description_error")).to_be_visible()
    expect(page.get_by_label("Uw naam")).to_have_value("Joke Smit")
    expect(page.get_by_label("Uw e-mailadres")).to_have_value("joke@example.org")
    expect(page.get_by_label("Wanneer begon het?")).to_have_value("2026-03-02")
    expect(page.get_by_label("Medewerker", exact=True)).to_be_checked()
    expect(page.get_by_label("Nee, ik geef mijn naam")).to_be_checked()
    expect(page.get_by_label("Steun")).to_be_checked()
    shot(page, "error")
    assert not Case.objects.exists()
