"""The proof of filing in a phone browser: the reporter copies the proof's
text from the inbox and a third party checks it on the public page."""

import pytest
from playwright.sync_api import expect

from meldpunt.cases.models import Case
from tests.browser.conftest import PHONE
from tests.browser.journeys import report_anonymously

pytestmark = pytest.mark.browser


def test_the_reporter_copies_the_proof_and_anyone_checks_it(demo, live_server, new_context, shot):
    page = new_context(viewport=PHONE).new_page()
    report_anonymously(page, live_server.url, lambda p, name: shot(p, name))
    case = Case.objects.get()

    section = page.get_by_test_id("filing-proof")
    expect(section).to_be_visible()
    expect(page.get_by_test_id("proof-pdf")).to_be_visible()
    page.get_by_text("Het bewijs als tekst, om te kopiëren").click()
    block = page.get_by_test_id("proof-block")
    expect(block).to_be_visible()
    shot(page, "inbox-proof")
    text = block.input_value()
    assert f"zaak: {case.reference}" in text

    # Someone else, without the inbox, checks it.
    other = new_context(viewport=PHONE).new_page()
    other.goto(f"{live_server.url}/bewijs/")
    other.get_by_label("Plak hier het bewijs").fill(text)
    other.get_by_role("button", name="Controleren", exact=True).click()
    verdict = other.get_by_test_id("verdict")
    expect(verdict).to_contain_text("Geldig")
    expect(verdict).to_contain_text(case.reference)
    expect(verdict).to_contain_text("Gemeente Voorbeeldstad")
    shot(other, "verified")

    # One changed character in the digest: not valid.
    digest_line = next(line for line in text.splitlines() if line.startswith("sha256: "))
    changed = digest_line[:-1] + ("0" if digest_line[-1] != "0" else "1")
    other.get_by_label("Plak hier het bewijs").fill(text.replace(digest_line, changed))
    other.get_by_role("button", name="Controleren", exact=True).click()
    expect(other.get_by_test_id("verdict")).to_contain_text("Niet geldig")
    shot(other, "not-valid")

    other.goto(f"{live_server.url}/bewijs/sleutels/")
    expect(other.get_by_test_id("organisation-keys").first).to_contain_text("Gemeente Voorbeeldstad")
    shot(other, "keys")
