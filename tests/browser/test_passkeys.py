"""A handler adds a passkey on Mijn account and logs in with it instead of the
TOTP code, in Chromium with a virtual authenticator (CDP WebAuthn domain).

WebAuthn needs a secure context and a domain as relying party id: the live
server is opened as http://localhost:<port>, and the relying party follows
from that address as MELDPUNT_BASE_URL would give it."""

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from meldpunt.accounts.relying_party import relying_party
from meldpunt.audit.models import AuditEvent
from meldpunt.demo import data
from tests.browser.journeys import staff_login, totp_code

pytestmark = pytest.mark.browser


def test_handler_enrols_a_passkey_and_logs_in_with_it(demo, live_server, new_context, shot, settings):
    base = live_server.url.replace("127.0.0.1", "localhost")
    party = relying_party(base)
    settings.PASSKEYS_ENABLED = party.secure
    settings.OTP_WEBAUTHN_RP_ID = party.rp_id
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [party.origin]

    context = new_context()
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )["authenticatorId"]

    # Enrolment: logged in with the authenticator app, Mijn account, Passkey toevoegen.
    staff_login(page, base, "behandelaar1", totp_code("behandelaar1"))
    expect(page).to_have_url(f"{base}/behandelen/")
    page.get_by_role("link", name="Mijn account").click()
    expect(page.get_by_role("heading", name="Mijn account")).to_be_visible()
    shot(page, "account")
    page.get_by_role("button", name="Passkey toevoegen").click()
    expect(page.get_by_text("Passkey 1 is toegevoegd.")).to_be_visible()
    expect(page.get_by_test_id("factor-passkey")).to_contain_text("Passkey 1")
    shot(page, "account-with-passkey")
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1
    assert WebAuthnCredential.objects.filter(user__username="behandelaar1").count() == 1
    assert AuditEvent.objects.filter(action="account.passkey_added", actor="staff:behandelaar1").count() == 1

    # Login: password, then the passkey instead of the code.
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(f"{base}/account/inloggen/")
    page.locator("#id_username").fill("behandelaar1")
    page.locator("#id_password").fill(data.DEMO_PASSWORD)
    shot(page, "login")
    page.get_by_role("button", name="Inloggen met een passkey").click()
    expect(page).to_have_url(f"{base}/account/inloggen/passkey/bevestigen/")
    shot(page, "login-passkey-step")
    page.get_by_role("button", name="Inloggen met een passkey").click()
    expect(page).to_have_url(f"{base}/behandelen/")
    expect(page.get_by_role("heading", name="Meldingen en signalen")).to_be_visible()
    shot(page, "logged-in-with-passkey")

    passkey = WebAuthnCredential.objects.get(user__username="behandelaar1")
    assert passkey.last_used_at is not None
    assert problems == [], problems  # no CSP violation, no script error


def test_account_page_and_passkey_step_have_no_serious_accessibility_problems(demo, live_server, new_context, shot):
    from axe_playwright_python.sync_playwright import Axe
    from django.contrib.auth import get_user_model

    base = live_server.url
    # A stored passkey (its key is never used here) lets the password step pass.
    WebAuthnCredential.objects.create(
        user=get_user_model().objects.get(username="behandelaar1"),
        name="Passkey 1",
        credential_id=b"not-a-real-credential",
        public_key=b"",
        sign_count=0,
        confirmed=True,
    )
    # axe runs as script in the page, so this context bypasses the CSP (the test above keeps it).
    page = new_context(bypass_csp=True).new_page()
    axe = Axe()
    blocking = []

    def check(name):
        shot(page, name)
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in {"critical", "serious"}:
                blocking.append(f"{name}: {violation['id']}: {violation['help']}")

    staff_login(page, base, "behandelaar1", totp_code("behandelaar1"))
    page.goto(f"{base}/account/")
    check("account")
    page.get_by_role("button", name="Uitloggen").click()
    page.locator("#id_username").fill("behandelaar1")
    page.locator("#id_password").fill(data.DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen met een passkey").click()
    expect(page.get_by_role("button", name="Inloggen met een passkey")).to_be_visible()
    check("passkey-step")
    assert blocking == [], "\n".join(blocking)
