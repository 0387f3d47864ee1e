"""A frightened reporter's ordinary actions never lose or misroute what they wrote
(issue 15, points 1-5), in Chromium without JavaScript, on a phone and a desktop.

One journey: a name typed in the search box but not searched, the matches to
pick from, the receipt reloaded and switched to English, the report re-read in
the inbox, and a long reply sent after the inbox closed. A second journey: a
double click on "Melding versturen".
"""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from meldpunt.cases.models import Case, Message
from meldpunt.melden.session import LAST_SEEN_KEY, SESSION_KEY
from meldpunt.notifications.models import Notification
from meldpunt.sessions import SessionStore
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journeys import DESCRIPTION, ORG, digits

pytestmark = pytest.mark.browser

REPLY = "Ik wil nog iets toevoegen over het tweede spreekuur. " * 30 + "Dat was alles."


def close_inboxes_as_after_half_an_hour():
    for row in Session.objects.all():
        store = SessionStore(session_key=row.session_key)
        if SESSION_KEY in store:
            store[LAST_SEEN_KEY] -= 31 * 60
            store.save()


def fill_report(page, base):
    page.goto(f"{base}/{ORG}/melden/")
    page.get_by_label("Inwoner of burger").check()
    page.get_by_label("Ja, ik meld anoniem").check()
    page.get_by_label("Zoek op naam of functie").fill("wethouder Wonen")
    page.get_by_label("Wat is er gebeurd?", exact=True).fill(DESCRIPTION)
    page.get_by_label("Wanneer begon het?").fill("2026-03-02")
    page.get_by_label("Gehoord worden").check()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_nothing_the_reporter_wrote_is_lost(demo, live_server, new_context, shot, viewport):
    base = live_server.url
    page = new_context(javascript=False, viewport=viewport).new_page()

    # 1. Typed in the search box, not searched, sent: the form comes back with the matches.
    fill_report(page, base)
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_test_id("not-sent-yet")).to_contain_text(
        "Kies de persoon die u bedoelt, of beschrijf hem hieronder"
    )
    expect(page.get_by_label("Wat is er gebeurd?", exact=True)).to_have_value(DESCRIPTION)
    expect(page.get_by_label("Wanneer begon het?")).to_have_value("2026-03-02")
    assert not Case.objects.exists()
    shot(page, "pick-the-person")
    page.get_by_label("Henk Bosman").select_option(label="Gaat over deze persoon")
    page.get_by_role("button", name="Melding versturen").click()

    # 2. and 3. The receipt survives a reload and a language switch.
    code_element = page.get_by_test_id("receipt-code")
    expect(code_element).to_be_visible()
    code = digits(code_element.inner_text())
    expect(page).to_have_url(f"{base}/{ORG}/melden/ontvangen/")
    case = Case.objects.get()
    assert "Marieke van Dalen" in set(Notification.objects.filter(case=case).values_list("person__name", flat=True))
    page.reload()
    expect(page.get_by_test_id("receipt-code")).to_have_text(code_element.inner_text())
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Your receipt code")).to_be_visible()
    assert digits(page.get_by_test_id("receipt-code").inner_text()) == code
    shot(page, "receipt-in-english")
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert Case.objects.count() == 1

    # 5. The report to re-read, and a status that says what comes next.
    page.get_by_role("link", name="Ik heb de code bewaard, naar mijn postvak").click()
    report = page.get_by_test_id("my-report")
    expect(report).to_contain_text(DESCRIPTION)
    expect(report).to_contain_text("Henk Bosman")
    expect(page.get_by_test_id("status-text")).to_contain_text("neemt een behandelaar via dit postvak contact")
    expect(page.get_by_test_id("open-how-long")).to_contain_text("30 minuten")
    shot(page, "inbox")

    # 4. A long reply, sent after the inbox closed: kept, and sent once the code is in.
    page.get_by_label("Uw bericht").fill(REPLY)
    close_inboxes_as_after_half_an_hour()
    page.get_by_role("button", name="Versturen", exact=True).click()
    expect(page.get_by_test_id("message-kept")).to_be_visible()
    expect(page.get_by_label("Uw bericht")).to_have_value(REPLY)
    shot(page, "reply-kept")
    page.get_by_label("Uw ontvangstcode").fill(code)
    page.get_by_role("button", name="Postvak openen en bericht versturen").click()
    expect(page.get_by_role("status").filter(has_text="Uw bericht is verstuurd.")).to_be_visible()
    expect(page.get_by_test_id("message").last).to_contain_text("Dat was alles.")
    assert case.messages.filter(author=Message.Author.MELDER).count() == 1
    shot(page, "reply-sent")


def test_a_double_click_on_send_stores_one_report(demo, live_server, new_context, shot):
    base = live_server.url
    page = new_context(javascript=False, viewport=PHONE).new_page()
    fill_report(page, base)
    page.get_by_label("Zoek op naam of functie").fill("")
    page.get_by_role("button", name="Melding versturen").dblclick()
    expect(page.get_by_test_id("receipt-code")).to_be_visible()
    shot(page, "receipt-after-double-click")
    page.reload()
    expect(page.get_by_test_id("receipt-code")).to_be_visible()
    assert Case.objects.count() == 1
