"""Subject resolution over how Dutch people actually write names and roles.

A fictional registry (Gemeente Zuiderhaven, not the demo): Bram van der Veld
(officially Abraham Johannes, A.J.) was raadslid from 2010 and wethouder Wonen
from March 2014 until he resigned on 15 July 2021; Sandra Öztürk has held
Wonen since the next day. The traps are people who share a surname with him
or nearly do, and an office address that belongs to whoever held the office.
"""

import datetime

import pytest

from meldpunt.registry.names import PersonName
from meldpunt.registry.resolve import AUTO, PROPOSE, Directory, Known, Term, resolve

D = datetime.date
TODAY = D(2026, 12, 1)
WONEN = dict(
    category="wethouder", portfolio="Wonen, Ruimtelijke ordening", emails=("wethouder.wonen@zuiderhaven.example",)
)

PEOPLE = [
    Known(
        1,
        PersonName(
            "Bram van der Veld",
            voornamen="Abraham Johannes",
            voorletters="A.J.",
            roepnaam="Bram",
            tussenvoegsel="van der",
            achternaam="Veld",
        ),
        terms=(
            Term("Raadslid", "raadslid", D(2010, 3, 1), D(2014, 2, 28), unit="Gemeenteraad"),
            Term("Wethouder Wonen", start=D(2014, 3, 1), end=D(2021, 7, 15), **WONEN),
        ),
        emails=("b.vanderveld@zuiderhaven.example",),
        handles=("@bramvdveld",),
    ),
    Known(2, PersonName("Karin van der Velde"), terms=(Term("Medewerker Burgerzaken", "medewerker", D(2012, 1, 1)),)),
    Known(
        3,
        PersonName("Pieter van der Veld"),
        terms=(Term("Manager Openbare Ruimte", "manager", D(2016, 1, 1), unit="Openbare Ruimte"),),
    ),
    Known(4, PersonName("Sandra Öztürk"), terms=(Term("Wethouder Wonen", start=D(2021, 7, 16), **WONEN),)),
    Known(5, PersonName("Johan de Boer"), terms=(Term("Burgemeester", "burgemeester", D(2012, 1, 1)),)),
    Known(
        6, PersonName("Els Jansen-de Vries"), terms=(Term("Gemeentesecretaris", "gemeentesecretaris", D(2018, 1, 1)),)
    ),
    Known(
        7,
        PersonName("Mohamed El Idrissi"),
        terms=(Term("Wethouder Financiën", "wethouder", D(2018, 1, 1), portfolio="Financiën"),),
    ),
    Known(8, PersonName("Ingrid Bakker"), terms=(Term("Griffier", "griffier", D(2015, 1, 1)),)),
    Known(9, PersonName("Anouk Bakkers"), terms=(Term("Medewerker Griffie", "medewerker", D(2019, 1, 1)),)),
]
DIRECTORY = Directory(PEOPLE, today=TODAY)
IN_2017 = (D(2017, 4, 12), D(2017, 4, 12))
NOBODY = None

