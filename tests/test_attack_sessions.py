"""CSRF, session fixation and logout: attacks on the session, through the pages.

CSRF: every URL pattern Django's resolver knows is sent a POST without a CSRF
token (``Client(enforce_csrf_checks=True)``), as the role for which that POST
would work (the access matrix says who), and must answer 403 and change
nothing. A new pattern without a URL here fails the test, naming it; a route
that a cookie does not authenticate (an API token in a header, which another
site's page cannot send) goes in ``CSRF_CHECKED_ELSEWHERE`` with its reason.

Session fixation: an attacker plants a session cookie in the victim's browser
before the victim logs in; the key must change at the staff login (password
and code in one step), at the passkey second factor after the password step,
at the set-up link's enrolment, and when a reporter opens the inbox with the
receipt code; the planted key opens nothing afterwards.

Logout: a session cookie copied before logging out opens nothing after it.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.accounts import actions as account_actions
from meldpunt.demo.data import DEMO_PASSWORD
from meldpunt.sessions import SessionStore
from tests import test_access_matrix, test_passkeys
from tests.conftest import verified_client
from tests.soft_authenticator import SoftAuthenticator
from tests.test_access_matrix import MATRIX, USERNAMES, url_names
from tests.test_passkeys import LOGIN_BEGIN, LOGIN_COMPLETE, enrol, password_step, post_json
from tests.test_staff_login import current_code

# Fixtures: the access matrix's world, and passkeys on (a relying party for the test client).
world = test_access_matrix.world
relying_party_settings = test_passkeys.relying_party_settings

# URLs for the patterns that are not in the access matrix (public pages).
PUBLIC_URLS = {
    "set_language": "/taal/",
    "melden:organisations": "/",
    "melden:start": "/voorbeeldstad/",
    "melden:report": "/voorbeeldstad/melden/",
    "melden:receipt": "/voorbeeldstad/melden/ontvangen/",
    "melden:inbox_login": "/voorbeeldstad/postvak/",
    "accounts:login": "/account/inloggen/",
    "accounts:passkey_login": "/account/inloggen/passkey/",
    "accounts:passkey_jsi18n": "/account/passkeys/teksten.js",
    "api_reference": "/api/",
    "bewijs:verify": "/bewijs/",
    "bewijs:keys": "/bewijs/sleutels/",
}
# Patterns whose POST is not checked by Django's CSRF middleware, with the reason.
CSRF_CHECKED_ELSEWHERE = {
    # The JSON API authenticates by Authorization header only, never by cookie, so a
    # cross-site request carries no authority (tests/test_api.py: a staff session opens nothing).
    name: "bearer-token API, no cookie authority"
    for name in url_names()
    if name.startswith("api:")
}
SESSION_COOKIE = "sessionid"


def attempt_for(name, probes):
    """The POST probe of a pattern and the role for whom it would go through."""
    posts = [p for p in probes if p.method == "POST"] or probes
    probe = posts[0]
    role = next((r for r, answer in probe.answers.items() if answer.changes), "handler")
    return probe, role


def csrf_client(role, world):
    """A client of ``role`` that, like a browser on another site, sends no CSRF token."""
    if role == "anonymous":
        return Client(enforce_csrf_checks=True)
    if role == "reporter":
        client = Client(enforce_csrf_checks=True)
        page = client.get("/voorbeeldstad/postvak/")
        token = page.cookies["csrftoken"].value
        assert (
            client.post("/voorbeeldstad/postvak/", {"code": world.code, "csrfmiddlewaretoken": token}).status_code
            == 302
        )
        return client
    logged_in = verified_client(USERNAMES[role])
    client = Client(enforce_csrf_checks=True)
    client.cookies[SESSION_COOKIE] = logged_in.cookies[SESSION_COOKIE].value
    return client


@pytest.mark.django_db
def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(world):
    """Tried: each pattern's POST with the data that would work, but no token."""
    failures = []
    for name in sorted(set(url_names())):
        if name in CSRF_CHECKED_ELSEWHERE:
            continue
        if name in MATRIX:
            probe, role = attempt_for(name, MATRIX[name])
            url, data, state = probe.url(world), probe.data(world) if probe.data else {}, probe.state
        elif name in PUBLIC_URLS:
            url, data, state, role = PUBLIC_URLS[name], {"language": "en", "code": world.code}, None, "anonymous"
        else:
            failures.append(f"{name}: no URL to try (add it to the access matrix or PUBLIC_URLS)")
            continue
        with transaction.atomic():
            client = csrf_client(role, world)
            before = state(world, client) if state else None
            json_view = "/passkeys/" in url and not url.endswith("verwijderen/")
            if json_view:
                response = client.post(url, json.dumps(data), content_type="application/json")
            else:
                response = client.post(url, data)
            if response.status_code != 403:
                failures.append(f"POST {url} as {role} without a token: {response.status_code}")
            elif state and state(world, client) != before:
                failures.append(f"POST {url} as {role} without a token changed its state")
            transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_the_csrf_refusal_is_a_page_in_dutch(organisation):
    response = Client(enforce_csrf_checks=True).post("/voorbeeldstad/postvak/", {"code": "1" * 28})
    assert response.status_code == 403
    assert 'lang="nl"' in response.content.decode()


