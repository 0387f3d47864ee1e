"""Two calendar years of closed demo cases, so the council figures have
history: categories large enough to show and small enough to be suppressed.

Fictional and generated from a fixed seed. Stored in bulk (a few queries, each
case with its own data key and sealed content, as every case); they have no
receipt code (nobody can open an inbox with one) and no deadline rows (all
closed). Their case numbers are taken from the year's counter, so later
cases of those years keep counting on. Loaded once: nothing if the
organisation already has cases from those years.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from meldpunt.cases.models import Behaviour, Case, CaseCounter, Channel, Kind, Outcome, Relation, State, SubjectLink
from meldpunt.crypto import CaseKey
from meldpunt.registry.models import Person

SEED = 2026
PER_YEAR = (38, 52)  # the year before last, last year
# The accused per group: registry people of the demo (a group of its own for "nobody named").
ACCUSED = {
    "bestuurder": ["Fatima El Amrani", "Pieter de Groot", "Sanne Verhoeven"],
    "ambtenaar": ["Johan Kuipers"],
    "onbekend": [],
}
DESCRIPTIONS = [
    "Opmerkingen over mijn uiterlijk tijdens een overleg.",
    "Ik werd in een groepsgesprek steeds onderbroken en uitgelachen.",
    "Een bericht na werktijd dat ik als intimiderend ervoer.",
    "Er werd gedreigd met gevolgen als ik mijn bezwaar doorzette.",
    "Grappen over mijn afkomst bij de koffieautomaat.",
]


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


@transaction.atomic
def load_history(organisation) -> int:
    """Make the history cases unless there are cases of those years. Returns how many were made."""
    this_year = timezone.localdate().year
    years = (this_year - 2, this_year - 1)
    tz = timezone.get_current_timezone()
    first = datetime.datetime(years[0], 1, 1, tzinfo=tz)
    end = datetime.datetime(this_year, 1, 1, tzinfo=tz)
    if Case.objects.filter(organisation=organisation, received_at__gte=first, received_at__lt=end).exists():
        return 0
    people = {p.name: p for p in Person.objects.filter(organisation=organisation)}
    rng = random.Random(SEED)
    cases, accused = [], []
    for year, count in zip(years, PER_YEAR, strict=True):
        counter, _created = CaseCounter.objects.select_for_update().get_or_create(organisation=organisation, year=year)
        days = sorted(rng.randrange(0, 360) for _ in range(count))
        for day in days:
            counter.last += 1
            case, person = _case(
                organisation,
                rng,
                f"{year}-{counter.last:04d}",
                datetime.datetime(year, 1, 1, 9, tzinfo=tz)
                + datetime.timedelta(days=day, minutes=rng.randrange(0, 480)),
                people,
            )
            cases.append(case)
            accused.append(person)
        counter.save(update_fields=["last"])
    Case.objects.bulk_create(cases)
    stored = {c.public_id: c.pk for c in Case.objects.filter(public_id__in=[c.public_id for c in cases])}
    SubjectLink.objects.bulk_create(
        SubjectLink(
            case_id=stored[case.public_id],
            role=SubjectLink.Role.BESCHULDIGDE,
            person=person,
            origin=SubjectLink.Origin.MELDER,
        )
        for case, person in zip(cases, accused, strict=True)
        if person is not None
    )
    return len(cases)


def _case(organisation, rng, reference, received, people):
    kind = Kind.SIGNAAL if rng.random() < 0.15 else Kind.MELDING
    if kind == Kind.SIGNAAL:
        channel = Channel.WAARNEMING
    else:
        channel = _weighted(
            rng, [(Channel.ONLINE, 7), (Channel.TELEFOON, 2), (Channel.BRIEF, 1), (Channel.PERSOONLIJK, 1)]
        )
    group = _weighted(rng, [("bestuurder", 2), ("ambtenaar", 6), ("onbekend", 2)])
    names = ACCUSED[group]
    person = people.get(rng.choice(names)) if names else None
    behaviour = _weighted(
        rng,
        [
            (Behaviour.SEKSUELE_INTIMIDATIE, 3),
            (Behaviour.AGRESSIE_GEWELD, 2),
            (Behaviour.PESTEN, 4),
            (Behaviour.DISCRIMINATIE, 2),
            (Behaviour.MACHTSMISBRUIK, 2),
            (Behaviour.ANDERS, 1),
        ],
    )
    assessed = behaviour if rng.random() < 0.75 else rng.choice(Behaviour.values)
    acknowledged = (
        received if channel == Channel.ONLINE else received + datetime.timedelta(days=rng.choice([1, 2, 3, 5, 9]))
    )
    withdrawn = rng.random() < 0.07
    feedback = None if withdrawn else acknowledged + datetime.timedelta(days=rng.randrange(20, 110))
    closed = (feedback or acknowledged + datetime.timedelta(days=rng.randrange(5, 40))) + datetime.timedelta(
        days=rng.randrange(0, 30)
    )
    if withdrawn:
        state, outcome = State.INGETROKKEN, Outcome.INGETROKKEN
    else:
        state = State.AFGESLOTEN
        outcome = _weighted(rng, [(Outcome.GEGROND, 4), (Outcome.ONGEGROND, 3), (Outcome.NIET_VAST_TE_STELLEN, 2)])
    case = Case(
        organisation=organisation,
        reference=reference,
        kind=kind,
        channel=channel,
        state=state,
        relation=_weighted(
            rng,
            [
                (Relation.MEDEWERKER, 6),
                (Relation.OUD_MEDEWERKER, 1),
                (Relation.INWONER, 2),
                (Relation.STUDENT, 1),
                (Relation.INSPREKER, 1),
                (Relation.ZEG_IK_LIEVER_NIET, 1),
            ],
        ),
        anonymous=rng.random() < 0.4,
        wishes=[],
        received_at=received,
        acknowledged_at=acknowledged,
        acknowledgement_due=received + datetime.timedelta(days=7),
        feedback_due=acknowledged + datetime.timedelta(days=91),
        first_contact_at=acknowledged,
        assessed_at=acknowledged + datetime.timedelta(days=rng.randrange(3, 14)),
        feedback_given_at=feedback,
        closed_at=closed,
        outcome=outcome,
        behaviour_reported="" if kind == Kind.SIGNAAL else behaviour,
        behaviour_assessed=assessed,
        accused_group=group,
        # No receipt code: a marker that is no argon2 hash matches nothing.
        receipt_hash="demo-geschiedenis-zonder-code",
    )
    key, case.key_id, case.wrapped_key = CaseKey.create(case.key_context)
    case.sealed_content = key.seal_json(
        "content",
        {
            "description": rng.choice(DESCRIPTIONS),
            **dict.fromkeys(["name", "email", "phone", "period_start", "period_end", "contact_context"], ""),
            **dict.fromkeys(["told_before", "told_before_details"], ""),
        },
    )
    return case, person