# (what was typed, the events' date or period, expected level, expected person)
CASES = [
    # Initials, dots, tussenvoegsels written, abbreviated or capitalised.
    ("A.J. van der Veld", IN_2017, AUTO, 1),
    ("A.J. vd Veld", None, AUTO, 1),
    ("AJ van der Veld", None, AUTO, 1),
    ("B. vd Veld", IN_2017, AUTO, 1),  # the roepnaam's initial
    ("B. v.d. Veld", None, AUTO, 1),
    ("Bram van der Veld", None, AUTO, 1),
    ("bram vd veld", None, AUTO, 1),
    ("Abraham van der Veld", None, AUTO, 1),  # an official first name
    ("Veld, A.J. van der", None, AUTO, 1),  # the administrative order
    ("Pieter van der Veld", None, AUTO, 3),
    ("P. van der Veld", None, AUTO, 3),
    # Namesakes: never on the surname alone.
    ("Van der Veld", None, PROPOSE, None),
    ("van der veld", IN_2017, PROPOSE, None),
    ("J. van der Veld", None, PROPOSE, None),  # a second initial only is not enough
    # Role words at the date of the events.
    ("wethouder Van der Veld", IN_2017, AUTO, 1),
    ("manager van der Veld", None, AUTO, 3),
    ("raadslid Van der Veld", (D(2012, 5, 1), D(2012, 5, 1)), AUTO, 1),
    ("de wethouder van Wonen", IN_2017, AUTO, 1),
    ("de wethouder van wonen", (D(2022, 3, 1), D(2022, 3, 1)), AUTO, 4),
    ("wethouder Wonen", (D(2021, 7, 15), D(2021, 7, 15)), AUTO, 1),  # his last day
    ("wethouder Wonen", (D(2021, 7, 16), D(2021, 7, 16)), AUTO, 4),  # the first day after the change
    ("wethouder Wonen", None, AUTO, 4),  # no date: today's holder
    ("wethouder van ruimtelijke ordening", IN_2017, AUTO, 1),
    ("oud-wethouder van Wonen", None, AUTO, 1),
    ("de voormalig wethouder Van der Veld", None, AUTO, 1),
    ("ex-wethouder wonen", None, AUTO, 1),
    ("wethouder financien", None, AUTO, 7),  # without the accent
    ("de wethouder", None, PROPOSE, None),  # two wethouders today
    ("de wethouder van Wonen", (D(2013, 6, 1), D(2013, 6, 1)), NOBODY, None),  # nobody held it yet
    ("de burgemeester", IN_2017, AUTO, 5),
    ("burgemeester", None, AUTO, 5),
    ("de gemeentesecretaris", None, AUTO, 6),
    ("griffier Bakker", None, AUTO, 8),
    # Double surnames, accents, typos, a surname one syllable away.
    ("Els Jansen", None, AUTO, 6),
    ("Jansen-de Vries", None, PROPOSE, 6),
    ("mevrouw Jansen - de Vries", None, PROPOSE, 6),
    ("Sandra Ozturk", None, AUTO, 4),
    ("S. Öztürk", None, AUTO, 4),
    ("Sandra Oztruk", None, PROPOSE, 4),
    ("Karin van der Veld", None, PROPOSE, 2),
    ("Bram van der Velde", None, PROPOSE, 1),
    ("van der Velde", None, PROPOSE, 2),
    ("Bakker", None, PROPOSE, 8),
    ("Anouk Bakker", None, PROPOSE, 9),
    ("El Idrissi", None, PROPOSE, 7),
    ("Mohamed", None, PROPOSE, 7),  # a first name alone
    # E-mail addresses and handles; an office's address belongs to who held the office then.
    ("b.vanderveld@zuiderhaven.example", None, AUTO, 1),
    ("B.VanDerVeld@Zuiderhaven.example", None, AUTO, 1),
    ("@bramvdveld", None, AUTO, 1),
    ("wethouder.wonen@zuiderhaven.example", IN_2017, AUTO, 1),
    ("wethouder.wonen@zuiderhaven.example", (D(2023, 1, 9), D(2023, 1, 9)), AUTO, 4),
    # Nobody.
    ("Henk Pietersen", None, NOBODY, None),
    ("", None, NOBODY, None),
]


@pytest.mark.parametrize("typed, period, level, expected", CASES, ids=[f"{c[0] or 'empty'}-{c[1]}" for c in CASES])
def test_resolution(typed, period, level, expected):
    result = resolve(DIRECTORY, typed, period)
    if level is NOBODY:
        assert result.candidates == [], [(c.person, c.level, c.explanation) for c in result.candidates]
        return
    top = result.candidates[0]
    shown = [(c.person, c.level, round(c.score), c.explanation) for c in result.candidates]
    assert top.level == level, shown
    if expected is not None:
        assert top.person == expected, shown
    if level == PROPOSE:
        assert result.linked is None
    else:
        assert result.linked == expected
        # Nobody else is linked automatically beside the one.
        assert [c.person for c in result.candidates if c.level == AUTO] == [expected]


def test_namesakes_are_both_proposed_and_neither_linked():
    result = resolve(DIRECTORY, "Van der Veld")
    assert {c.person for c in result.candidates} >= {1, 3}
    assert all(c.level == PROPOSE for c in result.candidates)


def test_the_explanation_says_what_agreed_and_what_he_was_at_the_date():
    top = resolve(DIRECTORY, "A.J. van der Veld", IN_2017).candidates[0]
    assert "achternaam komt overeen" in top.explanation
    assert "voorletters komt overeen" in top.explanation
    role = resolve(DIRECTORY, "de wethouder van Wonen", IN_2017).candidates[0]
    assert role.explanation == "was wethouder Wonen op 12 april 2017"


def test_a_large_directory_is_searched_through_its_keys():
    people = [Known(1000 + i, PersonName(f"Persoon{i} Achternaam{i}")) for i in range(10_000)]
    directory = Directory([*PEOPLE, *people], today=TODAY)
    assert resolve(directory, "A.J. van der Veld", IN_2017).linked == 1
    assert resolve(directory, "Persoon77 Achternaam77").linked == 1077
