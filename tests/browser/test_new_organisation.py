"""A new organisation set up without a shell: the command, the functional
admin's set-up link with TOTP enrolment from the page, the registry with its
history imported from one file through /beheer/import/ (one login made by the
file's gebruikersnaam column), a handler's login made by that admin, and the
handler seeing only that organisation's cases."""

import base64
import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_otp.oath import totp
from playwright.sync_api import expect

from meldpunt.registry.models import Person, Position
from tests.factories import report_about

pytestmark = pytest.mark.browser
PASSWORD = "een lange zin als wachtwoord"
# Gemeente Waterdam's registry with its history (every name made up).
HISTORY_FILE = """code;functie;categorie;portefeuille;afdeling;plaatsvervanger;naam;begindatum;einddatum;gebruikersnaam
burgemeester;Burgemeester;burgemeester;Openbare orde;;weth-financien;M. Bakker;2019-01-01;;
weth-wonen;Wethouder Wonen;wethouder;Wonen;;;P. Hagen;2014-03-01;2021-07-31;
weth-wonen;Wethouder Wonen;wethouder;Wonen;;;K. Smits;2021-08-01;;
weth-financien;Wethouder Financiën;wethouder;Sport;;;L. Dam;2014-03-01;2021-07-31;
weth-financien;Wethouder Financiën;wethouder;Financiën;;;L. Dam;2021-08-01;;
gemeentesecretaris;Gemeentesecretaris;gemeentesecretaris;;Directie;;T. Veen;2010-01-01;;
behandelaar;Behandelaar;behandelaar;;Integriteitsbureau;;B. Jansen;2020-01-01;;
behandelaar-2;Behandelaar;behandelaar;;Integriteitsbureau;;C. de Boer;2020-01-01;;cdeboer
"""


def code_from_page(page, ahead: int = 0) -> str:
    """What an authenticator app shows for the secret typed from the page (``ahead`` steps of 30 s later)."""
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, t0=-30 * ahead):06d}", secret


def enrol(page, url, shot, name):
    page.goto(url)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    expect(page.locator("svg.meldpunt-qr")).to_be_visible()
    code, secret = code_from_page(page)
    shot(page, f"{name}-setup")
    page.locator("#id_code").fill(code)
    page.get_by_role("button", name="Instellen en inloggen").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    shot(page, f"{name}-recovery-codes")
    return secret


def test_new_organisation_admin_enrols_and_gives_a_handler_a_login(demo, live_server, new_context, shot, settings):
    base = live_server.url
    settings.BASE_URL = base
    out = io.StringIO()
    call_command(
        "create_organisation",
        "--slug=waterdam",
        "--name=Gemeente Waterdam",
        "--integrity-office-email=integriteit@waterdam.example",
        "--admin-name=A. de Vries",
        "--admin-username=adevries",
        stdout=out,
    )
    admin_link = re.search(r"http\S+/account/instellen/\S+/", out.getvalue()).group(0)

    admin = new_context().new_page()
    enrol(admin, admin_link, shot, "admin")

    # The registry of Waterdam with its history, from ONE file through the import page:
    # a wethouder Wonen who resigned and his successor, a wethouder whose portfolio
    # changed, the locoburgemeester, two handlers (one given a login by the file).
    admin.goto(f"{base}/beheer/import/")
    admin.locator("#id_file").set_input_files(
        files=[{"name": "waterdam.csv", "mimeType": "text/csv", "buffer": HISTORY_FILE.encode()}]
    )
    admin.get_by_role("button", name="Controleren en inlezen").click()
    # The import checks and stores the whole file and routes every case again: on a busy machine, seconds.
    expect(admin.get_by_text("Het bestand is ingelezen")).to_be_visible(timeout=30_000)
    new_logins = admin.locator("#new-logins-table")
    expect(new_logins).to_contain_text("C. de Boer")
    expect(new_logins.locator('[data-username="cdeboer"]')).to_contain_text("/account/instellen/")
    shot(admin, "admin-history-import")
    waterdam = Person.objects.get(name="A. de Vries").organisation
    handler_person = Person.objects.get(organisation=waterdam, name="B. Jansen")
    dam = Person.objects.get(organisation=waterdam, name="L. Dam")
    assert [
        (a.person.name, a.end_date)
        for a in Position.objects.get(organisation=waterdam, code="weth-wonen").appointments.order_by("start_date")
    ] == [("P. Hagen", datetime.date(2021, 7, 31)), ("K. Smits", None)]
    admin.goto(f"{base}/beheer/personen/{dam.pk}/")
    expect(admin.get_by_role("cell", name="Sport", exact=True)).to_be_visible()  # the old portfolio, kept
    expect(admin.get_by_role("cell", name="Financiën", exact=True)).to_be_visible()

    # Case numbers count per organisation: Voorbeeldstad gets two, so its second number exists only there.
    report_about(demo)
    theirs, _code = report_about(demo)
    ours, _code = report_about(waterdam)
    assert theirs.reference != ours.reference

    admin.goto(f"{base}/beheer/personen/{handler_person.pk}/")
    admin.locator("#person-login-link").click()
    admin.locator("#id_username").fill("bjansen")
    admin.get_by_role("button", name="Login maken").click()
    handler_link = admin.locator("#setup-url").inner_text()
    shot(admin, "admin-handler-login")

    handler = new_context().new_page()
    enrol(handler, handler_link, shot, "handler")
    handler.goto(f"{base}/behandelen/")
    expect(handler.get_by_role("link", name=ours.reference)).to_be_visible()
    expect(handler.get_by_role("link", name=theirs.reference)).to_have_count(0)

    # A fresh login with the app's next code (the one used at enrolment cannot be used twice).
    fresh = new_context().new_page()
    fresh.goto(f"{base}/account/inloggen/")
    fresh.locator("#id_username").fill("bjansen")
    fresh.locator("#id_password").fill(PASSWORD)
    device = get_user_model().objects.get(username="bjansen").totpdevice_set.get(confirmed=True)
    fresh.locator("#id_otp_token").fill(f"{totp(device.bin_key, t0=-30):06d}")
    fresh.get_by_role("button", name="Inloggen", exact=True).click()
    expect(fresh).to_have_url(f"{base}/behandelen/")
    expect(fresh.get_by_role("link", name=ours.reference)).to_be_visible()
    shot(fresh, "handler-cases")
