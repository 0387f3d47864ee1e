"""A handler works through the case list on a phone and at a desk: filters,
case-number search, sorting by a deadline (issue 15, point 9)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meldpunt.cases import actions, deadlines
from meldpunt.cases.models import Channel, Kind
from meldpunt.registry.models import Person
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journeys import staff_login, totp_code
from tests.factories import ReportInputFactory, report_about

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_handler_filters_searches_and_sorts_the_case_list(demo, live_server, new_context, shot, viewport):
    wethouder = Person.objects.get(organisation=demo, name="Henk Bosman")
    late, _ = report_about(demo, wethouder)
    day = timezone.now() - datetime.timedelta(days=20)
    late.received_at = late.acknowledged_at = day
    late.acknowledgement_due, late.feedback_due = deadlines.acknowledgement_due(day), deadlines.feedback_due(day, day)
    late.save()
    fresh, _ = report_about(demo)
    signal, _ = actions.submit_report(demo, ReportInputFactory(), kind=Kind.SIGNAAL, channel=Channel.TELEFOON)

    page = new_context(viewport=viewport).new_page()
    staff_login(page, live_server.url, "behandelaar1", totp_code("behandelaar1"))
    cases = page.get_by_test_id("case-row")
    expect(cases).to_have_count(3)
    # The overdue case (no contact for 20 days) stands first and says so.
    expect(cases.first).to_contain_text(late.reference)
    expect(cases.first.get_by_test_id("first-contact")).to_contain_text("verlopen")
    shot(page, "all-cases")

    page.get_by_label("Soort").select_option(label="Signaal")
    page.get_by_role("button", name="Tonen").click()
    expect(cases).to_have_count(1)
    expect(cases.first).to_contain_text(signal.reference)
    expect(page.get_by_label("Soort")).to_have_value("signaal")
    shot(page, "signals-only")

    page.get_by_role("link", name="Alle filters wissen").click()
    expect(cases).to_have_count(3)
    page.get_by_label("Zaaknummer").fill(fresh.reference)
    page.get_by_role("button", name="Tonen").click()
    expect(cases).to_have_count(1)
    expect(cases.first).to_contain_text(fresh.reference)

    page.get_by_role("link", name="Alle filters wissen").click()
    page.get_by_label("Termijn").select_option(label="Alleen verlopen termijnen")
    page.get_by_role("button", name="Tonen").click()
    expect(cases).to_have_count(1)
    expect(cases.first).to_contain_text(late.reference)

    # Sorting by the feedback column keeps the filter and the overdue case first.
    page.get_by_role("link", name="Terugkoppeling", exact=True).click()
    expect(page.get_by_label("Termijn")).to_have_value("verlopen")
    expect(page.locator("th[aria-sort]")).to_contain_text("Terugkoppeling")
    expect(cases).to_have_count(1)
    shot(page, "overdue-sorted")

    # A hand-edited address with nonsense shows the whole list, not an error.
    page.goto(f"{live_server.url}/behandelen/?status=gesloten&zaak=%3Cb%3E&sorteer=sealed_content")
    expect(cases).to_have_count(3)
