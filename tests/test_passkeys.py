"""Passkeys as a second factor beside TOTP: enrolled on Mijn account, used
after the password at login, never the last factor removed, audited.

The passkey answers come from tests/soft_authenticator.py (a P-256 key in
Python); tests/browser/test_passkeys.py does the same in Chromium."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from meldpunt.accounts import passkeys
from meldpunt.accounts.relying_party import relying_party
from meldpunt.audit.log import verify_all
from meldpunt.audit.models import AuditEvent
from meldpunt.demo.data import DEMO_PASSWORD
from tests.conftest import verified_client
from tests.soft_authenticator import ORIGIN, RP_ID, SoftAuthenticator, b64url

LOGIN = "/account/inloggen/"
PASSKEY_LOGIN = "/account/inloggen/passkey/"
REGISTER_BEGIN = "/account/passkeys/registreren/begin/"
REGISTER_COMPLETE = "/account/passkeys/registreren/klaar/"
LOGIN_BEGIN = "/account/passkeys/inloggen/begin/"
LOGIN_COMPLETE = "/account/passkeys/inloggen/klaar/"


@pytest.fixture(autouse=True)
def relying_party_settings(settings):
    settings.PASSKEYS_ENABLED = True
    settings.OTP_WEBAUTHN_RP_ID = RP_ID
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]


def post_json(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def enrol(client, authenticator):
    options = post_json(client, REGISTER_BEGIN)
    assert options.status_code == 200, options.content
    return post_json(client, REGISTER_COMPLETE, authenticator.create(options.json()))


def user(username):
    return get_user_model().objects.get(username=username)


def password_step(client, username="behandelaar1", password=DEMO_PASSWORD):
    return client.post(PASSKEY_LOGIN, {"username": username, "password": password, "next": ""})


# Enrolment ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_account_page_lists_the_factors_and_loads_only_external_script(organisation):
    page = verified_client("behandelaar1").get("/account/").content.decode()
    assert "Mijn account" in page
    assert "Authenticator-app" in page
    assert "Passkey toevoegen" in page
    assert "Uw enige tweede factor" in page  # TOTP alone: nothing to remove
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts
    for attributes, body in scripts:
        # Every script is a file of Meldpunt's own origin, or a JSON data block.
        assert 'src="/' in attributes or ('type="application/json"' in attributes and body.strip().startswith("{"))
        if 'src="/' in attributes:
            assert body.strip() == ""
    assert 'src="/static/django_otp_webauthn/otp_webauthn_register.js"' in page


@pytest.mark.django_db
def test_enrolling_a_passkey_lists_it_and_audits_it(organisation):
    client = verified_client("behandelaar1")
    response = enrol(client, SoftAuthenticator())
    assert response.status_code == 200, response.content
    passkey = WebAuthnCredential.objects.get(user__username="behandelaar1")
    assert passkey.name == "Passkey 1"

    page = client.get("/account/").content.decode()
    assert "Passkey 1 is toegevoegd." in page
    assert "Passkey 1 verwijderen" in page

    event = AuditEvent.objects.get(action="account.passkey_added")
    assert event.actor == "staff:behandelaar1"
    assert event.detail == {"passkey": "Passkey 1", "passkey_id": passkey.pk}
    assert event.chain == f"org:{organisation.pk}"
    assert all(report.ok for report in verify_all())


@pytest.mark.django_db
def test_an_answer_for_another_origin_is_refused_and_stores_nothing(organisation):
    """Tried: a passkey created on http://elders.example for Meldpunt's challenge."""
    client = verified_client("behandelaar1")
    response = enrol(client, SoftAuthenticator(origin="http://elders.example"))
    assert response.status_code == 422
    assert not WebAuthnCredential.objects.exists()
    assert not AuditEvent.objects.filter(action="account.passkey_added").exists()


# Login -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_password_then_passkey_opens_the_case_list(organisation):
    authenticator = SoftAuthenticator()
    assert enrol(verified_client("behandelaar1"), authenticator).status_code == 200

    client = Client()
    step = password_step(client)
    assert step.status_code == 302 and step.url == "/account/inloggen/passkey/bevestigen/"
    assert client.get("/behandelen/").status_code == 302  # not logged in yet
    page = client.get(step.url).content.decode()
    assert "Inloggen met een passkey" in page
    assert 'src="/static/django_otp_webauthn/otp_webauthn_auth.js"' in page

    options = post_json(client, LOGIN_BEGIN).json()
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(authenticator.credential_id)]
    done = post_json(client, LOGIN_COMPLETE, authenticator.get(options))
    assert done.status_code == 200, done.content
    assert done.json()["redirect_url"] == "/behandelen/"
    cases = client.get("/behandelen/").content.decode()
    assert "Meldingen en signalen" in cases
    passkey = WebAuthnCredential.objects.get(user__username="behandelaar1")
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id


