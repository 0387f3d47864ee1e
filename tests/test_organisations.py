"""A new organisation without a shell: manage.py create_organisation and the
installation administrator's page (/installatie/organisaties/), one code path."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from meldpunt.accounts.models import StaffAccount
from meldpunt.audit.models import AuditEvent
from meldpunt.organisations.models import Organisation
from tests.conftest import verified_client
from tests.test_staff_accounts import PASSWORD, set_up

ARGS = [
    "--slug=waterdam",
    "--name=Gemeente Waterdam",
    "--integrity-office-email=integriteit@waterdam.example",
    "--admin-name=A. de Vries",
    "--admin-email=a.devries@waterdam.example",
    "--admin-username=adevries",
]


def run(*args) -> str:
    out = io.StringIO()
    call_command("create_organisation", *args, stdout=out)
    return out.getvalue()


def path_of(text: str) -> str:
    return re.search(r"https?://[^/\s]+(/account/instellen/\S+/)", text).group(1)


@pytest.mark.django_db
def test_command_creates_the_organisation_and_its_admin_logs_in_through_the_link():
    """Tried: create_organisation for Gemeente Waterdam, then the printed link."""
    output = run(*ARGS)
    organisation = Organisation.objects.get(slug="waterdam")
    assert organisation.integrity_office_email == "integriteit@waterdam.example"
    account = StaffAccount.objects.get(user__username="adevries")
    assert account.person.organisation == organisation and account.is_registry_admin
    client = Client()
    assert set_up(client, path_of(output)).status_code == 302
    assert client.get("/beheer/").status_code == 200
    assert "A. de Vries" in client.get("/beheer/").content.decode()
    assert AuditEvent.objects.filter(action="organisation.created", detail__slug="waterdam").exists()


@pytest.mark.django_db
def test_a_taken_slug_or_username_changes_nothing(organisation):
    """Tried: the demo's slug, a reserved slug, and a new slug with the demo's username behandelaar1."""
    with pytest.raises(CommandError, match="al een organisatie met de slug voorbeeldstad"):
        run(*[a if not a.startswith("--slug") else "--slug=voorbeeldstad" for a in ARGS])
    with pytest.raises(CommandError, match="gebruikt Meldpunt zelf"):
        run(*[a if not a.startswith("--slug") else "--slug=beheer" for a in ARGS])
    with pytest.raises(CommandError, match="al in gebruik"):
        run(*[a if not a.startswith("--admin-username") else "--admin-username=behandelaar1" for a in ARGS])
    assert not Organisation.objects.filter(slug="waterdam").exists()
    run(*ARGS)
    with pytest.raises(CommandError, match="al een organisatie"):
        run(*ARGS)  # the second run says so and creates nothing twice
    assert Organisation.objects.filter(slug="waterdam").count() == 1


@pytest.mark.django_db
def test_installation_admin_lists_and_creates_organisations(organisation):
    """Tried: an installation administrator (set up by the command) creates Waterdam; a functional admin may not."""
    out = io.StringIO()
    call_command("create_installation_admin", "installatie", stdout=out)
    admin = Client()
    done = set_up(admin, path_of(out.getvalue()))
    assert done.status_code == 302
    page = admin.get("/installatie/organisaties/")
    assert page.status_code == 200 and "Gemeente Voorbeeldstad" in page.content.decode()
    fields = {
        "name": "Gemeente Waterdam",
        "slug": "waterdam",
        "integrity_office_name": "Integriteitsbureau",
        "integrity_office_email": "",
        "admin_name": "A. de Vries",
        "admin_email": "",
        "admin_username": "adevries",
    }
    created = admin.post("/installatie/organisaties/", fields)
    assert created.status_code == 200 and "/account/instellen/" in created.content.decode()
    assert StaffAccount.objects.get(user__username="adevries").organisation.slug == "waterdam"
    again = admin.post("/installatie/organisaties/", fields)
    assert again.status_code == 400 and "al een organisatie" in again.content.decode()
    assert verified_client("beheerder").get("/installatie/organisaties/").status_code == 403
    assert Client().get("/installatie/organisaties/").status_code == 302


@pytest.mark.django_db
def test_installation_admin_logs_in_to_the_organisations_page(organisation):
    """Tried: the installation administrator logs in at the login form with password and the app's next code."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    out = io.StringIO()
    call_command("create_installation_admin", "installatie", stdout=out)
    set_up(Client(), path_of(out.getvalue()))
    device = TOTPDevice.objects.get(user__username="installatie", confirmed=True)
    login = {"username": "installatie", "password": PASSWORD, "otp_token": f"{totp(device.bin_key, t0=-30):06d}"}
    response = Client().post("/account/inloggen/", login)
    assert response.status_code == 302 and response["Location"] == "/installatie/organisaties/"
