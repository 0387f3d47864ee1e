"""Need-to-know access to cases, decided in meldpunt.cases.access.

Attacks tried: a staff member without a handler position, the accused
themselves (even when they are a handler), staff of another organisation,
a direct URL to a case or attachment, and a session without the second factor.
"""

import pytest
from django.contrib.auth import get_user_model

from meldpunt.accounts.models import StaffAccount
from meldpunt.cases.access import cases_visible_to
from meldpunt.organisations.models import Organisation
from meldpunt.registry.models import Appointment, Category, Person, Position
from tests.conftest import verified_client
from tests.factories import report_about


@pytest.fixture
def case(organisation, person):
    case, _code = report_about(organisation, person("Henk Bosman"))
    return case


@pytest.mark.django_db
def test_handlers_see_the_case(case):
    for username in ("behandelaar1", "behandelaar2"):
        client = verified_client(username)
        assert case.reference in client.get("/behandelen/").content.decode()
        assert client.get(f"/behandelen/zaak/{case.reference}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["wethouder", "vertrouwenspersoon", "beheerder"])
def test_staff_outside_the_route_do_not_see_the_case(case, username):
    client = verified_client(username)
    assert case.reference not in client.get("/behandelen/").content.decode()
    assert client.get(f"/behandelen/zaak/{case.reference}/").status_code == 404
    attachment_url = f"/behandelen/zaak/{case.reference}/bijlage/00000000-0000-0000-0000-000000000000/"
    assert client.get(attachment_url).status_code == 404


@pytest.mark.django_db
def test_the_accused_wethouder_gets_not_found_not_forbidden(case):
    response = verified_client("wethouder").get(f"/behandelen/zaak/{case.reference}/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_handler_who_is_named_in_a_report_cannot_open_it(organisation, person):
    vos = person("Ingrid Vos")
    case, _ = report_about(organisation, vos)
    own = verified_client("behandelaar1")
    assert own.get(f"/behandelen/zaak/{case.reference}/").status_code == 404
    assert case.reference not in own.get("/behandelen/").content.decode()
    # Her colleague can.
    assert verified_client("behandelaar2").get(f"/behandelen/zaak/{case.reference}/").status_code == 200


@pytest.mark.django_db
def test_a_handler_named_as_involved_cannot_open_it_either(organisation, person):
    from meldpunt.cases.actions import SubjectInput, submit_report
    from tests.factories import ReportInputFactory

    report = ReportInputFactory(
        subjects=[
            SubjectInput(role="beschuldigde", person=person("Henk Bosman")),
            SubjectInput(role="betrokkene", person=person("Daan Schouten")),
        ]
    )
    case, _ = submit_report(organisation, report)
    assert verified_client("behandelaar2").get(f"/behandelen/zaak/{case.reference}/").status_code == 404


@pytest.mark.django_db
def test_former_handler_loses_access_when_the_appointment_ends(case, person):
    import datetime

    appointment = Appointment.objects.get(person=person("Ingrid Vos"))
    appointment.end_date = datetime.date(2020, 1, 1)
    appointment.save()
    assert verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/").status_code == 404


@pytest.mark.django_db
def test_handler_of_another_organisation_sees_nothing(case):
    other = Organisation.objects.create(slug="anderstad", name="Gemeente Anderstad")
    position = Position.objects.create(
        organisation=other, code="int", title="Behandelaar", category=Category.BEHANDELAAR
    )
    outsider = Person.objects.create(organisation=other, name="Andere Behandelaar")
    Appointment.objects.create(position=position, person=outsider, start_date="2020-01-01")
    user = get_user_model().objects.create_user("ander", password="x" * 16)
    StaffAccount.objects.create(user=user, person=outsider)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    client = verified_client("ander")
    assert client.get(f"/behandelen/zaak/{case.reference}/").status_code == 404
    assert list(cases_visible_to(user.staff_account)) == []


@pytest.mark.django_db
def test_password_without_second_factor_is_not_enough(case, client):
    user = get_user_model().objects.get(username="behandelaar1")
    client.force_login(user)  # password accepted, no TOTP verified
    response = client.get(f"/behandelen/zaak/{case.reference}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/inloggen/")


@pytest.mark.django_db
def test_reporter_session_does_not_open_staff_pages(case, client):
    from meldpunt.melden.session import open_inbox

    session = client.session
    session["melder_case"] = str(case.public_id)
    session.save()
    assert open_inbox  # the reporter's session key is all this client has
    assert client.get(f"/behandelen/zaak/{case.reference}/").status_code == 302


@pytest.mark.django_db
def test_handler_reads_are_audited(case):
    from meldpunt.audit.models import AuditEvent

    verified_client("behandelaar1").get(f"/behandelen/zaak/{case.reference}/")
    event = AuditEvent.objects.filter(action="case.read", case_reference=case.reference).get()
    assert event.actor == "staff:behandelaar1"


@pytest.mark.django_db
def test_the_case_audit_trail_follows_the_case_access_rule(case, organisation, person):
    handler = verified_client("behandelaar1")
    handler.get(f"/behandelen/zaak/{case.reference}/")
    page = handler.get(f"/behandelen/zaak/{case.reference}/logboek/").content.decode()
    assert "Melding ontvangen via online formulier, vastgelegd door de melder" in page
    assert "Verdeeld volgens protocol versie 1 bij binnenkomst" in page
    assert "Zaak geopend door Ingrid Vos" in page
    assert "case.read" not in page and "staff:behandelaar1" not in page
    # The accused, and staff outside the route, get "not found"; recipients read the case, not its trail.
    assert verified_client("wethouder").get(f"/behandelen/zaak/{case.reference}/logboek/").status_code == 404
    assert verified_client("beheerder").get(f"/behandelen/zaak/{case.reference}/logboek/").status_code == 404
    assert verified_client("burgemeester").get(f"/behandelen/zaak/{case.reference}/logboek/").status_code == 404
