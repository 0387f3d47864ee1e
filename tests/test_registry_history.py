"""The registry with its history in one import: several appointments per position,
dated portfolios, the locoburgemeester, and logins from the gebruikersnaam column.

Gemeente Dijkvliet is made up, and so is everyone in it. Its history file:
Piet Hagen was wethouder Sport from March 2014 and resigned at the end of July
2021; Karel Smits succeeded him. Lisa Dam was wethouder with the Wonen
portfolio over the same years and holds Financiën since August 2021; she is
the locoburgemeester (the burgemeester's plaatsvervanger).
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from meldpunt.accounts.models import StaffAccount
from meldpunt.audit.models import AuditEvent
from meldpunt.organisations.actions import create_organisation
from meldpunt.registry import actions, csv_import
from meldpunt.registry.models import Appointment, Person, Position
from tests.conftest import verified_client
from tests.factories import report_about
from tests.test_staff_accounts import set_up

HEADER = (
    "code,functie,categorie,portefeuille,afdeling,rapporteert_aan,plaatsvervanger,"
    "naam,email,begindatum,einddatum,gebruikersnaam"
)
BURGEMEESTER = "burgemeester,Burgemeester,burgemeester,Openbare orde,,,weth-financien,Anna Kroon,,2016-01-01,,"
PIET = "weth-sport,Wethouder Sport,wethouder,Sport,,,,Piet Hagen,,2014-03-01,2021-07-31,"
KAREL = "weth-sport,Wethouder Sport,wethouder,Sport,,,,Karel Smits,,2021-08-01,,"
LISA_WONEN = "weth-financien,Wethouder Financiën,wethouder,Wonen,,,,Lisa Dam,,2014-03-01,2021-07-31,"
LISA_FINANCIEN = "weth-financien,Wethouder Financiën,wethouder,Financiën,,,,Lisa Dam,,2021-08-01,,"
SECRETARIS = "gemeentesecretaris,Gemeentesecretaris,gemeentesecretaris,,Directie,,,Tom Veen,,2010-01-01,,"
BEHANDELAAR = "integriteit-1,Behandelaar Integriteit,behandelaar,,Integriteitsbureau,,,Eva Roos,,2015-01-01,,e.roos"
HISTORY = [BURGEMEESTER, PIET, KAREL, LISA_WONEN, LISA_FINANCIEN, SECRETARIS, BEHANDELAAR]


def history_file(*rows, header=HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


@pytest.fixture
def dijkvliet(db):
    """A new organisation, set up as create_organisation does, with its first functional admin."""
    return create_organisation(
        slug="dijkvliet",
        name="Gemeente Dijkvliet",
        integrity_office_name="Integriteitsbureau",
        integrity_office_email="integriteit@dijkvliet.example",
        admin_name="Rik Bosch",
        admin_email="r.bosch@dijkvliet.example",
        admin_username="r.bosch",
    )


def import_as_admin(new, data: bytes):
    return actions.import_registry(new.organisation, data, staff_user=new.admin.user)


def appointments(organisation):
    return sorted(
        Appointment.objects.filter(position__organisation=organisation)
        .exclude(position__code="functioneel-beheerder")
        .values_list("position__code", "person__name", "start_date", "end_date", "portfolio"),
        key=str,
    )


def recipients(case) -> set[str]:
    return {r.person.name for r in case.routing_decisions.first().recipients.all()}


# Several appointments per position --------------------------------------------------------------------


def test_one_file_holds_successive_appointments_and_a_portfolio_change(dijkvliet):
    summary = import_as_admin(dijkvliet, history_file(*HISTORY))

    organisation = dijkvliet.organisation
    assert len(summary.positions_created) == 4 + 1  # burgemeester, two wethouders, secretaris, behandelaar
    assert len(summary.appointments_created) == 7
    sport = Position.objects.get(organisation=organisation, code="weth-sport")
    assert [(a.person.name, a.start_date, a.end_date) for a in sport.appointments.order_by("start_date")] == [
        ("Piet Hagen", datetime.date(2014, 3, 1), datetime.date(2021, 7, 31)),
        ("Karel Smits", datetime.date(2021, 8, 1), None),
    ]
    financien = Position.objects.get(organisation=organisation, code="weth-financien")
    assert financien.portfolio == "Financiën"  # the last row's: the position's own
    assert [(a.held_portfolio, a.held_title) for a in financien.appointments.order_by("start_date")] == [
        ("Wonen", "Wethouder Wonen"),  # the old portfolio, kept with its appointment
        ("Financiën", "Wethouder Financiën"),
    ]
    assert financien.is_locoburgemeester
    assert Person.objects.filter(organisation=organisation, name="Lisa Dam").count() == 1


def test_importing_the_history_file_again_changes_nothing(dijkvliet):
    data = history_file(*HISTORY)
    import_as_admin(dijkvliet, data)
    before = appointments(dijkvliet.organisation)
    accounts_before = StaffAccount.objects.count()

    summary = import_as_admin(dijkvliet, data)

    assert not summary.changed
    assert appointments(dijkvliet.organisation) == before
    assert StaffAccount.objects.count() == accounts_before  # Eva Roos keeps the one login she got


def test_a_later_row_ends_nothing_it_does_not_overlap_and_history_adds_to_the_registry(dijkvliet):
    # First only today's holders, as an organisation might start; then the history file.
    import_as_admin(dijkvliet, history_file(BURGEMEESTER, KAREL, LISA_FINANCIEN, SECRETARIS))

    summary = import_as_admin(dijkvliet, history_file(*HISTORY))

    assert len(summary.appointments_created) == 3  # Piet, Lisa's Wonen years, Eva
    assert not summary.appointments_ended
    assert ("weth-sport", "Piet Hagen", datetime.date(2014, 3, 1), datetime.date(2021, 7, 31), "") in appointments(
        dijkvliet.organisation
    )


def test_overlapping_appointments_in_one_file_are_refused_naming_both_rows(dijkvliet):
    # Tried: Karel Smits starting as wethouder Sport on 1 July 2021, while the row
    # above has Piet Hagen in that position until 31 July 2021.
    data = history_file(BURGEMEESTER, PIET, KAREL.replace("2021-08-01", "2021-07-01"), LISA_FINANCIEN, SECRETARIS)

    with pytest.raises(csv_import.RegistryImportError) as refused:
        import_as_admin(dijkvliet, data)

    assert [str(p) for p in refused.value.problems] == [
        (
            "Regel 4: Deze benoeming (Karel Smits, sinds 1 juli 2021) overlapt met die op regel 3 "
            "(Piet Hagen, van 1 maart 2014 tot en met 31 juli 2021). Een functie heeft één bekleder tegelijk: "
            "laat de eerdere benoeming eindigen vóór de volgende begint."
        )
    ]
    assert appointments(dijkvliet.organisation) == []  # nothing stored, not even the good rows
    assert not Position.objects.filter(organisation=dijkvliet.organisation, code="burgemeester").exists()
    assert not AuditEvent.objects.filter(action="registry.imported").exists()


def test_an_open_appointment_followed_by_another_row_is_refused(dijkvliet):
    # Tried: Piet Hagen's row without an end date, and Karel Smits after him.
    data = history_file(PIET.replace("2021-07-31", ""), KAREL)

    with pytest.raises(csv_import.RegistryImportError, match="Regel 3: Deze benoeming .* overlapt met die op regel 2"):
        import_as_admin(dijkvliet, data)
    assert appointments(dijkvliet.organisation) == []


def test_rows_of_one_position_with_different_position_data_are_refused(dijkvliet):
    # Tried: the second row of weth-sport in another category and reporting elsewhere.
    data = history_file(SECRETARIS, PIET, KAREL.replace(",wethouder,Sport,,,", ",raadslid,Sport,,gemeentesecretaris,"))

    with pytest.raises(csv_import.RegistryImportError) as refused:
        import_as_admin(dijkvliet, data)

    assert str(refused.value.problems[0]).startswith(
        "Regel 4: De code „weth-sport” staat ook al op regel 3. Een functie mag op meer regels staan"
    )
    assert str(refused.value.problems[0]).endswith("Hier anders: categorie, rapporteert_aan.")
    assert appointments(dijkvliet.organisation) == []


# Routing by the portfolio held at the time ----------------------------------------------------------


def test_routing_explanation_names_the_portfolio_held_at_the_time_of_the_events(dijkvliet):
    import_as_admin(dijkvliet, history_file(*HISTORY))
    lisa = Person.objects.get(organisation=dijkvliet.organisation, name="Lisa Dam")

    case, _code = report_about(
        dijkvliet.organisation, lisa, period_start=datetime.date(2019, 5, 1), period_end=datetime.date(2019, 6, 1)
    )

    decision = case.routing_decisions.get()
    assert decision.categories == ["wethouder"]
    assert recipients(case) == {"Anna Kroon", "Tom Veen"}
    explanation = decision.recipients.get(person__name="Anna Kroon").explanation
    assert "was wethouder Wonen van maart 2014 tot juli 2021" in explanation
    assert "is wethouder Financiën sinds augustus 2021" in explanation


def test_the_source_documents_case_from_one_history_file(dijkvliet):
    """A report after Piet Hagen resigned, about events during his term, reaches the
    burgemeester and the gemeentesecretaris and never him; after he left: extern."""
    import_as_admin(dijkvliet, history_file(*HISTORY))
    organisation = dijkvliet.organisation
    piet = Person.objects.get(organisation=organisation, name="Piet Hagen")

    during, _code = report_about(
        organisation, piet, period_start=datetime.date(2019, 3, 1), period_end=datetime.date(2020, 11, 30)
    )
    after, _code = report_about(
        organisation, piet, period_start=datetime.date(2023, 5, 1), period_end=datetime.date(2023, 5, 2)
    )

    assert during.routing_decisions.get().categories == ["wethouder"]
    assert recipients(during) == {"Anna Kroon", "Tom Veen"}
    assert "Piet Hagen" not in recipients(during) | recipients(after)
    explanation = during.routing_decisions.get().recipients.get(person__name="Anna Kroon").explanation
    assert "was wethouder Sport van maart 2014 tot juli 2021" in explanation
    assert after.routing_decisions.get().categories == ["extern"]
    assert recipients(after) == {"Eva Roos"}  # the integrity office


def test_registry_pages_show_the_portfolio_history(admin):
    data = history_file(
        "weth-financien,Wethouder Financiën,wethouder,Financiën,,,,Pieter de Groot,,2022-06-01,2024-12-31,",
        "weth-financien,Wethouder Financiën,wethouder,Financiën en Economie,,,,Pieter de Groot,,2025-01-01,,",
    )
    assert upload(admin, data).status_code == 200
    pieter = Person.objects.get(name="Pieter de Groot")

    for page in (f"/beheer/personen/{pieter.pk}/", f"/beheer/functies/{pieter.appointments.first().position.pk}/"):
        html = admin.get(page).content.decode()
        assert '<td class="utrecht-table__cell">Financiën</td>' in html, page
        assert '<td class="utrecht-table__cell">Financiën en Economie</td>' in html, page


def test_appointing_with_another_portfolio_on_the_registry_page(admin, organisation):
    position = Position.objects.get(organisation=organisation, code="weth-sport")
    johan = Appointment.objects.get(position=position, end_date=None)
    johan.end_date = datetime.date(2026, 6, 30)
    johan.save()
    noor = Person.objects.create(organisation=organisation, name="Noor de Vries")

    response = admin.post(
        f"/beheer/functies/{position.pk}/benoemen/",
        {"person": noor.pk, "start_date": "2026-07-01", "end_date": "", "portfolio": "Sport, Recreatie"},
    )

    assert response.status_code == 302
    assert Appointment.objects.get(person=noor).held_title == "Wethouder Sport, Recreatie"
    html = admin.get(f"/beheer/functies/{position.pk}/").content.decode()
    assert '<td class="utrecht-table__cell">Sport, Recreatie</td>' in html  # Noor's
    assert '<td class="utrecht-table__cell">Sport, Cultuur</td>' in html  # Johan's: the position's own


# Logins from the gebruikersnaam column --------------------------------------------------------------


@pytest.fixture
def admin(organisation):
    return verified_client("beheerder")


def upload(client, data: bytes):
    return client.post(reverse("beheer:import"), {"file": SimpleUploadedFile("r.csv", data, content_type="text/csv")})


NEW_HANDLER = "integriteit-3,Behandelaar Integriteit,behandelaar,,Integriteitsbureau,,,Noor Blom,,2026-01-01,,n.blom"


def test_gebruikersnaam_gives_a_login_whose_link_is_shown_once_and_works(admin, organisation):
    response = upload(admin, history_file(NEW_HANDLER))

    html = response.content.decode()
    assert response.status_code == 200, html
    assert "1 login gemaakt" in html
    link = re.search(r'data-username="n.blom">http://[^/]+(/account/instellen/[^<]+/)<', html).group(1)
    assert "Noor Blom" in html.split('id="new-logins-table"')[1]
    account = StaffAccount.objects.get(person__name="Noor Blom")
    assert account.user.username == "n.blom"
    event = AuditEvent.objects.get(action="account.created", detail__username="n.blom")
    assert event.actor == AuditEvent.objects.get(action="registry.imported").actor  # the importing admin
    assert "instellen" not in admin.get(reverse("beheer:import")).content.decode()  # shown once, not again

    handler = Client()
    assert set_up(handler, link).status_code == 302
    assert handler.get("/behandelen/").status_code == 200


def test_gebruikersnaam_refusals_name_the_row_and_store_nothing(admin, organisation):
    users_before = get_user_model().objects.count()
    people_before = Person.objects.count()
    # Tried: a username that is taken (line 2), a second login for the importing
    # admin himself (line 3), and one username for two people (lines 4 and 5).
    data = history_file(
        NEW_HANDLER.replace("n.blom", "burgemeester"),
        "beheer,Functioneel beheerder,functioneel_beheerder,,Informatievoorziening,dir-ruimte,,Rob Lammers,,"
        "2019-01-01,,rob.lammers",
        "integriteit-4,Behandelaar Integriteit,behandelaar,,Integriteitsbureau,,,Sem Kok,,2026-01-01,,s.kok",
        "integriteit-5,Behandelaar Integriteit,behandelaar,,Integriteitsbureau,,,Mila Kok,,2026-01-01,,s.kok",
    )

    response = upload(admin, data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Regel 2: De gebruikersnaam burgemeester is al in gebruik. Kies een andere." in html
    assert "Regel 3: Rob Lammers heeft al een login (beheerder)." in html
    assert "Regel 5: De gebruikersnaam s.kok staat ook op regel 4, bij Sem Kok. Kies een andere." in html
    assert get_user_model().objects.count() == users_before
    assert Person.objects.count() == people_before
    assert not AuditEvent.objects.filter(action="account.created").exists()


def test_gebruikersnaam_without_naam_is_refused(admin, organisation):
    # Tried: a username on a vacant position's row.
    response = upload(admin, history_file("integriteit-3,Behandelaar Integriteit,behandelaar,,,,,,,,,n.blom"))

    assert response.status_code == 400
    assert "Regel 2: Er staat een gebruikersnaam, maar geen naam" in response.content.decode()
    assert not get_user_model().objects.filter(username="n.blom").exists()


def test_the_example_file_sets_up_an_empty_organisation_of_a_new_installation(dijkvliet):
    data = csv_import.example_csv().encode()

    summary = import_as_admin(dijkvliet, data)

    assert len(summary.positions_created) == len({row[0] for row in csv_import.EXAMPLE_ROWS})
    assert [a.username for a in summary.accounts_created] == ["behandelaar1"]
    wonen = Position.objects.get(organisation=dijkvliet.organisation, code="weth-wonen")
    assert wonen.is_locoburgemeester
    assert wonen.appointments.count() == 2  # two successive wethouders Wonen
    assert not import_as_admin(dijkvliet, data).changed