@pytest.mark.django_db
def test_the_passkey_of_another_user_does_not_log_in(organisation):
    """Tried: behandelaar1's password, then behandelaar2's passkey."""
    other = SoftAuthenticator()
    assert enrol(verified_client("behandelaar2"), other).status_code == 200
    assert enrol(verified_client("behandelaar1"), SoftAuthenticator()).status_code == 200

    client = Client()
    password_step(client, "behandelaar1")
    options = post_json(client, LOGIN_BEGIN).json()
    done = post_json(client, LOGIN_COMPLETE, other.get(options))
    assert done.status_code == 403
    assert client.get("/behandelen/").status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_never_reaches_the_passkey(organisation):
    assert enrol(verified_client("behandelaar1"), SoftAuthenticator()).status_code == 200
    client = Client()
    response = password_step(client, password="verkeerd-wachtwoord")
    assert response.status_code == 200
    assert "Deze combinatie van gebruikersnaam en wachtwoord klopt niet" in response.content.decode()
    assert post_json(client, LOGIN_BEGIN).status_code == 403
    assert client.get("/account/inloggen/passkey/bevestigen/").status_code == 302


@pytest.mark.django_db
def test_totp_login_still_works_beside_passkeys(organisation):
    from django_otp.oath import totp

    assert enrol(verified_client("behandelaar1"), SoftAuthenticator()).status_code == 200
    device = TOTPDevice.objects.get(user__username="behandelaar1")
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    client = Client()
    page = client.get(LOGIN).content.decode()
    assert "Inloggen met een passkey" in page
    response = client.post(LOGIN, {"username": "behandelaar1", "password": DEMO_PASSWORD, "otp_token": code})
    assert response.status_code == 302
    assert client.get("/behandelen/").status_code == 200


# Only a password -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_user_with_only_a_password_cannot_reach_staff_pages(organisation):
    TOTPDevice.objects.filter(user__username="behandelaar1").delete()
    client = Client()

    # Neither way of logging in lets the password alone through.
    totp_try = client.post(LOGIN, {"username": "behandelaar1", "password": DEMO_PASSWORD, "otp_token": "123456"})
    assert totp_try.status_code == 200 and "klopt niet" in totp_try.content.decode()
    passkey_try = password_step(client)
    assert passkey_try.status_code == 200
    assert "of er is voor dit account geen passkey ingesteld" in passkey_try.content.decode()
    assert post_json(client, LOGIN_BEGIN).status_code == 403

    # Even a session that passed the password only (no second factor) gets nowhere.
    client.force_login(user("behandelaar1"))
    for url in ["/behandelen/", "/account/", "/beheer/"]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(LOGIN), url
    # ...and cannot give itself a passkey to get past the second factor.
    assert post_json(client, REGISTER_BEGIN).status_code == 403
    assert (
        post_json(
            client, REGISTER_COMPLETE, SoftAuthenticator().create({"rp": {"id": RP_ID}, "challenge": "eA"})
        ).status_code
        == 403
    )
    assert not WebAuthnCredential.objects.exists()


# Removing ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_removing_a_passkey_is_audited(organisation):
    client = verified_client("behandelaar1")  # verified with the authenticator app
    assert enrol(client, SoftAuthenticator()).status_code == 200
    passkey = WebAuthnCredential.objects.get()

    response = client.post(f"/account/passkeys/{passkey.pk}/verwijderen/", follow=True)
    assert "Passkey 1 is verwijderd." in response.content.decode()
    assert not WebAuthnCredential.objects.exists()
    event = AuditEvent.objects.get(action="account.passkey_removed")
    assert event.actor == "staff:behandelaar1"
    assert event.detail == {"passkey": "Passkey 1", "passkey_id": passkey.pk}
    assert all(report.ok for report in verify_all())


