"""The protocol in the demo municipality: who is told about a report, and who never.

Actors (meldpunt/demo/data.py, all fictional): burgemeester Marieke van Dalen,
locoburgemeester and wethouder Wonen Henk Bosman, wethouder Financiën Pieter
de Groot, gemeentesecretaris Willem Jacobs, griffier Anouk Dekker, directeur
Ruimte Karin Mulder, manager Vergunningen Erik Peters, medewerker Lotte
Jansen, handlers Ingrid Vos and Daan Schouten, functioneel beheerder Rob Lammers.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.accounts.models import StaffAccount
from meldpunt.cases.actions import SubjectInput, submit_report
from meldpunt.notifications.models import Notification
from meldpunt.registry.models import Appointment, Conflict
from tests.conftest import verified_client
from tests.factories import ReportInputFactory, report_about, walk_to


def recipients(case) -> set[str]:
    return {r.person.name for r in case.routing_decisions.first().recipients.all()}


PROTOCOL_KINDS = [Notification.Kind.ROUTED, Notification.Kind.REROUTED]


def notified(case) -> set[str]:
    """Who the protocol told (the integrity office's handlers are told of every new case besides)."""
    return set(Notification.objects.filter(case=case, kind__in=PROTOCOL_KINDS).values_list("person__name", flat=True))


def staff_login(person) -> object:
    """Give a registry person a staff account with a second factor; return a logged-in client."""
    user, _ = get_user_model().objects.get_or_create(username=f"u{person.pk}")
    StaffAccount.objects.get_or_create(user=user, defaults={"person": person})
    TOTPDevice.objects.get_or_create(user=user, defaults={"name": "t", "confirmed": True})
    return verified_client(user.username)


def can_open(client, case) -> bool:
    return client.get(f"/behandelen/zaak/{case.reference}/").status_code == 200


@pytest.mark.django_db
def test_report_about_a_wethouder_goes_to_burgemeester_and_gemeentesecretaris(organisation, person):
    case, _ = report_about(organisation, person("Henk Bosman"))
    decision = case.routing_decisions.get()
    assert decision.version.number == 1
    assert recipients(case) == {"Marieke van Dalen", "Willem Jacobs"}
    assert notified(case) == {"Marieke van Dalen", "Willem Jacobs"}
    explanations = {r.person.name: r.explanation for r in decision.recipients.all()}
    grounds = "De persoon is wethouder Wonen sinds juni 2022."
    assert explanations["Marieke van Dalen"] == (
        f"Burgemeester: omdat de melding over een wethouder gaat (protocol versie 1). {grounds}"
    )
    assert explanations["Willem Jacobs"] == (
        f"Gemeentesecretaris: omdat de melding over een wethouder gaat (protocol versie 1). {grounds}"
    )
    # The notification says why, but not which position of whom: e-mails must not name the accused.
    reasons = set(Notification.objects.filter(case=case, kind__in=PROTOCOL_KINDS).values_list("reason", flat=True))
    assert reasons == {
        "Burgemeester: omdat de melding over een wethouder gaat (protocol versie 1)",
        "Gemeentesecretaris: omdat de melding over een wethouder gaat (protocol versie 1)",
    }

    assert can_open(verified_client("burgemeester"), case)
    assert can_open(verified_client("secretaris"), case)
    # Not the accused, not his colleagues.
    assert not can_open(verified_client("wethouder"), case)
    for colleague in ("Pieter de Groot", "Fatima El Amrani", "Sanne Verhoeven", "Johan Kuipers"):
        assert not can_open(staff_login(person(colleague)), case)
    assert not Notification.objects.filter(person=person("Henk Bosman")).exists()


@pytest.mark.django_db
def test_recipients_see_it_in_their_list_but_only_handlers_handle_it(organisation, person):
    case, _ = report_about(organisation, person("Pieter de Groot"))
    mayor = verified_client("burgemeester")
    assert case.reference in mayor.get("/behandelen/").content.decode()
    page = mayor.get(f"/behandelen/zaak/{case.reference}/").content.decode()
    assert "Ongepaste berichten" in page
    assert "Bericht naar de melder sturen" not in page
    # The write door: whoever may only read a case gets "not found" when changing it.
    assert mayor.post(f"/behandelen/zaak/{case.reference}/", {"body": "x"}).status_code == 404
    assert mayor.post(f"/behandelen/zaak/{case.reference}/status/", {"state": "afgesloten"}).status_code == 404
    assert not case.messages.filter(author="behandelaar").exists()


@pytest.mark.django_db
def test_report_about_the_burgemeester_goes_to_locoburgemeester_and_secretaris_and_names_the_cdk(organisation, person):
    case, _ = report_about(organisation, person("Marieke van Dalen"))
    decision = case.routing_decisions.get()
    assert recipients(case) == {"Henk Bosman", "Willem Jacobs"}
    assert "Commissaris van de Koning" in decision.external_address
    assert not can_open(verified_client("burgemeester"), case)
    assert can_open(verified_client("wethouder"), case)  # as locoburgemeester
    page = verified_client("secretaris").get(f"/behandelen/zaak/{case.reference}/").content.decode()
    assert "Commissaris van de Koning" in page


@pytest.mark.django_db
def test_report_about_an_employee_whose_manager_is_named_goes_past_that_manager(organisation, person):
    report = ReportInputFactory(
        subjects=[
            SubjectInput(role="beschuldigde", person=person("Lotte Jansen")),
            SubjectInput(role="betrokkene", person=person("Erik Peters")),
        ]
    )
    case, _ = submit_report(organisation, report)
    # Integrity office and the manager above her manager (directeur Ruimte), never her manager.
    assert recipients(case) == {"Ingrid Vos", "Daan Schouten", "Karin Mulder"}
    assert not can_open(staff_login(person("Erik Peters")), case)
    assert can_open(staff_login(person("Karin Mulder")), case)


@pytest.mark.django_db
def test_several_accused_get_the_union_of_the_rules(organisation, person):
    report = ReportInputFactory(
        subjects=[
            SubjectInput(role="beschuldigde", person=person("Henk Bosman")),
            SubjectInput(role="beschuldigde", person=person("Ruud Meijer")),
        ]
    )
    case, _ = submit_report(organisation, report)
    assert recipients(case) == {"Marieke van Dalen", "Willem Jacobs", "Anouk Dekker"}


@pytest.mark.django_db
def test_a_vacant_burgemeester_falls_to_the_locoburgemeester(organisation, person):
    Appointment.objects.filter(person=person("Marieke van Dalen")).update(end_date=datetime.date(2025, 1, 1))
    case, _ = report_about(organisation, person("Pieter de Groot"))
    assert recipients(case) == {"Henk Bosman", "Willem Jacobs"}
    explanation = case.routing_decisions.first().recipients.get(person=person("Henk Bosman")).explanation
    assert "plaatsvervanger voor Burgemeester" in explanation


@pytest.mark.django_db
def test_a_conflicted_recipient_is_replaced_by_the_deputy_and_cannot_open_the_case(organisation, person):
    Conflict.objects.create(person=person("Willem Jacobs"), other=person("Johan Kuipers"), reason="partners")
    case, _ = report_about(organisation, person("Johan Kuipers"))
    assert recipients(case) == {"Marieke van Dalen", "Karin Mulder"}  # directeur Ruimte deputises
    assert not can_open(verified_client("secretaris"), case)


@pytest.mark.django_db
def test_the_accuseds_partner_who_is_a_handler_cannot_open_it(organisation, person):
    Conflict.objects.create(person=person("Henk Bosman"), other=person("Ingrid Vos"), reason="familie")
    case, _ = report_about(organisation, person("Henk Bosman"))
    assert not can_open(verified_client("behandelaar1"), case)
    assert can_open(verified_client("behandelaar2"), case)


@pytest.mark.django_db
def test_nobody_left_alerts_the_admin_and_gives_the_case_to_the_integrity_office(organisation, person):
    # Gemeentesecretaris and both directors (the deputy chain) are vacant.
    for name in ("Willem Jacobs", "Karin Mulder", "Bas Hendriks"):
        Appointment.objects.filter(person=person(name)).update(end_date=datetime.date(2025, 1, 1))
    case, _ = report_about(organisation, person("Pieter de Groot"))
    decision = case.routing_decisions.first()
    assert decision.admin_alerted
    assert recipients(case) == {"Marieke van Dalen", "Ingrid Vos", "Daan Schouten"}
    alert = Notification.objects.get(kind="admin_alert")
    assert alert.person.name == "Rob Lammers"
    assert case.reference in alert.reason
    assert alert.case is None  # the admin sees no case content
    assert not can_open(verified_client("beheerder"), case)


@pytest.mark.django_db
def test_a_report_about_nobody_known_goes_to_the_integrity_office(organisation):
    case, _ = submit_report(
        organisation, ReportInputFactory(subjects=[SubjectInput(role="beschuldigde", name="Man in blauw pak")])
    )
    assert recipients(case) == {"Ingrid Vos", "Daan Schouten"}
    assert case.routing_decisions.first().categories == ["onbekend"]


@pytest.mark.django_db
def test_office_held_at_the_time_counts_too(organisation, person):
    """Gerard Wolters was wethouder Wonen until 2022 and holds no office now."""
    report = ReportInputFactory(
        subjects=[SubjectInput(role="beschuldigde", person=person("Gerard Wolters"))],
        period_start=datetime.date(2019, 1, 1),
        period_end=datetime.date(2020, 12, 31),
    )
    case, _ = submit_report(organisation, report)
    assert case.routing_decisions.first().categories == ["wethouder"]
    assert recipients(case) == {"Marieke van Dalen", "Willem Jacobs"}


@pytest.mark.django_db
def test_reclassifying_takes_access_away_at_once(organisation, person):
    case, _ = report_about(organisation, person("Pieter de Groot"))
    mayor = verified_client("burgemeester")
    assert can_open(mayor, case)

    handler = verified_client("behandelaar1")
    response = handler.post(
        f"/behandelen/zaak/{case.reference}/persoon/",
        {"person": person("Marieke van Dalen").pk, "role": "beschuldigde"},
    )
    assert response.status_code == 302

    assert not can_open(mayor, case)
    assert case.reference not in mayor.get("/behandelen/").content.decode()
    assert case.reference not in mayor.get("/behandelen/notificaties/").content.decode()
    latest = case.routing_decisions.first()
    assert latest.trigger == "reclassified"
    assert "Marieke van Dalen" not in recipients(case)
    assert {"Henk Bosman", "Willem Jacobs"} <= recipients(case)
    assert "Commissaris van de Koning" in latest.external_address
    assert can_open(verified_client("wethouder"), case)  # now as locoburgemeester
    # The first decision stays on record.
    assert case.routing_decisions.count() == 2


@pytest.mark.django_db
def test_reclassification_refuses_a_person_from_elsewhere(organisation, person):
    from meldpunt.organisations.models import Organisation
    from meldpunt.registry.models import Person

    other = Organisation.objects.create(slug="anderstad", name="Gemeente Anderstad")
    stranger = Person.objects.create(organisation=other, name="Vreemde")
    case, _ = report_about(organisation, person("Pieter de Groot"))
    handler = verified_client("behandelaar1")
    # Tried: a person id of another organisation, and a role that does not exist.
    handler.post(f"/behandelen/zaak/{case.reference}/persoon/", {"person": stranger.pk, "role": "beschuldigde"})
    handler.post(f"/behandelen/zaak/{case.reference}/persoon/", {"person": person("Lotte Jansen").pk, "role": "x"})
    assert case.subjects.count() == 1
    assert case.routing_decisions.count() == 1


@pytest.mark.django_db
def test_recipients_cannot_reclassify(organisation, person):
    case, _ = report_about(organisation, person("Pieter de Groot"))
    response = verified_client("burgemeester").post(
        f"/behandelen/zaak/{case.reference}/persoon/", {"person": person("Willem Jacobs").pk, "role": "beschuldigde"}
    )
    assert response.status_code == 404
    assert case.subjects.count() == 1


@pytest.mark.django_db
def test_routing_is_audited(organisation, person):
    from meldpunt.audit.models import AuditEvent

    case, _ = report_about(organisation, person("Henk Bosman"))
    event = AuditEvent.objects.get(action="case.routed", case_reference=case.reference)
    assert event.detail["protocol"] == 1
    assert set(event.detail["recipients"]) == {person("Marieke van Dalen").pk, person("Willem Jacobs").pk}


@pytest.mark.django_db
def test_a_report_in_english_is_explained_to_staff_in_dutch(client, organisation, person):
    client.cookies["django_language"] = "en"
    client.post(
        "/voorbeeldstad/melden/",
        {
            "action": "verstuur",
            "relation": "inwoner",
            "anonymous": "ja",
            "description": "He sent me messages.",
            "told_before": "nee",
            "wishes": ["gehoord"],
            f"persoon_{person('Henk Bosman').pk}": "beschuldigde",
        },
    )
    from meldpunt.cases.models import Case

    case = Case.objects.get()
    explanations = {r.explanation for r in case.routing_decisions.first().recipients.all()}
    assert (
        "Burgemeester: omdat de melding over een wethouder gaat (protocol versie 1). "
        "De persoon is wethouder Wonen sinds juni 2022."
    ) in explanations
    # The reporter's own acknowledgement is in English.
    assert "received" in case.messages.get().body


@pytest.mark.django_db
def test_a_new_burgemeester_takes_over_open_cases_and_the_former_one_loses_access(organisation, person):
    """Through the registry pages: end the burgemeester's appointment, appoint a successor."""
    from meldpunt.registry.models import Person, Position

    case, _ = report_about(organisation, person("Pieter de Groot"))
    closed, _ = report_about(organisation, person("Johan Kuipers"))
    walk_to(closed, "afgesloten")
    admin = verified_client("beheerder")
    mayor = person("Marieke van Dalen")
    appointment = Appointment.objects.get(person=mayor)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    response = admin.post(f"/beheer/benoemingen/{appointment.pk}/beeindigen/", {"end_date": yesterday.isoformat()})
    assert response.status_code == 302, response.content.decode()[:500]

    # Vacant: the locoburgemeester is told in her place, and she can no longer open it.
    assert "Henk Bosman" in recipients(case)
    assert case.routing_decisions.first().trigger == "registry_changed"
    assert not can_open(verified_client("burgemeester"), case)

    successor = Person.objects.create(organisation=organisation, name="Nieuwe Burgemeester", email="nb@example.org")
    position = Position.objects.get(organisation=organisation, code="burgemeester")
    response = admin.post(
        f"/beheer/functies/{position.pk}/benoemen/",
        {"person": successor.pk, "start_date": datetime.date.today().isoformat()},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert recipients(case) == {"Nieuwe Burgemeester", "Willem Jacobs"}
    assert Notification.objects.filter(person=successor, case=case).exists()
    assert can_open(staff_login(successor), case)
    assert not can_open(verified_client("wethouder"), case)  # the locoburgemeester stood in only while vacant
    # A closed case follows too, silently: the former burgemeester lost it, the successor reads it.
    assert not can_open(verified_client("burgemeester"), closed)
    assert can_open(staff_login(successor), closed)
    assert not Notification.objects.filter(person=successor, case=closed).exists()


@pytest.mark.django_db
def test_registry_changes_that_alter_nothing_add_no_decisions(organisation, person):
    from meldpunt.protocol.service import REGISTRY_CHANGED, sync_organisation

    case, _ = report_about(organisation, person("Pieter de Groot"))
    assert sync_organisation(organisation, trigger=REGISTRY_CHANGED, actor="system") == 0
    assert case.routing_decisions.count() == 1
