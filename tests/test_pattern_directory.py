"""The resolver's directory built from the database: name fields, dated terms and office addresses.

Fictional people added to the demo organisation (Gemeente Voorbeeldstad).
"""

import datetime

import pytest

from meldpunt.registry.directory import build_directory
from meldpunt.registry.models import Appointment, Person, Position
from meldpunt.registry.resolve import AUTO, PROPOSE, resolve
from meldpunt.registry.search import search_people

D = datetime.date


@pytest.fixture
def veld(organisation):
    """Bram van der Veld, wethouder Economie 2014-2018 and then Wonen until 15 July 2021
    (a position whose portfolio was 'Wonen en Bouwen' in his first term there)."""
    bram = Person.objects.create(
        organisation=organisation,
        name="Bram van der Veld",
        voornamen="Abraham Johannes",
        voorletters="A.J.",
        roepnaam="Bram",
        tussenvoegsel="van der",
        achternaam="Veld",
        aliases="Bram vd Veld",
        other_emails="bram@thuis.example",
        handles="@bramvdveld",
    )
    economie = Position.objects.create(
        organisation=organisation,
        code="weth-economie",
        title="Wethouder Economie",
        category="wethouder",
        portfolio="Economie",
    )
    Appointment.objects.create(position=economie, person=bram, start_date=D(2014, 3, 1), end_date=D(2018, 5, 31))
    wonen = Position.objects.get(organisation=organisation, code="weth-wonen")
    wonen.email = "wethouder.wonen@voorbeeldstad.example"
    wonen.save()
    # The demo's holders of Wonen start later; Bram held it before them, with another portfolio.
    Appointment.objects.filter(position=wonen, start_date__lt=D(2021, 7, 16)).update(start_date=D(2021, 7, 16))
    Appointment.objects.create(
        position=wonen, person=bram, start_date=D(2018, 6, 1), end_date=D(2021, 7, 15), portfolio="Wonen en Bouwen"
    )
    return bram


def test_the_directory_holds_name_fields_addresses_and_dated_terms(organisation, veld):
    directory = build_directory(organisation, D(2026, 12, 1))
    known = directory.people[veld.pk]
    assert known.name.roepnaam == "Bram" and known.name.aliases == ("Bram vd Veld",)
    assert known.emails == ("bram@thuis.example",) and known.handles == ("@bramvdveld",)
    assert [(t.title, t.portfolio, t.start, t.end) for t in known.terms] == [
        ("Wethouder Economie", "Economie", D(2014, 3, 1), D(2018, 5, 31)),
        ("Wethouder Wonen", "Wonen en Bouwen", D(2018, 6, 1), D(2021, 7, 15)),
    ]
    assert known.terms[1].emails == ("wethouder.wonen@voorbeeldstad.example",)


@pytest.mark.parametrize(
    "typed, period, level, is_bram",
    [
        ("B. vd Veld", None, AUTO, True),
        ("Veld, A.J. van der", None, AUTO, True),
        ("@bramvdveld", None, AUTO, True),
        ("bram@thuis.example", None, AUTO, True),
        # The office's address belongs to whoever held the office on the date.
        ("wethouder.wonen@voorbeeldstad.example", (D(2019, 4, 2), D(2019, 4, 2)), AUTO, True),
        ("wethouder.wonen@voorbeeldstad.example", (D(2023, 4, 2), D(2023, 4, 2)), AUTO, False),
        # The portfolio he held then, not the position's portfolio today.
        ("de wethouder van Bouwen", (D(2019, 4, 2), D(2019, 4, 2)), AUTO, True),
        ("wethouder Economie", (D(2016, 1, 1), D(2016, 1, 1)), AUTO, True),
        ("Van der Veld", None, PROPOSE, True),
    ],
)
def test_typed_names_resolve_against_the_database(organisation, veld, typed, period, level, is_bram):
    top = resolve(build_directory(organisation), typed, period).candidates[0]
    assert top.level == level
    assert (top.person == veld.pk) is is_bram, top.explanation


def test_the_report_forms_person_search_finds_the_ways_names_are_written(organisation, veld):
    # The word search alone finds nothing for these spellings; the resolver does.
    for typed in ("B. vd Veld", "A.J. v.d. Veld", "@bramvdveld"):
        hits = search_people(organisation, typed)
        assert hits and hits[0].person == veld, typed