@pytest.mark.django_db
def test_removing_the_last_factor_is_refused(organisation):
    """Tried: an account whose only factor is one passkey removes it."""
    authenticator = SoftAuthenticator()
    assert enrol(verified_client("behandelaar1"), authenticator).status_code == 200
    TOTPDevice.objects.filter(user__username="behandelaar1").delete()
    passkey = WebAuthnCredential.objects.get()
    client = Client()
    password_step(client)
    options = post_json(client, LOGIN_BEGIN).json()
    assert post_json(client, LOGIN_COMPLETE, authenticator.get(options)).status_code == 200

    page = client.get("/account/").content.decode()
    assert "Passkey 1 verwijderen" not in page
    response = client.post(f"/account/passkeys/{passkey.pk}/verwijderen/", follow=True)
    assert "Dit is uw enige tweede factor" in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert not AuditEvent.objects.filter(action="account.passkey_removed").exists()

    # The rule holds in the action itself, not only on the page.
    with pytest.raises(passkeys.LastFactor):
        passkeys.remove_passkey(user("behandelaar1"), passkey.pk)
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


@pytest.mark.django_db
def test_the_passkey_of_this_session_and_someone_elses_are_not_removed(organisation):
    authenticator = SoftAuthenticator()
    assert enrol(verified_client("behandelaar1"), authenticator).status_code == 200
    passkey = WebAuthnCredential.objects.get()
    client = Client()
    password_step(client)
    options = post_json(client, LOGIN_BEGIN).json()
    assert post_json(client, LOGIN_COMPLETE, authenticator.get(options)).status_code == 200

    response = client.post(f"/account/passkeys/{passkey.pk}/verwijderen/", follow=True)
    assert "U bent nu ingelogd met deze passkey" in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()

    # Tried: behandelaar2 removes behandelaar1's passkey by its number.
    other = verified_client("behandelaar2")
    assert other.post(f"/account/passkeys/{passkey.pk}/verwijderen/").status_code == 404
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


# Where passkeys belong ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url, rp_id, expected",
    [
        ("http://127.0.0.1:8000", "", ("localhost", "http://localhost:8000", True)),
        ("http://localhost:8123/", "", ("localhost", "http://localhost:8123", True)),
        (
            "https://meldpunt.voorbeeldstad.nl",
            "",
            ("meldpunt.voorbeeldstad.nl", "https://meldpunt.voorbeeldstad.nl", True),
        ),
        (
            "https://meldpunt.voorbeeldstad.nl",
            "voorbeeldstad.nl",
            ("voorbeeldstad.nl", "https://meldpunt.voorbeeldstad.nl", True),
        ),
        ("http://meldpunt.intern:8000", "", ("meldpunt.intern", "http://meldpunt.intern:8000", False)),
    ],
)
def test_relying_party_follows_the_base_url(base_url, rp_id, expected):
    party = relying_party(base_url, rp_id)
    assert (party.rp_id, party.origin, party.secure) == expected


@pytest.mark.parametrize("base_url, rp_id", [("https://meldpunt.voorbeeldstad.nl", "anders.nl"), ("meldpunt", "")])
def test_a_relying_party_that_cannot_work_stops_start_up(base_url, rp_id):
    with pytest.raises(ImproperlyConfigured):
        relying_party(base_url, rp_id)


@pytest.mark.django_db
def test_without_a_secure_origin_passkeys_are_off(organisation, settings):
    settings.PASSKEYS_ENABLED = False
    assert "Inloggen met een passkey" not in Client().get(LOGIN).content.decode()
    client = verified_client("behandelaar1")
    assert "niet beschikbaar" in client.get("/account/").content.decode()
    assert post_json(client, REGISTER_BEGIN).status_code == 404


@pytest.mark.django_db
def test_reporter_pages_still_have_no_script(organisation):
    """The passkey scripts are for staff pages only."""
    client = Client()
    for url in ["/voorbeeldstad/", "/voorbeeldstad/melden/", "/voorbeeldstad/postvak/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<script" not in response.content.decode(), url


@pytest.mark.django_db
def test_account_page_in_english(organisation):
    client = verified_client("behandelaar1")
    client.cookies["django_language"] = "en"
    page = client.get("/account/").content.decode()
    for shown in ["My account", "Your second factors", "Authenticator app", "Add a passkey"]:
        assert shown in page, shown
    assert "Mijn account" not in page
