"""The protocol in the browser: a report about a wethouder reaches the
burgemeester and the gemeentesecretaris, and never the wethouder himself."""

import pytest
from playwright.sync_api import expect

from meldpunt.cases.models import Case
from tests.browser.conftest import PHONE
from tests.browser.journeys import DESCRIPTION, report_anonymously, staff_login, totp_code

pytestmark = pytest.mark.browser


def test_report_about_wethouder_reaches_burgemeester_not_the_wethouder(demo, live_server, new_context, shot):
    base = live_server.url
    reporter = new_context(javascript=False, viewport=PHONE).new_page()
    report_anonymously(reporter, base, lambda page, name: shot(page, f"reporter-{name}"))
    reference = Case.objects.get().reference

    # The burgemeester: password and second factor, then her notifications.
    burgemeester = new_context().new_page()
    staff_login(burgemeester, base, "burgemeester", totp_code("burgemeester"))
    expect(burgemeester).to_have_url(f"{base}/behandelen/")
    burgemeester.goto(f"{base}/behandelen/notificaties/")
    notifications = burgemeester.get_by_test_id("notifications")
    expect(notifications).to_contain_text(reference)
    expect(notifications).to_contain_text("omdat de melding over een wethouder gaat (protocol versie 1)")
    shot(burgemeester, "burgemeester-notifications")

    notifications.get_by_role("link", name=f"zaak {reference}").click()
    expect(burgemeester).to_have_url(f"{base}/behandelen/zaak/{reference}/")
    expect(burgemeester.get_by_test_id("description")).to_have_text(DESCRIPTION)
    expect(burgemeester.get_by_role("heading", name="Routering volgens het protocol")).to_be_visible()
    routing = burgemeester.get_by_test_id("routing")
    herself = routing.locator("li", has_text="Marieke van Dalen")
    expect(herself).to_contain_text("Burgemeester: omdat de melding over een wethouder gaat (protocol versie 1)")
    expect(routing).to_contain_text("Willem Jacobs")
    expect(routing).not_to_contain_text("Henk Bosman")
    shot(burgemeester, "burgemeester-case")

    # The gemeentesecretaris is told as well.
    secretaris = new_context().new_page()
    staff_login(secretaris, base, "secretaris", totp_code("secretaris"))
    expect(secretaris).to_have_url(f"{base}/behandelen/")
    secretaris.goto(f"{base}/behandelen/notificaties/")
    expect(secretaris.get_by_test_id("notifications")).to_contain_text(reference)
    shot(secretaris, "secretaris-notifications")
    secretaris.get_by_test_id("notifications").get_by_role("link", name=f"zaak {reference}").click()
    expect(secretaris.get_by_test_id("description")).to_have_text(DESCRIPTION)
    shot(secretaris, "secretaris-case")

    # The wethouder it is about: not on his list, not in his notifications,
    # and the case page itself does not exist for him.
    wethouder = new_context().new_page()
    staff_login(wethouder, base, "wethouder", totp_code("wethouder"))
    expect(wethouder).to_have_url(f"{base}/behandelen/")
    expect(wethouder.get_by_role("heading", name="Meldingen en signalen")).to_be_visible()
    expect(wethouder.locator("main")).not_to_contain_text(reference)
    shot(wethouder, "wethouder-cases")

    wethouder.goto(f"{base}/behandelen/notificaties/")
    expect(wethouder.get_by_role("heading", name="Notificaties")).to_be_visible()
    expect(wethouder.locator("main")).not_to_contain_text(reference)
    shot(wethouder, "wethouder-notifications")

    response = wethouder.goto(f"{base}/behandelen/zaak/{reference}/")
    assert response is not None and response.status == 404
    expect(wethouder.get_by_role("heading", name="Niet gevonden")).to_be_visible()
    expect(wethouder.locator("body")).not_to_contain_text(DESCRIPTION)
    expect(wethouder.locator("body")).not_to_contain_text(reference)
    shot(wethouder, "wethouder-case-not-found")
