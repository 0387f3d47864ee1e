"""Steps shared by the browser tests: the reporter's journey and the staff login."""

import re
from collections.abc import Callable

from django_otp.oath import totp
from playwright.sync_api import Page, expect

from meldpunt.cases.receipts import CODE_DIGITS
from meldpunt.demo import data

ORG = "voorbeeldstad"
DESCRIPTION = (
    "Tijdens het spreekuur over mijn bouwvergunning maakte de wethouder opmerkingen over mijn uiterlijk "
    "en hield hij mijn hand veel te lang vast. Dat gebeurde twee keer."
)

OnPage = Callable[[Page, str], None]


def totp_code(username: str) -> str:
    return f"{totp(bytes.fromhex(data.demo_totp_key(username))):06d}"


def wrong_totp_code(username: str) -> str:
    """A six-digit code that is not valid now, nor one step before or after."""
    key = bytes.fromhex(data.demo_totp_key(username))
    valid = {totp(key, drift=d) for d in (-2, -1, 0, 1, 2)}
    return next(f"{n:06d}" for n in range(123456, 999999) if n not in valid)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def report_anonymously(
    page: Page, base_url: str, on_page: OnPage, *, dutch: bool = True, description: str = DESCRIPTION
) -> str:
    """From the start page to the inbox; returns the receipt code (digits only).

    With ``dutch`` the steps find everything by its Dutch label, as a person
    would; without, by language-independent attributes (names, values, the
    wethouder's name), so the same steps work in any interface language.
    ``on_page(page, name)`` runs once on every page reached.
    """
    if page.url.rstrip("/") != f"{base_url}/{ORG}":
        page.goto(f"{base_url}/{ORG}/")
    expect(page.locator("h1")).to_be_visible()
    on_page(page, "start")

    if dutch:
        page.get_by_role("link", name="Melding maken").click()
    else:
        page.locator(f'main a[href="/{ORG}/melden/"]').click()
    expect(page.locator("#id_description")).to_be_visible()
    on_page(page, "report-form")

    if dutch:
        page.get_by_label("Inwoner of burger").check()
        page.get_by_label("Ja, ik meld anoniem").check()
        page.get_by_label("Zoek op naam of functie").fill("wethouder Wonen")
        page.get_by_role("button", name="Zoeken").click()
    else:
        page.locator('input[name="relation"][value="inwoner"]').check()
        page.locator('input[name="anonymous"][value="ja"]').check()
        page.locator("#id_search").fill("wethouder Wonen")
        page.locator('button[name="action"][value="zoek"]').click()
    henk = page.get_by_label("Henk Bosman")
    expect(henk).to_be_visible()
    on_page(page, "search-results")

    if dutch:
        henk.select_option(label="Gaat over deze persoon")
        page.get_by_label("Wat is er gebeurd?", exact=True).fill(description)
        page.get_by_label("Gehoord worden").check()
        page.get_by_role("button", name="Melding versturen").click()
    else:
        henk.select_option("beschuldigde")
        page.locator("#id_description").fill(description)
        page.locator('input[name="wishes"][value="gehoord"]').check()
        page.locator('button[name="action"][value="verstuur"]').click()
    code_element = page.get_by_test_id("receipt-code")
    expect(code_element).to_be_visible()
    code = digits(code_element.inner_text())
    assert len(code) == CODE_DIGITS, code
    on_page(page, "receipt")

    if dutch:
        page.get_by_role("link", name="Ik heb de code bewaard, naar mijn postvak").click()
    else:
        page.locator(f'main a[href="/{ORG}/postvak/melding/"]').click()
    expect(page.get_by_test_id("case-state")).to_be_visible()
    on_page(page, "inbox")
    return code


def staff_login(page: Page, base_url: str, username: str, code: str) -> None:
    page.goto(f"{base_url}/account/inloggen/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(data.DEMO_PASSWORD)
    page.locator("#id_otp_token").fill(code)
    page.get_by_role("button", name="Inloggen", exact=True).click()