# Session fixation ------------------------------------------------------------------------------------------


def planted(client: Client) -> str:
    """The attacker's session key, planted in ``client`` (the victim's browser)."""
    session = SessionStore()
    session["planted"] = True
    session.create()
    client.cookies[SESSION_COOKIE] = session.session_key
    return session.session_key


def attacker_with(key: str) -> Client:
    attacker = Client()
    attacker.cookies[SESSION_COOKIE] = key
    return attacker


@pytest.mark.django_db
def test_staff_login_gives_a_new_session_key(organisation):
    """Tried: a planted session key, then the victim logs in with password and code."""
    victim = Client()
    key = planted(victim)
    login = {"username": "behandelaar1", "password": DEMO_PASSWORD, "otp_token": current_code("behandelaar1")}
    assert victim.post("/account/inloggen/", login).status_code == 302
    assert victim.cookies[SESSION_COOKIE].value != key
    assert victim.get("/behandelen/").status_code == 200
    assert not SessionStore().exists(key)
    assert attacker_with(key).get("/behandelen/").status_code == 302


@pytest.mark.django_db
def test_the_passkey_second_factor_gives_a_new_session_key(organisation):
    """Tried: a planted key; the victim passes the password step (key A), then
    the passkey (key B). Neither the planted key nor A opens the case list."""
    authenticator = SoftAuthenticator()
    assert enrol(verified_client("behandelaar1"), authenticator).status_code == 200
    victim = Client()
    key = planted(victim)
    assert password_step(victim).status_code == 302
    after_password = victim.cookies[SESSION_COOKIE].value
    options = post_json(victim, LOGIN_BEGIN).json()
    assert post_json(victim, LOGIN_COMPLETE, authenticator.get(options)).status_code == 200
    after_passkey = victim.cookies[SESSION_COOKIE].value
    assert after_passkey not in (key, after_password)
    assert victim.get("/behandelen/").status_code == 200
    for old in (key, after_password):
        assert attacker_with(old).get("/behandelen/").status_code == 302


@pytest.mark.django_db
def test_enrolling_through_a_set_up_link_gives_a_new_session_key(organisation, person):
    """Tried: a planted key in the browser that opens a new handler's set-up link."""
    from django_otp.oath import totp

    admin = get_user_model().objects.get(username="beheerder")
    account, url = account_actions.create_staff_account(person("Karin Mulder"), "k.mulder", staff_user=admin)
    path = url.split("://", 1)[-1].split("/", 1)[1]
    victim = Client()
    key = planted(victim)
    assert victim.get(f"/{path}").status_code == 200
    device = TOTPDevice.objects.get(user=account.user)
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    password = "een-lang-eigen-wachtwoord-2026"
    response = victim.post(f"/{path}", {"code": code, "password1": password, "password2": password})
    assert response.status_code == 302, response.content.decode()
    assert victim.cookies[SESSION_COOKIE].value != key
    assert attacker_with(key).get("/account/").status_code == 302


@pytest.mark.django_db
def test_opening_the_inbox_gives_a_new_session_key(world):
    """Tried: a planted key in the reporter's browser, then the receipt code."""
    victim = Client()
    key = planted(victim)
    assert victim.post("/voorbeeldstad/postvak/", {"code": world.code}).status_code == 302
    assert victim.cookies[SESSION_COOKIE].value != key
    assert victim.get("/voorbeeldstad/postvak/melding/").status_code == 200
    assert attacker_with(key).get("/voorbeeldstad/postvak/melding/").status_code == 302


# Logout ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_staff_session_cookie_is_useless_after_logout(organisation):
    """Tried: the session cookie copied before logging out, used afterwards."""
    staff = verified_client("burgemeester")
    copied = staff.cookies[SESSION_COOKIE].value
    assert attacker_with(copied).get("/behandelen/").status_code == 200
    assert staff.post("/account/uitloggen/").status_code == 302
    assert not SessionStore().exists(copied)
    assert attacker_with(copied).get("/behandelen/").status_code == 302
    assert attacker_with(copied).get("/account/").status_code == 302


@pytest.mark.django_db
def test_a_reporter_session_cookie_is_useless_after_closing_the_inbox(world):
    """Tried: the inbox's session cookie copied before "Postvak sluiten", used afterwards."""
    reporter = Client()
    assert reporter.post("/voorbeeldstad/postvak/", {"code": world.code}).status_code == 302
    copied = reporter.cookies[SESSION_COOKIE].value
    assert reporter.post("/voorbeeldstad/postvak/sluiten/").status_code == 302
    assert attacker_with(copied).get("/voorbeeldstad/postvak/melding/").status_code == 302
    attachment = f"/voorbeeldstad/postvak/bijlage/{world.attachment_id}/"
    assert attacker_with(copied).get(attachment).status_code == 404
