"""Stored XSS, rendered by a real browser: hostile text in a report, in a
typed-in person, in a message and in file names, opened by the handler and by
the reporter in Chromium with JavaScript on.

Tried (tests/hostile.py): ``"'><img src=x data-injected onerror=alert(1)>``
and ``<svg onload=alert(2)>`` in the description, a typed name and function,
the handler's message and attachment file names. Nothing may open a dialog,
no element with ``data-injected`` may exist, and each payload is on the page
as text.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from meldpunt.cases.actions import FileInput, SubjectInput, submit_report
from tests.browser.journeys import ORG, staff_login, totp_code
from tests.conftest import verified_client
from tests.factories import ReportInputFactory
from tests.hostile import INJECTED, file_payload, payload

pytestmark = pytest.mark.browser

DESCRIPTION = payload("XSS-omschrijving")
TYPED_NAME = payload("XSS-naam")
MESSAGE = payload("XSS-bericht")
FILE_NAME = file_payload("XSS-bestand") + ".txt"
REPLY_FILE = file_payload("XSS-antwoordbestand") + ".txt"


def assert_harmless(page, dialogs, *texts):
    page.wait_for_load_state("load")
    assert page.locator(f"[{INJECTED}]").count() == 0
    assert dialogs == [], dialogs
    for text in texts:
        expect(page.locator("body")).to_contain_text(text)


def test_hostile_text_and_file_names_render_as_text_for_handler_and_reporter(demo, live_server, new_context, shot):
    base = live_server.url
    subjects = [SubjectInput(role="beschuldigde", name=TYPED_NAME, function=TYPED_NAME)]
    files = [FileInput(name=FILE_NAME, content_type="text/plain", data=b"tekst\n")]
    case, code = submit_report(demo, ReportInputFactory(description=DESCRIPTION, subjects=subjects, files=files))
    handler_client = verified_client("behandelaar1")
    reply = {"body": MESSAGE, "files": [SimpleUploadedFile(REPLY_FILE, b"tekst\n", "text/plain")]}
    assert handler_client.post(f"/behandelen/zaak/{case.reference}/", reply).status_code == 302

    handler = new_context().new_page()
    dialogs = []
    handler.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    staff_login(handler, base, "behandelaar1", totp_code("behandelaar1"))
    assert_harmless(handler, dialogs)
    handler.goto(f"{base}/behandelen/zaak/{case.reference}/")
    assert_harmless(handler, dialogs, DESCRIPTION, TYPED_NAME, MESSAGE, FILE_NAME, REPLY_FILE)
    shot(handler, "handler-case")
    handler.goto(f"{base}/behandelen/zaak/{case.reference}/logboek/")
    assert_harmless(handler, dialogs)

    reporter = new_context().new_page()
    reporter.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    reporter.goto(f"{base}/{ORG}/postvak/")
    reporter.get_by_label("Uw ontvangstcode").fill(str(code))
    reporter.get_by_role("button", name="Postvak openen").click()
    expect(reporter).to_have_url(f"{base}/{ORG}/postvak/melding/")
    assert_harmless(reporter, dialogs, DESCRIPTION, TYPED_NAME, MESSAGE, FILE_NAME, REPLY_FILE)
    shot(reporter, "reporter-inbox")
