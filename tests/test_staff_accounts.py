"""Staff logins given by the functional admin (/beheer/personen/<id>/login/),
the one-time set-up link with TOTP enrolment, and recovery codes."""

import base64
import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from meldpunt.accounts import actions
from meldpunt.accounts.models import SetupLink, StaffAccount
from meldpunt.audit.models import AuditEvent
from meldpunt.organisations.models import Organisation
from meldpunt.registry.models import Appointment, Person, Position
from tests.conftest import verified_client

LOGIN = "/account/inloggen/"
PASSWORD = "een lange zin als wachtwoord"


@pytest.fixture
def admin(organisation):
    return verified_client("beheerder")


@pytest.fixture
def newcomer(organisation):
    """A person of Voorbeeldstad without a login yet."""
    return Person.objects.create(organisation=organisation, name="Sanne Nieuw", email="s.nieuw@voorbeeldstad.example")


def login_page(person):
    return f"/beheer/personen/{person.pk}/login/"


def link_from(html: str) -> str:
    return re.search(r'id="setup-url">http://[^/]+(/account/instellen/[^<]+/)<', html).group(1)


def code_for(secret: str, offset: int = 0) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, t0=-offset * 30):06d}"


def secret_from(html: str) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1)


def set_up(client, path, **fields):
    page = client.get(path).content.decode()
    data = {"password1": PASSWORD, "password2": PASSWORD, "code": code_for(secret_from(page))}
    data.update(fields)
    return client.post(path, data)


def test_admin_gives_a_login_and_the_link_sets_it_up(admin, newcomer):
    """Tried: username 'S.Nieuw' for Sanne Nieuw, then the link with a new password and the app's code."""
    response = admin.post(login_page(newcomer), {"action": "create", "username": "S.Nieuw"})
    assert response.status_code == 200
    path = link_from(response.content.decode())
    account = StaffAccount.objects.get(person=newcomer)
    assert account.user.username == "s.nieuw" and not account.user.has_usable_password()
    assert not SetupLink.objects.filter(token_hash__contains=path.split("/")[-2]).exists()  # only the hash is stored
    assert AuditEvent.objects.filter(action="account.created", detail__username="s.nieuw").exists()

    staff = Client()
    done = set_up(staff, path)
    assert done.status_code == 302
    shown = staff.get(done.url)
    assert shown.status_code == 200, (done.url, shown.status_code, shown.get("Location"))
    codes = shown.content.decode()
    assert codes.count("<li><code>") == 10
    assert "niet nog eens getoond" in staff.get(done.url).content.decode()  # offered once
    assert staff.get("/behandelen/").status_code == 200
    assert AuditEvent.objects.filter(action="account.setup_completed", detail__username="s.nieuw").exists()

    again = Client().get(path)
    assert again.status_code == 410 and "al gebruikt" in again.content.decode()


def test_refusals_own_login_taken_username_other_organisation(admin, person, newcomer):
    """Tried: the admin's own person, a username already used (in another case), another organisation's person."""
    own = person("Rob Lammers")
    assert "Dit bent u zelf" in admin.get(login_page(own)).content.decode()
    response = admin.post(login_page(own), {"action": "reset"})
    assert response.status_code == 403 and "voor uzelf" in response.content.decode()
    assert admin.post(login_page(own), {"action": "create", "username": "rob2"}).status_code >= 400
    assert not get_user_model().objects.filter(username="rob2").exists()
    own_account = StaffAccount.objects.get(person=own)

    response = admin.post(login_page(newcomer), {"action": "create", "username": "Behandelaar1"})
    assert response.status_code == 400 and "al in gebruik" in response.content.decode()
    assert not StaffAccount.objects.filter(person=newcomer).exists()

    other = Organisation.objects.create(slug="anderstad", name="Gemeente Anderstad")
    stranger = Person.objects.create(organisation=other, name="Olga Anders")
    assert admin.get(login_page(stranger)).status_code == 404
    assert admin.post(login_page(stranger), {"action": "create", "username": "olga"}).status_code == 404
    assert own_account.user.totpdevice_set.filter(confirmed=True).exists()  # untouched


