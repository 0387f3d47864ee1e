"""A reporter makes a report on a phone, without JavaScript, and opens the inbox."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
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

    expect(page.get_by_test_id("case-state")).to_have_text("Ontvangen")
    messages = page.get_by_test_id("message")
    expect(messages).to_have_count(1)
    expect(messages.first).to_contain_text("ontvangen")

    # The NL Design System and Meldpunt style sheets were served on every page.
    assert {url.rsplit("/static/", 1)[1] for url, _ in stylesheets} == {
        "nlds/utrecht/index.css",
        "nlds/theme/theme.css",
        "meldpunt/meldpunt.css",
    }
    assert all(status in (200, 304) for _, status in stylesheets), stylesheets
    assert page.url == f"{live_server.url}/{ORG}/postvak/melding/"
