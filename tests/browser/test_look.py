"""The pages look finished, on a phone and at a desk (issue 15, points 10, 11 and 13):
the theme's fonts come from Meldpunt itself, the organisation's logo and name
stand in the header, form controls follow the NL Design System form-field
patterns, and "Melding maken" is visible without scrolling."""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journeys import ORG

# What the page looks like is the same whatever database is behind it: the SQLite run only (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.database_independent]

CALM_BLUE = "rgb(29, 79, 145)"


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_start_page_fonts_logo_colour_and_first_action(demo, live_server, new_context, shot, viewport):
    page = new_context(viewport=viewport, bypass_csp=True).new_page()
    fonts = []
    page.on("response", lambda r: fonts.append((r.url, r.status)) if r.request.resource_type == "font" else None)
    page.goto(f"{live_server.url}/{ORG}/")
    page.evaluate("document.fonts.ready.then(() => true)")
    shot(page, "start")

    heading = page.locator("h1")
    family = heading.evaluate("h => getComputedStyle(h).fontFamily")
    assert family.startswith('"Noto Serif"'), family
    assert page.evaluate("document.fonts.check('700 32px \"Noto Serif\"')"), "Noto Serif is not loaded"
    body_family = page.locator("main p").first.evaluate("p => getComputedStyle(p).fontFamily")
    assert body_family.startswith('"Noto Sans"'), body_family
    # Every font file came from Meldpunt's own origin, and the heading font among them.
    origin = urlsplit(live_server.url).netloc
    assert fonts, "no font file was loaded"
    assert all(urlsplit(url).netloc == origin and status in (200, 304) for url, status in fonts), fonts
    assert any("/static/fonts/noto-serif/" in url for url, _ in fonts), fonts

    # The organisation's logo and name in the header.
    header = page.locator("header")
    expect(header.get_by_test_id("logo")).to_be_visible()
    expect(header).to_contain_text("Gemeente Voorbeeldstad")
    assert page.get_by_test_id("logo").evaluate("img => img.naturalWidth") > 0

    # "Melding maken" in a calm blue, visible without scrolling, not glued to the heading's rule.
    action = page.get_by_role("link", name="Melding maken")
    expect(action).to_be_in_viewport()
    assert box(action)["y"] + box(action)["height"] <= viewport["height"]
    assert action.evaluate("a => getComputedStyle(a).backgroundColor") == CALM_BLUE
    header_bottom = box(header)["y"] + box(header)["height"]
    assert box(heading)["y"] - header_bottom >= 16

    result = Axe().run(page).response
    blocking = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert blocking == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_report_form_controls_follow_the_form_field_patterns(demo, live_server, new_context, shot, viewport):
    page = new_context(viewport=viewport, bypass_csp=True, javascript=True).new_page()
    page.goto(f"{live_server.url}/{ORG}/melden/")

    # Radio buttons and checkboxes stand before their label, on the same line.
    for label in ("Inwoner of burger", "Gehoord worden"):
        control, text = page.get_by_label(label), page.locator("label", has_text=label)
        assert box(control)["x"] + box(control)["width"] <= box(text)["x"], label
        assert abs((box(control)["y"] + box(control)["height"] / 2) - (box(text)["y"] + box(text)["height"] / 2)) < 12

    # Select boxes show their dropdown indicator.
    select = page.get_by_label("Hoe kwam het contact tot stand?")
    assert "url(" in select.evaluate("s => getComputedStyle(s).backgroundImage")

    # The person search is a search field in a search landmark.
    search = page.get_by_role("search").get_by_label("Zoek op naam of functie")
    expect(search).to_have_attribute("type", "search")
    assert "url(" in search.evaluate("s => getComputedStyle(s).backgroundImage")
    shot(page, "form")

    # After "Zoeken" the page shows the person section, not the top of the form.
    search.fill("wethouder")
    page.get_by_role("button", name="Zoeken").click()
    expect(page).to_have_url(f"{live_server.url}/{ORG}/melden/#personen")
    expect(page.get_by_role("heading", name="Gevonden")).to_be_visible()
    expect(page.get_by_role("heading", name="2. Over wie gaat het?")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0
    # Nothing is marked invalid on a search round trip: no error is shown.
    assert page.locator("[aria-invalid=true]").count() == 0
    shot(page, "after-search")

    # A refused report marks exactly the fields whose errors are shown.
    page.get_by_role("button", name="Melding versturen").click()
    invalid = page.locator("[aria-invalid=true]")
    expect(invalid.first).to_be_visible()
    for i in range(invalid.count()):
        described = invalid.nth(i).get_attribute("aria-describedby") or ""
        error_ids = [d for d in described.split() if d.endswith("_error")]
        assert error_ids, invalid.nth(i).get_attribute("name")
        expect(page.locator(f"#{error_ids[0]}")).to_be_visible()
    result = Axe().run(page).response
    blocking = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert blocking == []
