"""A few cases in Gemeente Voorbeeldstad, so that a newcomer sees the work list,
deadlines and escalations at once (``manage.py load_demo``; not in the test
fixture, which starts with no cases).

The cases are made by the real actions and then moved back in time: their
dates (received, acknowledged, messages, timeline) are shifted as if they had
arrived weeks or months ago, and their deadlines are worked out again. The
audit trail keeps the moment the demo was loaded: it is never rewritten.
Every name and story is made up.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from meldpunt.bewijs import filing
from meldpunt.cases import actions
from meldpunt.cases.models import Case, CaseEvent, Channel, Kind, Message, Relation, SubjectLink, Wish
from meldpunt.escalation import service as escalation_service
from meldpunt.registry.models import Person


@dataclass(frozen=True)
class DemoCase:
    days_ago: int
    accused: str
    description: str
    relation: str = Relation.MEDEWERKER
    channel: str = Channel.ONLINE
    kind: str = Kind.MELDING
    period: tuple[datetime.date, datetime.date] | None = None
    steps: list[str] = field(default_factory=list)
    handler_reply: str = ""


CASES = [
    DemoCase(
        days_ago=100,
        accused="Johan Kuipers",
        description=(
            "Na een overleg over de sporthal bleef de wethouder mij berichten sturen over mijn uiterlijk. "
            "Ik heb gevraagd daarmee te stoppen; dat gebeurde niet."
        ),
        period=(datetime.date(2026, 6, 1), datetime.date(2026, 8, 20)),
        steps=["beoordelen"],
        handler_reply="Dank voor uw melding. Wij nemen haar serieus en beoordelen wat er nodig is.",
    ),
    DemoCase(
        days_ago=9,
        accused="Erik Peters",
        description="De manager schreeuwde in de teamvergadering tegen een collega en dreigde met ontslag.",
        channel=Channel.TELEFOON,
    ),
    DemoCase(
        days_ago=26,
        accused="Pieter de Groot",
        description=(
            "Signaal: bij de receptie viel op dat de wethouder een inwoonster die om hulp kwam vragen "
            "opnieuw mee naar zijn kamer nam."
        ),
        relation=Relation.MEDEWERKER,
        channel=Channel.WAARNEMING,
        kind=Kind.SIGNAAL,
        steps=["bevestigen", "beoordelen"],
    ),
    DemoCase(
        days_ago=2,
        accused="Mark de Wit",
        description="Een collega maakt steeds grappen over mijn afkomst, ook als ik vraag om daarmee op te houden.",
    ),
]


def _shift(case: Case, delta: datetime.timedelta) -> None:
    """Move every date of a freshly made case ``delta`` back in time."""
    for name in ("received_at", "acknowledged_at", "acknowledgement_due", "feedback_due", "first_contact_at"):
        value = getattr(case, name)
        if value is not None:
            setattr(case, name, value - delta)
    case.save()
    for message in Message.objects.filter(case=case):
        Message.objects.filter(pk=message.pk).update(sent_at=message.sent_at - delta)
    for event in CaseEvent.objects.filter(case=case):
        CaseEvent.objects.filter(pk=event.pk).update(at=event.at - delta)
    filing.redate_for_demo(case)  # the proof of filing names the moved time of receipt
    escalation_service.refresh(case)


@transaction.atomic
def load_demo_cases(organisation) -> int:
    """Make the demo cases unless the organisation has cases already. Returns how many were made."""
    if Case.objects.filter(organisation=organisation).exists():
        return 0
    from django.contrib.auth import get_user_model

    handler = get_user_model().objects.get(username="behandelaar1")
    for demo in CASES:
        person = Person.objects.get(organisation=organisation, name=demo.accused)
        report = actions.ReportInput(
            relation=demo.relation,
            anonymous=True,
            description=demo.description,
            wishes=[Wish.GEHOORD, Wish.ACTIE],
            subjects=[actions.SubjectInput(role=SubjectLink.Role.BESCHULDIGDE, person=person)],
            period_start=demo.period[0] if demo.period else None,
            period_end=demo.period[1] if demo.period else None,
        )
        registered_by = handler if demo.channel != Channel.ONLINE else None
        case, _code = actions.submit_report(
            organisation, report, kind=demo.kind, channel=demo.channel, registered_by=registered_by
        )
        for step in demo.steps:
            actions.take_step(case, step, staff_user=handler)
        if demo.handler_reply:
            actions.post_message(case, Message.Author.BEHANDELAAR, demo.handler_reply, staff_user=handler)
        case.refresh_from_db()
        _shift(case, datetime.timedelta(days=demo.days_ago))
    return len(CASES)
