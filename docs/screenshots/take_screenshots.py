"""Phone screenshots (390 px wide) of the reporter's start page, form and receipt.

Run against a running Meldpunt with the demo loaded (``make run``, or gunicorn on
another port), with Debian's Chromium; nothing is downloaded:

    .venv/bin/python docs/screenshots/take_screenshots.py http://127.0.0.1:8000

Writes docs/screenshots/phone-start.png, phone-form.png, phone-form-search.png
and phone-receipt.png. The receipt shows a real receipt code of the demo
database it ran against; use a throwaway demo database.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
PHONE = {"width": 390, "height": 844}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def main(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_context(viewport=PHONE, locale="nl-NL", device_scale_factor=2).new_page()
        page.goto(f"{base}/voorbeeldstad/")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.screenshot(path=HERE / "phone-start.png")
        page.get_by_role("link", name="Melding maken").click()
        page.evaluate("document.fonts.ready.then(() => true)")
        page.screenshot(path=HERE / "phone-form.png")
        page.get_by_label("Inwoner of burger").check()
        page.get_by_label("Ja, ik meld anoniem").check()
        page.get_by_label("Zoek op naam of functie").fill("wethouder Wonen")
        page.get_by_role("button", name="Zoeken").click()
        page.screenshot(path=HERE / "phone-form-search.png")
        page.get_by_label("Henk Bosman").select_option("beschuldigde")
        page.get_by_label("Wat is er gebeurd?").fill(
            "Tijdens het spreekuur maakte de wethouder opmerkingen over mijn uiterlijk. (Voorbeeldtekst.)"
        )
        page.get_by_label("Gehoord worden").check()
        page.get_by_role("button", name="Melding versturen").click()
        page.locator("h1").wait_for()
        page.screenshot(path=HERE / "phone-receipt.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