def test_admin_cannot_appoint_themselves_a_handler(admin, person, organisation):
    """Tried: the admin appoints their own person to the integrity office's handler position."""
    position = Position.objects.filter(organisation=organisation, category="behandelaar").first()
    Appointment.objects.filter(position=position).update(end_date=datetime.date(2020, 1, 1))
    own = person("Rob Lammers")
    response = admin.post(
        f"/beheer/functies/{position.pk}/benoemen/", {"person": own.pk, "start_date": timezone.localdate()}
    )
    assert "rechten geven" in response.content.decode()
    assert not Appointment.objects.filter(person=own, position=position).exists()
    assert not StaffAccount.objects.get(person=own).is_handler


def test_deactivated_login_is_refused(admin, newcomer, organisation):
    """Tried: logging in (and using an open session) after the admin deactivated the login."""
    account, url = actions.create_staff_account(newcomer, "s.nieuw", staff_user=None)
    staff = Client()
    set_up(staff, _path(url))
    assert staff.get("/behandelen/").status_code == 200
    admin.post(login_page(newcomer), {"action": "deactivate"})
    assert staff.get("/behandelen/").status_code == 302  # the open session ended
    device = account.user.totpdevice_set.get(confirmed=True)
    fresh = Client().post(
        LOGIN, {"username": "s.nieuw", "password": PASSWORD, "otp_token": f"{totp(device.bin_key, t0=-30):06d}"}
    )
    assert "klopt niet" in fresh.content.decode()
    assert AuditEvent.objects.filter(action="account.deactivated", detail__username="s.nieuw").exists()


def _path(url):
    return "/" + url.split("/", 3)[3]


def test_recovery_code_logs_in_once(newcomer):
    """Tried: one recovery code twice at the login form."""
    _account, url = actions.create_staff_account(newcomer, "s.nieuw", staff_user=None)
    staff = Client()
    first = set_up(staff, _path(url))
    code = re.search(r"<li><code>(\w+)</code>", staff.get(first.url).content.decode()).group(1)
    ok = Client().post(LOGIN, {"username": "s.nieuw", "password": PASSWORD, "otp_token": code})
    assert ok.status_code == 302
    assert AuditEvent.objects.filter(action="account.recovery_code_used", detail__remaining=9).exists()
    again = Client().post(LOGIN, {"username": "s.nieuw", "password": PASSWORD, "otp_token": code})
    assert again.status_code == 200 and "klopt niet" in again.content.decode()


def test_reset_second_factor_forces_enrolment_again(admin, newcomer):
    """Tried: the admin resets the second factor; the old app's code no longer works, the new link asks the password."""
    account, url = actions.create_staff_account(newcomer, "s.nieuw", staff_user=None)
    staff = Client()
    set_up(staff, _path(url))
    old_key = account.user.totpdevice_set.get(confirmed=True).bin_key
    response = admin.post(login_page(newcomer), {"action": "reset"})
    new_path = link_from(response.content.decode())
    assert staff.get("/behandelen/").status_code == 302
    refused = Client().post(
        LOGIN, {"username": "s.nieuw", "password": PASSWORD, "otp_token": f"{totp(old_key, t0=-30):06d}"}
    )
    assert "klopt niet" in refused.content.decode()
    assert AuditEvent.objects.filter(action="account.second_factor_reset").exists()
    again = Client()
    page = again.get(new_path).content.decode()
    assert "Uw wachtwoord" in page
    done = again.post(new_path, {"current_password": PASSWORD, "code": code_for(secret_from(page))})
    assert done.status_code == 302


def test_expired_and_replaced_links_are_refused_with_a_clear_message(newcomer):
    """Tried: a link after its expiry, an older link after a new one was made, and a made-up link."""
    account, url = actions.create_staff_account(newcomer, "s.nieuw", staff_user=None)
    SetupLink.objects.filter(user=account.user).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = Client().get(_path(url))
    assert response.status_code == 410 and "verlopen" in response.content.decode()
    newer = actions.reset_second_factor(account, staff_user=None)
    SetupLink.objects.filter(user=account.user).update(expires_at=timezone.now() + datetime.timedelta(hours=1))
    assert "nieuwe gemaakt" in Client().get(_path(url)).content.decode()
    assert Client().get(_path(newer)).status_code == 200
    assert "bestaat niet" in Client().get("/account/instellen/verzonnen/").content.decode()
