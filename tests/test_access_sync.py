"""Access follows every change, for every case: the concrete regressions.

Each test here failed on the earlier design, where registry changes routed
open cases only, a registry change that left a case's recipients as they
were skipped its rule exclusions, the CSV import routed in a second
transaction and the access rows could be changed from anywhere.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.accounts.models import StaffAccount
from meldpunt.cases.actions import withdraw
from meldpunt.cases.models import State
from meldpunt.notifications.models import Notification
from meldpunt.protocol import service
from meldpunt.protocol.actions import publish_version
from meldpunt.protocol.models import CaseRecipient, RoutedRecipient, RoutingDecision, RuleExclusion
from meldpunt.protocol.versions import current_version
from meldpunt.registry import actions
from meldpunt.registry.models import Appointment, Person, Position, today
from tests.conftest import verified_client
from tests.factories import report_about, walk_to

pytestmark = pytest.mark.django_db


def admin_user():
    return get_user_model().objects.get(username="beheerder")


def login(person):
    """A logged-in client for a registry person, with an account and a second factor."""
    user, _created = get_user_model().objects.get_or_create(username=f"p{person.pk}")
    StaffAccount.objects.get_or_create(user=user, person=person)
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="t", defaults={"confirmed": True})
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def can_open(client, case) -> bool:
    return client.get(f"/behandelen/zaak/{case.reference}/").status_code == 200


def exclude_integrity_office_from_wethouder_cases(organisation):
    version = current_version(organisation)
    rules = [
        {
            "category": r.category,
            "recipients": list(r.recipients),
            "escalation": list(r.escalation),
            "exclusions": [*r.exclusions, "role:behandelaar"] if r.category == "wethouder" else list(r.exclusions),
        }
        for r in version.rules.all()
    ]
    publish_version(organisation, rules, based_on=version, staff_user=admin_user())


def test_a_newly_appointed_handler_cannot_open_a_case_whose_rule_excludes_the_integrity_office(organisation, person):
    """Defect 1: the new handler's appointment left the case's recipients unchanged."""
    exclude_integrity_office_from_wethouder_cases(organisation)
    case, _code = report_about(organisation, person("Henk Bosman"))
    assert not can_open(verified_client("behandelaar1"), case)

    newcomer = Person.objects.create(organisation=organisation, name="Nieuwe Behandelaar")
    position = actions.save_position(
        Position(organisation=organisation, code="integriteit-3", title="Behandelaar", category="behandelaar"),
        staff_user=admin_user(),
        created=True,
    )
    newcomer_client = login(newcomer)
    response = verified_client("beheerder").post(
        f"/beheer/functies/{position.pk}/benoemen/", {"person": newcomer.pk, "start_date": today().isoformat()}
    )
    assert response.status_code == 302

    assert not can_open(newcomer_client, case)
    assert case.reference not in newcomer_client.get("/behandelen/").content.decode()
    assert RuleExclusion.objects.filter(case=case, person=newcomer).exists()


@pytest.mark.parametrize("finish", ["close", "withdraw"])
def test_a_former_burgemeester_loses_finished_cases_and_does_not_get_them_back_on_reopening(
    organisation, person, finish
):
    """Defect 2: registry changes routed open cases only, and reopening routed nothing."""
    case, _code = report_about(organisation, person("Henk Bosman"))
    if finish == "close":
        walk_to(case, State.AFGESLOTEN)
    else:
        withdraw(case)
    mayor = verified_client("burgemeester")
    assert can_open(mayor, case)
    told_before = Notification.objects.count()

    appointment = Appointment.objects.get(person=person("Marieke van Dalen"))
    appointment.end_date = today() - datetime.timedelta(days=1)
    actions.end_appointment(appointment, staff_user=admin_user())

    assert not can_open(mayor, case)
    # The locoburgemeester stands in, silently: a finished case tells nobody.
    assert can_open(verified_client("wethouder"), case) is False  # Henk is the accused himself
    assert Notification.objects.count() == told_before
    if finish == "close":
        walk_to(case, State.BEOORDELING)
        assert case.routing_decisions.first().trigger == "reopened"
        assert not can_open(mayor, case)
        assert can_open(verified_client("secretaris"), case)


def test_an_appointment_that_runs_out_gives_no_access_even_before_anything_is_routed_again(organisation, person):
    """A recipient row stands only while its holder holds the position that reached them."""
    case, _code = report_about(organisation, person("Henk Bosman"))
    mayor = verified_client("burgemeester")
    assert can_open(mayor, case)
    # An end date in the past written straight into the registry (as a day passing would do to a
    # planned end date): no routing has run, yet the former burgemeester is out.
    Appointment.objects.filter(person=person("Marieke van Dalen")).update(end_date=today() - datetime.timedelta(1))
    assert not can_open(mayor, case)


def test_a_failing_routing_after_a_csv_import_leaves_the_old_registry_in_place(organisation, person, monkeypatch):
    """Defect 3: the import and the re-routing were two transactions."""
    case, _code = report_about(organisation, person("Henk Bosman"))
    data = (
        "code;functie;categorie;naam;begindatum\n"
        f"burgemeester;Burgemeester;burgemeester;Nieuwe Burgemeester;{today().isoformat()}\n"
    ).encode()

    def broken(*args, **kwargs):
        raise RuntimeError("routing failed")

    monkeypatch.setattr(actions, "sync_organisation", broken)
    with pytest.raises(RuntimeError):
        actions.import_registry(organisation, data, staff_user=admin_user())

    assert not Person.objects.filter(name="Nieuwe Burgemeester").exists()
    assert Appointment.objects.get(person=person("Marieke van Dalen")).end_date is None
    assert can_open(verified_client("burgemeester"), case)


def test_a_csv_import_through_the_page_moves_access_to_the_new_holder(organisation, person):
    case, _code = report_about(organisation, person("Henk Bosman"))
    data = (
        "code;functie;categorie;naam;begindatum\n"
        f"burgemeester;Burgemeester;burgemeester;Nieuwe Burgemeester;{today().isoformat()}\n"
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = verified_client("beheerder").post(
        "/beheer/import/", {"file": SimpleUploadedFile("register.csv", data, content_type="text/csv")}
    )
    assert response.status_code == 200, response.content.decode()[:400]
    successor = Person.objects.get(name="Nieuwe Burgemeester")
    assert can_open(login(successor), case)
    assert not can_open(verified_client("burgemeester"), case)


def test_publishing_a_protocol_version_applies_to_existing_cases(organisation, person):
    case, _code = report_about(organisation, person("Henk Bosman"))
    assert can_open(verified_client("behandelaar1"), case)
    exclude_integrity_office_from_wethouder_cases(organisation)
    assert not can_open(verified_client("behandelaar1"), case)
    assert case.routing_decisions.first().trigger == "protocol_published"


@pytest.mark.parametrize(
    "write",
    [
        lambda case: CaseRecipient.objects.filter(case=case).delete(),
        lambda case: CaseRecipient.objects.filter(case=case).update(since=case.received_at),
        lambda case: CaseRecipient.objects.create(case=case, person=case.subjects.get().person, since=case.received_at),
        lambda case: RuleExclusion.objects.filter(case=case).delete(),
        lambda case: RuleExclusion.objects.bulk_create([RuleExclusion(case=case, person=case.subjects.get().person)]),
        lambda case: RoutingDecision.objects.filter(case=case).update(trigger="x"),
        lambda case: RoutingDecision.objects.filter(case=case).delete(),
        lambda case: RoutedRecipient.objects.filter(decision__case=case).update(explanation="x"),
        lambda case: case.routing_decisions.first().save(),
    ],
    ids=[
        "delete-recipients",
        "update-recipients",
        "create-recipient",
        "delete-exclusions",
        "bulk-create-exclusion",
        "update-decision",
        "delete-decision",
        "update-routed",
        "save-decision",
    ],
)
def test_access_and_routing_rows_cannot_be_written_outside_the_routing_service(organisation, person, write):
    case, _code = report_about(organisation, person("Henk Bosman"))
    recipients = set(CaseRecipient.objects.filter(case=case).values_list("person_id", flat=True))
    with pytest.raises(PermissionError):
        write(case)
    assert set(CaseRecipient.objects.filter(case=case).values_list("person_id", flat=True)) == recipients
    assert service.route_case(case, trigger="reclassified", actor="system") is not None  # the service may


@pytest.mark.parametrize(
    "write",
    [
        lambda v: v.rules.update(recipients=[]),
        lambda v: v.rules.all().delete(),
        lambda v: v.rules.first().save(),
        lambda v: v.save(),
        lambda v: v.delete(),
    ],
    ids=["update-rules", "delete-rules", "save-rule", "save-version", "delete-version"],
)
def test_a_saved_protocol_version_cannot_be_changed(organisation, write):
    version = current_version(organisation)
    before = [(r.category, r.recipients) for r in version.rules.all()]
    with pytest.raises(PermissionError):
        write(version)
    assert [(r.category, r.recipients) for r in current_version(organisation).rules.all()] == before
