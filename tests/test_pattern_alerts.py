"""The seed scenario of pattern detection, in a fictional registry (Gemeente
Zuiderhaven, not the demo): seven reports between 2015 and 2021 about one
wethouder Wonen who resigned in 2021, in different spellings and through
different channels, meet in one person, alert the burgemeester and the
gemeentesecretaris from the second report on, and fill one timeline; a
report about a namesake in another department does not join them.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.accounts.models import StaffAccount
from meldpunt.cases import linking
from meldpunt.cases.actions import SubjectInput, submit_report
from meldpunt.cases.models import Channel, Kind, Relation, SubjectLink, SubjectProposal
from meldpunt.maatregelen.rules import MeasureInput, record_measure
from meldpunt.notifications.models import Notification
from meldpunt.organisations.models import Organisation
from meldpunt.protocol.versions import install_defaults
from meldpunt.registry.models import Appointment, Person, Position
from tests.conftest import verified_client
from tests.factories import ReportInputFactory

D = datetime.date
ACCUSED = SubjectLink.Role.BESCHULDIGDE


@pytest.fixture
def zuiderhaven(db):
    organisation = Organisation.objects.create(
        slug="zuiderhaven", name="Gemeente Zuiderhaven", integrity_office_email="integriteit@zuiderhaven.example"
    )
    install_defaults(organisation)

    def holder(name, code, title, category, start, end=None, portfolio="", unit="", email="", **names):
        person = Person.objects.filter(organisation=organisation, name=name).first()
        if person is None:
            person = Person.objects.create(
                organisation=organisation, name=name, email=f"{code}@zuiderhaven.example", **names
            )
        position, _created = Position.objects.get_or_create(
            organisation=organisation,
            code=code,
            defaults={"title": title, "category": category, "portfolio": portfolio, "unit": unit, "email": email},
        )
        Appointment.objects.create(position=position, person=person, start_date=start, end_date=end)
        return person

    wonen = {"portfolio": "Wonen, Ruimtelijke ordening", "email": "wethouder.wonen@zuiderhaven.example"}
    people = {
        "bram": holder(
            "Bram van der Veld",
            "weth-wonen",
            "Wethouder Wonen",
            "wethouder",
            D(2014, 3, 1),
            D(2021, 7, 15),
            voornamen="Abraham Johannes",
            voorletters="A.J.",
            roepnaam="Bram",
            tussenvoegsel="van der",
            achternaam="Veld",
            **wonen,
        ),
        "sandra": holder("Sandra Öztürk", "weth-wonen", "Wethouder Wonen", "wethouder", D(2021, 7, 16), **wonen),
        "pieter": holder(
            "Pieter van der Veld", "mgr-or", "Manager Openbare Ruimte", "manager", D(2012, 1, 1), unit="Openbare Ruimte"
        ),
        "mayor": holder("Johan de Boer", "burgemeester", "Burgemeester", "burgemeester", D(2012, 1, 1)),
        "secretary": holder(
            "Els Jansen-de Vries", "gemeentesecretaris", "Gemeentesecretaris", "gemeentesecretaris", D(2012, 1, 1)
        ),
        "handler": holder(
            "Ingrid Bakker", "integriteit", "Behandelaar Integriteit", "behandelaar", D(2012, 1, 1), unit="Integriteit"
        ),
    }
    for key, username in (("mayor", "zh-burgemeester"), ("secretary", "zh-secretaris"), ("handler", "zh-behandelaar")):
        user = get_user_model().objects.create_user(username, password="x" * 20)
        StaffAccount.objects.create(user=user, person=people[key])
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return organisation, people


def report(organisation, typed, start, *, relation=Relation.MEDEWERKER, channel=Channel.ONLINE, kind=Kind.MELDING):
    year = D(start.year, 12, 31)
    data = ReportInputFactory(
        subjects=[SubjectInput(role=ACCUSED, name=typed)],
        relation=relation,
        period_start=start,
        period_end=min(year, start),
    )
    return submit_report(organisation, data, channel=channel, kind=kind)[0]


SEVEN = [
    # (what the reporter wrote, the date of the events, relation, channel)
    ("wethouder Van der Veld", D(2015, 5, 12), Relation.STUDENT, Channel.TELEFOON),  # a student by phone
    ("de wethouder van Wonen", D(2016, 9, 20), Relation.INSPREKER, Channel.ONLINE),  # an anonymous council speaker
    ("A.J. van der Veld", D(2017, 4, 12), Relation.MEDEWERKER, Channel.ONLINE),  # civil servants, named
    ("Bram vd Veld", D(2018, 2, 1), Relation.MEDEWERKER, Channel.ONLINE),
    ("B. v.d. Veld", D(2019, 11, 5), Relation.MEDEWERKER, Channel.BRIEF),
    ("wethouder.wonen@zuiderhaven.example", D(2020, 6, 30), Relation.MEDEWERKER, Channel.ONLINE),
    ("oud-wethouder Van der Veld", D(2021, 6, 1), Relation.INWONER, Channel.ONLINE),  # a citizen, after he resigned
]


def pattern_alerts(person):
    return Notification.objects.filter(person=person, kind=Notification.Kind.PATTERN)


def test_seven_reports_in_seven_spellings_meet_in_one_person_and_alert_from_the_second(zuiderhaven):
    organisation, people = zuiderhaven
    cases = []
    for number, (typed, day, relation, channel) in enumerate(SEVEN, start=1):
        case = report(organisation, typed, day, relation=relation, channel=channel)
        cases.append(case)
        (link,) = case.subjects.all()
        assert (link.person_id, link.origin) == (people["bram"].pk, SubjectLink.Origin.AUTOMATISCH), typed
        assert link.score and link.description()["name"] == typed  # the reporter's words stay, sealed
        # The first report is no pattern; every later one alerts the protocol's recipients once.
        for key in ("mayor", "secretary"):
            assert pattern_alerts(people[key]).count() == number - 1, (typed, key)
        assert pattern_alerts(people["handler"]).count() == number - 1
    second = pattern_alerts(people["mayor"]).get(case=cases[1])
    assert second.reason == f"Zaak {cases[1].reference} gaat over dezelfde persoon als 1 eerdere zaken."
    last = pattern_alerts(people["mayor"]).get(case=cases[-1])
    assert "6 eerdere zaken" in last.reason and "Veld" not in last.reason  # no names, no content
    assert not Notification.objects.filter(person=people["bram"]).exists()  # never the accused

    # The namesake in another department is not linked to the wethouder and joins no pattern.
    namesake = report(organisation, "P. van der Veld", D(2019, 1, 1))
    assert namesake.subjects.get().person_id == people["pieter"].pk
    assert not Notification.objects.filter(case=namesake, kind=Notification.Kind.PATTERN).exists()

    # The handler's timeline has all seven, oldest first, with his position at each date.
    handler = verified_client("zh-behandelaar")
    link = cases[-1].subjects.get()
    page = handler.get(f"/behandelen/zaak/{cases[-1].reference}/over/{link.public_id}/").content.decode()
    assert all(case.reference in page for case in cases) and namesake.reference not in page
    table = page.split('data-testid="timeline"')[1]
    # In the order the events happened (the citizen's report about 2021 came last), with his position then.
    assert [table.index(case.reference) for case in cases] == sorted(table.index(case.reference) for case in cases)
    assert "Wethouder Wonen" in table and "12 mei 2015" in table
    # A measure of one case is on the timeline by kind and state, never by its reason.
    record_measure(
        cases[2],
        MeasureInput(
            kind="waarschuwing",
            burdens="beschuldigde",
            decided_on=datetime.date.today(),
            decision_maker_other="de burgemeester",
            reason="Reden die op de tijdlijn niet staat",
            take_now=True,
        ),
        staff_user=get_user_model().objects.get(username="zh-behandelaar"),
    )
    page = handler.get(f"/behandelen/zaak/{cases[-1].reference}/over/{link.public_id}/").content.decode()
    row = page.split(cases[2].reference, 1)[1].split("</tr>", 1)[0]
    assert "Waarschuwing (Genomen)" in row and "Reden die" not in page
    # The case page says how many earlier cases there are and links them.
    case_page = handler.get(f"/behandelen/zaak/{cases[-1].reference}/").content.decode()
    assert "6 eerdere zaken over deze persoon" in case_page
    assert "Getypt door de melder, automatisch herkend" in case_page


def test_a_surname_alone_is_proposed_and_joins_the_pattern_once_the_handler_confirms(zuiderhaven):
    organisation, people = zuiderhaven
    first = report(organisation, "A.J. van der Veld", D(2017, 4, 12))
    # Tried: only the surname, which two people in the registry share.
    vague = report(organisation, "Van der Veld", D(2019, 1, 1))
    (link,) = vague.subjects.all()
    assert link.person is None and link.origin == SubjectLink.Origin.GETYPT
    proposed = {p.person_id for p in vague.proposals.all()}
    assert proposed >= {people["bram"].pk, people["pieter"].pk}
    assert not pattern_alerts(people["mayor"]).filter(case=vague).exists()

    handler = verified_client("zh-behandelaar")
    page = handler.get(f"/behandelen/zaak/{vague.reference}/").content.decode()
    assert "Voorgestelde koppelingen" in page and "Bram van der Veld" in page
    bram = vague.proposals.get(person=people["bram"])
    response = handler.post(f"/behandelen/zaak/{vague.reference}/voorstel/{bram.pk}/", {"besluit": "bevestigen"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.person_id, link.origin, link.decided_by.username) == (
        people["bram"].pk,
        SubjectLink.Origin.BEVESTIGD,
        "zh-behandelaar",
    )
    assert set(vague.proposals.values_list("state", flat=True)) == {"bevestigd", "afgewezen"}
    # Routed again: the wethouder's recipients now have the case, and the pattern alert.
    assert pattern_alerts(people["mayor"]).filter(case=vague).count() == 1
    assert first.reference in handler.get(f"/behandelen/zaak/{vague.reference}/").content.decode()
    # Tried: confirming the same proposal again (a second tab) changes nothing.
    handler.post(f"/behandelen/zaak/{vague.reference}/voorstel/{bram.pk}/", {"besluit": "bevestigen"})
    assert pattern_alerts(people["mayor"]).filter(case=vague).count() == 1


def test_a_wrong_automatic_link_is_corrected_and_the_case_routed_again(zuiderhaven):
    organisation, people = zuiderhaven
    case = report(organisation, "Bram vd Veld", D(2018, 2, 1))
    handler = verified_client("zh-behandelaar")
    link = case.subjects.get()
    # Tried: a person id of another organisation; nothing changes.
    handler.post(f"/behandelen/zaak/{case.reference}/over/{link.public_id}/corrigeren/", {"person": "999999"})
    link.refresh_from_db()
    assert link.person_id == people["bram"].pk
    handler.post(
        f"/behandelen/zaak/{case.reference}/over/{link.public_id}/corrigeren/", {"person": people["pieter"].pk}
    )
    link.refresh_from_db()
    assert (link.person_id, link.origin) == (people["pieter"].pk, SubjectLink.Origin.GECORRIGEERD)
    assert case.recipients.filter(person=people["mayor"]).count() == 0  # a manager's case is not the mayor's


def test_an_outsider_meets_by_keyed_hash_and_the_name_is_never_stored_readable(zuiderhaven):
    organisation, people = zuiderhaven
    first = report(organisation, "Kees de Wit", D(2019, 1, 1), relation=Relation.INWONER)
    second = report(organisation, "K. de Wit", D(2020, 1, 1), relation=Relation.INWONER)
    other = report(organisation, "Karel Wit", D(2020, 1, 1), relation=Relation.INWONER)
    keys = [c.subjects.get().outsider_key for c in (first, second, other)]
    assert keys[0] and keys[0] == keys[1] and keys[2] == keys[0]  # same surname and initial: the same key
    assert "wit" not in keys[0].lower()  # a hash, not the name
    assert len(keys[0]) == 64
    assert linking.normalised_name("Kees de Wit") == "wit|k"
    assert pattern_alerts(people["handler"]).filter(case=second).exists()
    # A different first initial is another outsider.
    assert report(organisation, "J. de Wit", D(2020, 1, 1)).subjects.get().outsider_key != keys[0]


def test_a_narrative_mention_is_proposed_never_linked(zuiderhaven):
    organisation, people = zuiderhaven
    data = ReportInputFactory(
        subjects=[SubjectInput(role=ACCUSED, person=people["pieter"])],
        description="Hij zei dat de gemeentesecretaris ervan wist. Ook Bram van der Veld was erbij.",
    )
    case = submit_report(organisation, data)[0]
    assert [s.person_id for s in case.subjects.all()] == [people["pieter"].pk]
    mentioned = case.proposals.filter(source=SubjectProposal.Source.VERMELDING)
    assert set(mentioned.values_list("person_id", flat=True)) == {people["secretary"].pk, people["bram"].pk}
    handler = verified_client("zh-behandelaar")
    proposal = mentioned.get(person=people["bram"])
    handler.post(f"/behandelen/zaak/{case.reference}/voorstel/{proposal.pk}/", {"besluit": "afwijzen"})
    assert case.subjects.count() == 1
    proposal.refresh_from_db()
    assert proposal.state == SubjectProposal.State.AFGEWEZEN


def test_the_timeline_shows_only_the_cases_the_viewer_may_open(zuiderhaven):
    organisation, people = zuiderhaven
    cases = [report(organisation, typed, day) for typed, day, _r, _c in SEVEN[:3]]
    # The burgemeester witnessed two of the three: he may not open those, and is not told they exist.
    for case in cases[:2]:
        SubjectLink.objects.create(case=case, role=SubjectLink.Role.BETROKKENE, person=people["mayor"])
    mayor = verified_client("zh-burgemeester")
    link = cases[2].subjects.get(role=ACCUSED)
    page = mayor.get(f"/behandelen/zaak/{cases[2].reference}/over/{link.public_id}/").content.decode()
    assert cases[2].reference in page
    assert cases[0].reference not in page and cases[1].reference not in page
    case_page = mayor.get(f"/behandelen/zaak/{cases[2].reference}/").content.decode()
    assert "eerdere zaken over deze persoon" not in case_page and "eerdere zaak over deze persoon" not in case_page
    assert mayor.get(f"/behandelen/zaak/{cases[0].reference}/over/{link.public_id}/").status_code == 404
