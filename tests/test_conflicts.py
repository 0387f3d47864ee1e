"""Conflicts of interest (/beheer/conflicten/): the functional admin registers
and removes them; registering one routes the open cases about either person
again, so a recipient who is now conflicted is replaced by their deputy.

Actors (meldpunt/demo/data.py, all fictional): gemeentesecretaris Willem
Jacobs (login "secretaris"), whose deputy is directeur Ruimte Karin Mulder;
wethouder Henk Bosman; burgemeester Marieke van Dalen; functioneel beheerder
Rob Lammers (login "beheerder").
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.accounts.models import StaffAccount
from meldpunt.audit.log import verify_all
from meldpunt.audit.models import AuditEvent
from meldpunt.cases.actions import SubjectInput, submit_report, withdraw
from meldpunt.cases.models import State
from meldpunt.notifications.models import Notification
from meldpunt.organisations.models import Organisation
from meldpunt.protocol.models import CaseRecipient, RoutingDecision
from meldpunt.registry.actions import add_conflict
from meldpunt.registry.models import Conflict, Person
from tests.conftest import verified_client
from tests.factories import ReportInputFactory, report_about, walk_to


@pytest.fixture
def admin(organisation):
    return verified_client("beheerder")


@pytest.fixture
def stranger(db):
    """A person of another organisation."""
    other = Organisation.objects.create(slug="andere-gemeente", name="Gemeente Anderstad")
    return Person.objects.create(organisation=other, name="Olga Anders")


def can_open(client, case) -> bool:
    return client.get(reverse("behandelen:case", args=[case.reference])).status_code == 200


def staff_login(person):
    """Give a registry person a staff account with a second factor; return a logged-in client."""
    user, _created = get_user_model().objects.get_or_create(username=f"u{person.pk}")
    StaffAccount.objects.get_or_create(user=user, defaults={"person": person})
    TOTPDevice.objects.get_or_create(user=user, defaults={"name": "t", "confirmed": True})
    return verified_client(user.username)


def latest_recipients(case) -> set[str]:
    return {r.person.name for r in case.routing_decisions.first().recipients.all()}


def conflict_data(person, other, reason="zwagers") -> dict:
    return {"person": person.pk, "other": other.pk, "reason": reason}


def events(action: str):
    return AuditEvent.objects.filter(action=action)


# Adding a conflict routes open cases again -------------------------------------------------------------


def test_adding_a_conflict_replaces_the_conflicted_recipient_by_the_deputy(admin, organisation, person):
    willem, henk, karin = person("Willem Jacobs"), person("Henk Bosman"), person("Karin Mulder")
    case, _code = report_about(organisation, henk)
    assert latest_recipients(case) == {"Marieke van Dalen", "Willem Jacobs"}
    secretaris = verified_client("secretaris")
    assert can_open(secretaris, case)

    response = admin.post(reverse("beheer:conflict_add"), conflict_data(willem, henk))

    assert response.status_code == 302
    assert response["Location"] == reverse("beheer:conflicts")
    assert Conflict.objects.filter(person=willem, other=henk, reason="zwagers").exists()
    # Willem Jacobs can no longer open it; the case is gone from his list.
    assert not can_open(secretaris, case)
    assert case.reference not in secretaris.get(reverse("behandelen:home")).content.decode()
    # The routing decision is on record, with its trigger.
    decision = case.routing_decisions.first()
    assert decision.trigger == "conflict_added"
    assert case.routing_decisions.count() == 2
    assert latest_recipients(case) == {"Marieke van Dalen", "Karin Mulder"}
    explanation = decision.recipients.get(person=karin).explanation
    assert "plaatsvervanger voor Gemeentesecretaris" in explanation
    # Access follows: the deputy in, the conflicted secretary out, and the deputy is told.
    assert set(CaseRecipient.objects.filter(case=case).values_list("person__name", flat=True)) == {
        "Marieke van Dalen",
        "Karin Mulder",
    }
    notification = Notification.objects.get(case=case, person=karin)
    assert notification.kind == Notification.Kind.REROUTED
    assert can_open(staff_login(karin), case)
    # The burgemeester was told when the report came in, and not again.
    assert Notification.objects.filter(case=case, person__name="Marieke van Dalen").count() == 1


def test_the_admin_learns_nothing_about_cases_from_adding_a_conflict(admin, organisation, person):
    case, _code = report_about(organisation, person("Henk Bosman"), description="Geheime beschrijving")

    response = admin.post(
        reverse("beheer:conflict_add"), conflict_data(person("Willem Jacobs"), person("Henk Bosman")), follow=True
    )

    html = response.content.decode()
    assert "De belangenverstrengeling tussen Willem Jacobs en Henk Bosman is vastgelegd." in html
    assert case.reference not in html
    assert "Geheime beschrijving" not in html


def test_a_case_naming_either_person_as_involved_is_routed_again(organisation, person):
    report = ReportInputFactory(
        subjects=[
            SubjectInput(role="beschuldigde", person=person("Pieter de Groot")),
            SubjectInput(role="betrokkene", person=person("Henk Bosman")),
        ]
    )
    case, _code = submit_report(organisation, report)
    assert "Willem Jacobs" in latest_recipients(case)

    add_conflict(organisation, person("Henk Bosman"), person("Willem Jacobs"), "familie", staff_user=_admin_user())

    assert case.routing_decisions.first().trigger == "conflict_added"
    assert latest_recipients(case) == {"Marieke van Dalen", "Karin Mulder"}


def test_closed_and_withdrawn_cases_lose_the_conflicted_recipient_silently_unrelated_cases_stay(organisation, person):
    henk = person("Henk Bosman")
    closed, _code = report_about(organisation, henk)
    walk_to(closed, State.AFGESLOTEN)
    withdrawn, _code = report_about(organisation, henk)
    withdraw(withdrawn)
    in_progress, _code = report_about(organisation, henk)
    walk_to(in_progress, State.BEOORDELING)
    unrelated, _code = report_about(organisation, person("Pieter de Groot"))
    notifications_before = Notification.objects.count()

    add_conflict(organisation, person("Willem Jacobs"), henk, "zwagers", staff_user=_admin_user())

    # Every case about Henk is routed again, whatever its state: the secretary is out.
    for case in (closed, withdrawn, in_progress):
        assert [d.trigger for d in case.routing_decisions.all()] == ["conflict_added", "submitted"]
        assert "Willem Jacobs" not in latest_recipients(case)
        assert not can_open(verified_client("secretaris"), case)
    assert [d.trigger for d in unrelated.routing_decisions.all()] == ["submitted"]
    # Only the open case tells its new recipient (the deputy); finished cases change silently.
    told = Notification.objects.order_by("pk")[notifications_before:]
    assert {n.case_id for n in told} == {in_progress.pk}
    # The unrelated case still goes to the secretary.
    assert can_open(verified_client("secretaris"), unrelated)


def test_adding_a_conflict_is_audited_without_the_reason(admin, organisation, person):
    willem, henk = person("Willem Jacobs"), person("Henk Bosman")
    case, _code = report_about(organisation, henk)

    admin.post(reverse("beheer:conflict_add"), conflict_data(willem, henk, reason="partners sinds 2019"))

    conflict = Conflict.objects.get()
    event = events("registry.conflict_added").get()
    assert event.actor == "staff:beheerder"
    assert event.organisation_id_ref == organisation.pk
    assert event.detail == {"conflict": conflict.pk, "person": willem.pk, "other": henk.pk}
    assert "partners" not in str(event.detail)
    routed = events("case.routed").filter(case_reference=case.reference).order_by("seq").last()
    assert routed.detail["trigger"] == "conflict_added"
    assert routed.actor == "staff:beheerder"
    assert all(report.ok for report in verify_all())


# Refused input ----------------------------------------------------------------------------------------


def test_the_same_person_twice_is_refused(admin, organisation, person):
    willem = person("Willem Jacobs")

    response = admin.post(reverse("beheer:conflict_add"), conflict_data(willem, willem, reason="typfout"))

    _assert_refused(response, "Kies twee verschillende personen.", kept="typfout")


def test_an_existing_pair_the_other_way_round_is_refused(admin, organisation, person):
    willem, henk = person("Willem Jacobs"), person("Henk Bosman")
    Conflict.objects.create(person=willem, other=henk, reason="zwagers")

    response = admin.post(reverse("beheer:conflict_add"), conflict_data(henk, willem, reason="nogmaals"))

    _assert_refused(
        response,
        "Voor Henk Bosman en Willem Jacobs is al een belangenverstrengeling vastgelegd.",
        kept="nogmaals",
        count=1,
    )


def test_an_existing_pair_the_same_way_round_is_refused(admin, organisation, person):
    willem, henk = person("Willem Jacobs"), person("Henk Bosman")
    Conflict.objects.create(person=willem, other=henk, reason="zwagers")

    response = admin.post(reverse("beheer:conflict_add"), conflict_data(willem, henk, reason="nogmaals"))

    _assert_refused(response, "al een belangenverstrengeling vastgelegd", kept="nogmaals", count=1)


def test_a_person_of_another_organisation_is_refused(admin, organisation, person, stranger):
    form = admin.get(reverse("beheer:conflict_add")).content.decode()
    assert "Willem Jacobs" in form
    assert "Olga Anders" not in form

    # Tried: posting the other organisation's person.
    response = admin.post(reverse("beheer:conflict_add"), conflict_data(person("Willem Jacobs"), stranger))

    _assert_refused(response, "Kies een persoon uit het register van uw organisatie.", kept="zwagers")


def test_an_empty_reason_is_refused(admin, organisation, person):
    willem, henk = person("Willem Jacobs"), person("Henk Bosman")

    response = admin.post(reverse("beheer:conflict_add"), conflict_data(willem, henk, reason="   "))

    _assert_refused(response, "Geef een reden op")
    html = response.content.decode()
    # The people chosen stay chosen.
    assert f'<option value="{willem.pk}" selected>' in html
    assert f'<option value="{henk.pk}" selected>' in html


def test_nobody_chosen_is_refused(admin, organisation):
    response = admin.post(reverse("beheer:conflict_add"), {"person": "", "other": "", "reason": "familie"})

    _assert_refused(response, "Kies een persoon.", kept="familie")


def test_the_action_refuses_too_and_stores_nothing(organisation, person, stranger):
    willem, henk = person("Willem Jacobs"), person("Henk Bosman")
    Conflict.objects.create(person=willem, other=henk, reason="zwagers")
    user = _admin_user()

    for first, second, reason in [
        (henk, willem, "x"),
        (willem, willem, "x"),
        (willem, stranger, "x"),
        (willem, person("Karin Mulder"), ""),
    ]:
        with pytest.raises(ValidationError):
            add_conflict(organisation, first, second, reason, staff_user=user)

    assert Conflict.objects.count() == 1
    assert not events("registry.conflict_added").exists()


def test_the_database_holds_one_row_per_pair(organisation, person):
    willem, henk = person("Willem Jacobs"), person("Henk Bosman")
    Conflict.objects.create(person=willem, other=henk, reason="zwagers")

    with pytest.raises(IntegrityError), transaction.atomic():
        Conflict.objects.create(person=henk, other=willem, reason="nogmaals")
    with pytest.raises(IntegrityError), transaction.atomic():
        Conflict.objects.create(person=henk, other=henk, reason="zichzelf")


def _assert_refused(response, message: str, *, kept: str | None = None, count: int = 0):
    assert response.status_code == 400
    html = response.content.decode()
    assert "Er is iets nog niet goed" in html
    assert message in html
    if kept is not None:
        assert f'value="{kept}"' in html
    assert Conflict.objects.count() == count
    assert not events("registry.conflict_added").exists()
    assert not RoutingDecision.objects.filter(trigger="conflict_added").exists()


def _admin_user():
    return get_user_model().objects.get(username="beheerder")


# The list and removal ---------------------------------------------------------------------------------


def test_the_list_shows_the_organisations_conflicts_and_the_home_page_links_to_it(
    admin, organisation, person, stranger
):
    Conflict.objects.create(person=person("Willem Jacobs"), other=person("Henk Bosman"), reason="zwagers")
    old = Conflict.objects.create(person=person("Karin Mulder"), other=person("Erik Peters"), reason="partners")
    Conflict.objects.filter(pk=old.pk).update(created_at=None)  # registered before the date was kept
    Conflict.objects.create(
        person=stranger, other=Person.objects.create(organisation=stranger.organisation, name="Bram Anders"), reason="x"
    )

    html = admin.get(reverse("beheer:conflicts")).content.decode()

    assert "Willem Jacobs" in html and "Henk Bosman" in html and "zwagers" in html
    assert datetime.date.today().strftime("%Y") in html
    assert "onbekend" in html
    assert "Olga Anders" not in html and "Bram Anders" not in html
    assert reverse("beheer:conflicts") in admin.get(reverse("beheer:home")).content.decode()


def test_the_admin_removes_a_conflict_after_confirming(admin, organisation, person):
    willem, henk = person("Willem Jacobs"), person("Henk Bosman")
    admin.post(reverse("beheer:conflict_add"), conflict_data(willem, henk))
    conflict = Conflict.objects.get()
    url = reverse("beheer:conflict_remove", args=[conflict.pk])

    confirm = admin.get(url)
    assert confirm.status_code == 200
    assert "Wilt u de belangenverstrengeling tussen Willem Jacobs en Henk Bosman (zwagers) verwijderen?" in (
        confirm.content.decode()
    )
    assert Conflict.objects.filter(pk=conflict.pk).exists()  # looking is not removing

    response = admin.post(url, follow=True)

    assert response.redirect_chain == [(reverse("beheer:conflicts"), 302)]
    assert "De belangenverstrengeling tussen Willem Jacobs en Henk Bosman is verwijderd." in response.content.decode()
    assert not Conflict.objects.exists()
    event = events("registry.conflict_removed").get()
    assert event.actor == "staff:beheerder"
    assert event.detail == {"conflict": conflict.pk, "person": willem.pk, "other": henk.pk}
    assert admin.post(url).status_code == 404


def test_removing_a_conflict_gives_the_case_back_to_whom_the_protocol_names(admin, organisation, person):
    henk = person("Henk Bosman")
    case, _code = report_about(organisation, henk)
    admin.post(reverse("beheer:conflict_add"), conflict_data(person("Willem Jacobs"), henk))
    assert case.routing_decisions.count() == 2
    assert not can_open(verified_client("secretaris"), case)

    admin.post(reverse("beheer:conflict_remove", args=[Conflict.objects.get().pk]))

    # Access always follows the protocol as it reads now: the secretary is a recipient
    # again, and is told so (the case is open); the deputy who stood in is out.
    assert case.routing_decisions.count() == 3
    assert case.routing_decisions.first().trigger == "conflict_removed"
    assert latest_recipients(case) == {"Marieke van Dalen", "Willem Jacobs"}
    assert can_open(verified_client("secretaris"), case)
    assert Notification.objects.filter(case=case, person__name="Willem Jacobs").count() == 2


# Who may use these pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["behandelaar1", "secretaris", "burgemeester", "vertrouwenspersoon"])
def test_other_staff_get_403(organisation, person, username):
    willem, henk = person("Willem Jacobs"), person("Henk Bosman")
    conflict = Conflict.objects.create(person=willem, other=henk, reason="zwagers")
    client = verified_client(username)
    remove = reverse("beheer:conflict_remove", args=[conflict.pk])

    for url in (reverse("beheer:conflicts"), reverse("beheer:conflict_add"), remove):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("beheer:conflict_add"), conflict_data(henk, person("Karin Mulder"))).status_code == 403
    assert client.post(remove).status_code == 403
    assert list(Conflict.objects.values_list("pk", flat=True)) == [conflict.pk]
    assert not events("registry.conflict_added").exists()
    assert not events("registry.conflict_removed").exists()


def test_visitor_without_login_is_sent_to_the_login_page(organisation, client):
    response = client.get(reverse("beheer:conflicts"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_another_organisations_conflict_gives_404(admin, organisation, stranger):
    other = Person.objects.create(organisation=stranger.organisation, name="Bram Anders")
    conflict = Conflict.objects.create(person=stranger, other=other, reason="broers")
    url = reverse("beheer:conflict_remove", args=[conflict.pk])

    assert admin.get(url).status_code == 404
    assert admin.post(url).status_code == 404
    assert Conflict.objects.filter(pk=conflict.pk).exists()
    assert not events("registry.conflict_removed").exists()


def test_a_pair_registered_at_the_same_moment_elsewhere_is_refused(organisation, person, monkeypatch):
    """The form's and the model's checks passed, but another admin stored the
    pair (the other way round) just before: the database refuses it."""
    willem, henk = person("Willem Jacobs"), person("Henk Bosman")
    Conflict.objects.create(person=willem, other=henk, reason="zwagers")
    monkeypatch.setattr(Conflict, "validate_constraints", lambda self, exclude=None: None)

    with pytest.raises(ValidationError) as refused:
        add_conflict(organisation, henk, willem, "nogmaals", staff_user=_admin_user())

    assert "al een belangenverstrengeling vastgelegd" in str(refused.value)
    assert Conflict.objects.count() == 1
    assert not events("registry.conflict_added").exists()
