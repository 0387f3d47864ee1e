"""axe-core finds no serious or critical accessibility problems on the reporter's pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journeys import ORG, report_anonymously

# What the page looks like is the same whatever database is behind it: the SQLite run only (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.database_independent]

BLOCKING = {"critical", "serious"}


def describe(page_name: str, violation: dict) -> str:
    targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"])
    return f"{page_name}: [{violation['impact']}] {violation['id']}: {violation['help']} ({targets})"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_reporter_pages_have_no_serious_accessibility_problems(demo, live_server, new_context, shot, viewport):
    # axe runs as script in the page; Meldpunt's pages have none of their own
    # and forbid injected script through their CSP, so the test context
    # bypasses the CSP for axe only.
    page = new_context(viewport=viewport, bypass_csp=True).new_page()
    axe = Axe()
    found = []

    def check(page, name):
        shot(page, name)
        result = axe.run(page).response
        assert result["testEngine"]["name"] == "axe-core"
        for violation in result["violations"]:
            found.append((name, violation))

    report_anonymously(page, live_server.url, check)
    page.goto(f"{live_server.url}/{ORG}/postvak/")
    check(page, "inbox-login")

    for name, violation in found:
        print(describe(name, violation))
    blocking = [describe(name, v) for name, v in found if v["impact"] in BLOCKING]
    assert blocking == [], "\n".join(blocking)
