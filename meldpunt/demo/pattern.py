"""A small pattern across years for the demo: four reports about the former
wethouder Wonen, Gerard Wolters (fictional), written four ways and sent
through different channels. After ``make run`` the handlers, the burgemeester
and the gemeentesecretaris have pattern alerts, the newest case says
"3 eerdere zaken over deze persoon" and links the person's timeline.

Loaded by ``manage.py load_demo`` (not by ``load_demo()``, which the tests
use for the registry alone). Idempotent: once a case is about him, nothing
is added.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from meldpunt.cases.actions import ReportInput, SubjectInput, submit_report
from meldpunt.cases.models import Channel, Relation, SubjectLink, Wish
from meldpunt.registry.models import Person

D = datetime.date
NAME = "Gerard Wolters"
NAME_FIELDS = {
    "voornamen": "Gerardus Johannes",
    "voorletters": "G.J.",
    "roepnaam": "Gerard",
    "achternaam": "Wolters",
    "handles": "@gerardwolters",
}

# (what the reporter typed, the events' date, relation, channel, registered by a handler, what happened)
REPORTS = [
    (
        "G.J. Wolters",
        D(2019, 3, 14),
        Relation.MEDEWERKER,
        Channel.ONLINE,
        False,
        "Na het werkoverleg bleef hij aandringen op een etentje met mij alleen, ook toen ik nee zei.",
    ),
    (
        "de wethouder van Wonen",
        D(2020, 10, 6),
        Relation.INSPREKER,
        Channel.ONLINE,
        False,
        "Na mijn inspraak in de raadsvergadering stuurde hij mij privéberichten over mijn uiterlijk.",
    ),
    (
        "Gerard Wolters",
        D(2021, 5, 20),
        Relation.STUDENT,
        Channel.TELEFOON,
        True,
        "Tijdens mijn stage legde hij meermaals zijn hand op mijn been. Telefonisch gemeld.",
    ),
    (
        "oud-wethouder Wolters",
        D(2022, 2, 8),
        Relation.INWONER,
        Channel.ONLINE,
        False,
        "Toen ik hulp vroeg bij mijn woningaanvraag, zei hij dat dat sneller kon als ik met hem uit ging.",
    ),
]


@transaction.atomic
def load_pattern(organisation) -> int:
    """Submit the demo pattern's reports; returns how many were added (0 when already there)."""
    person = Person.objects.get(organisation=organisation, name=NAME)
    if SubjectLink.objects.filter(person=person).exists():
        return 0
    for field, value in NAME_FIELDS.items():
        setattr(person, field, value)
    person.save(update_fields=list(NAME_FIELDS))
    handler = get_user_model().objects.filter(username="behandelaar1").first()
    for typed, day, relation, channel, by_phone, description in REPORTS:
        report = ReportInput(
            relation=relation,
            anonymous=True,
            description=description,
            wishes=[Wish.GEHOORD],
            subjects=[SubjectInput(role=SubjectLink.Role.BESCHULDIGDE, name=typed)],
            period_start=day,
            period_end=day,
        )
        submit_report(organisation, report, channel=channel, registered_by=handler if by_phone else None)
    return len(REPORTS)
