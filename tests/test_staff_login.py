"""Staff log in with username, password and a TOTP code (django-otp)."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.demo.data import DEMO_PASSWORD

LOGIN = "/account/inloggen/"
NEUTRAL = "Deze combinatie van gebruikersnaam, wachtwoord en code klopt niet."


def current_code(username):
    device = TOTPDevice.objects.get(user__username=username)
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


@pytest.mark.django_db
def test_login_with_password_and_code_opens_the_case_list(client, organisation):
    response = client.post(
        LOGIN, {"username": "behandelaar1", "password": DEMO_PASSWORD, "otp_token": current_code("behandelaar1")}
    )
    assert response.status_code == 302
    page = client.get("/behandelen/").content.decode()
    assert "Meldingen en signalen" in page
    assert "Ingrid Vos" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password, token, message",
    [
        ("verkeerd-wachtwoord", None, NEUTRAL),
        (DEMO_PASSWORD, "000000", NEUTRAL),
        (DEMO_PASSWORD, "", "Vul de code uit uw authenticator-app in."),
        (DEMO_PASSWORD, "abc", NEUTRAL),
    ],
)
def test_wrong_password_or_code_gives_a_message_and_no_access(client, organisation, password, token, message):
    if token is None:
        token = current_code("behandelaar1")
    response = client.post(LOGIN, {"username": "behandelaar1", "password": password, "otp_token": token})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'value="behandelaar1"' in response.content.decode()  # username kept
    assert client.get("/behandelen/").status_code == 302


@pytest.mark.django_db
def test_repeated_wrong_codes_are_throttled(client, organisation):
    for _ in range(3):
        client.post(LOGIN, {"username": "behandelaar1", "password": DEMO_PASSWORD, "otp_token": "000000"})
    response = client.post(
        LOGIN, {"username": "behandelaar1", "password": DEMO_PASSWORD, "otp_token": current_code("behandelaar1")}
    )
    # django-otp still throttles the device, but the page says no more than for any other mistake.
    assert NEUTRAL in response.content.decode()
    assert client.get("/behandelen/").status_code == 302


@pytest.mark.django_db
def test_account_without_second_factor_cannot_log_in(client, organisation):
    TOTPDevice.objects.filter(user__username="behandelaar1").delete()
    response = client.post(LOGIN, {"username": "behandelaar1", "password": DEMO_PASSWORD, "otp_token": "123456"})
    assert NEUTRAL in response.content.decode()
    assert "tweede factor" not in response.content.decode()


@pytest.mark.django_db
def test_a_used_code_cannot_be_replayed(client, organisation):
    from django.test import Client

    code = current_code("behandelaar1")
    client.post(LOGIN, {"username": "behandelaar1", "password": DEMO_PASSWORD, "otp_token": code})
    other = Client()
    response = other.post(LOGIN, {"username": "behandelaar1", "password": DEMO_PASSWORD, "otp_token": code})
    assert NEUTRAL in response.content.decode()


@pytest.mark.django_db
def test_password_guessing_is_stopped_per_client_and_per_username(client, organisation, settings):
    """Tried: wrong passwords for behandelaar1 until the limit, then the right one."""
    from django.test import Client

    from meldpunt import throttle

    throttle.forget()
    settings.LOGIN_FAILURES_ALLOWED = 3
    # The username's own limit, here as small as the client's (by default five times
    # larger, tests/test_attack_bruteforce.py), to show spread-out guessing stopped.
    settings.LOGIN_FAILURES_PER_USERNAME = 3
    for _ in range(3):
        client.post(LOGIN, {"username": "behandelaar1", "password": "raden", "otp_token": "000000"})
    right = {"username": "behandelaar1", "password": DEMO_PASSWORD, "otp_token": current_code("behandelaar1")}
    response = client.post(LOGIN, right)
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in response.content.decode()
    assert client.get("/behandelen/").status_code == 302

    # From another address, the same username is blocked too (spread-out guessing)...
    other = Client(REMOTE_ADDR="198.51.100.23")
    assert other.post(LOGIN, right).status_code == 429
    # ...but another account is not.
    fine = {"username": "behandelaar2", "password": DEMO_PASSWORD, "otp_token": current_code("behandelaar2")}
    assert other.post(LOGIN, fine).status_code == 302
    throttle.forget()
