"""Aftercare in the demo (``manage.py load_demo``): Voorbeeldstad's support
options with fictional contact details, and a case about manager Erik Peters
that was closed four months ago, so that its inbox asks the reporter whether
they experienced disadvantage since reporting (the question is due three
months after closure). The reporter answered the first offer of support
(the vertrouwenspersoon).

The case has a fixed demo receipt code (``DEMO_CODE``, printed by ``make
run``), so that the inbox can be opened after every load; a real case's code
is random and shown once. Made by the real actions, then moved back in time
like the other demo cases; every name and text is made up.
"""

import datetime
import hashlib

from django.contrib.auth import get_user_model
from django.db import transaction

from meldpunt.cases import actions
from meldpunt.cases.models import Case, CaseEvent, Message, Outcome, Relation, State, SubjectLink, Wish
from meldpunt.cases.receipts import CODE_DIGITS, LOOKUP_DIGITS, ReceiptCode
from meldpunt.escalation import service as escalation_service
from meldpunt.nazorg import support
from meldpunt.nazorg.models import SupportAnswer, SupportOffer, SupportOption
from meldpunt.registry.models import Person

DESCRIPTION = (
    "Mijn manager zette mij in het teamoverleg herhaaldelijk voor schut en noemde mij waar iedereen bij was "
    "'een blok aan het been'. Na mijn klacht daarover kreeg ik geen nieuwe opdrachten meer."
)
CONTACTS = {
    SupportOption.Kind.BEDRIJFSMAATSCHAPPELIJK_WERK: (
        "Bedrijfsmaatschappelijk werk Voorbeeldstad, Anouk de Boer: 0800 000 0001 (fictief), "
        "bmw@voorbeeldstad.example. Spreekuur op dinsdag en donderdag.",
        "Company social work Voorbeeldstad, Anouk de Boer: 0800 000 0001 (fictitious), "
        "bmw@voorbeeldstad.example. Consultation hours on Tuesday and Thursday.",
    ),
    SupportOption.Kind.EXTERN: (
        "Praktijk Luisterpunt Voorbeeldstad (fictief): 0800 000 0002, luisterpunt@voorbeeldstad.example. "
        "Het Huis voor Klokkenluiders geeft gratis en vertrouwelijk advies.",
        "Luisterpunt practice Voorbeeldstad (fictitious): 0800 000 0002, luisterpunt@voorbeeldstad.example. "
        "The Dutch Whistleblowers Authority (Huis voor Klokkenluiders) gives free and confidential advice.",
    ),
}
CLOSED_DAYS_AGO = 125


def demo_code() -> ReceiptCode:
    """The demo case's receipt code: fixed, derived from a public string. Demo data only."""
    digits = "".join(str(b % 10) for b in hashlib.sha256(b"meldpunt-demo-aftercare").digest())[:CODE_DIGITS]
    return ReceiptCode(lookup=digits[:LOOKUP_DIGITS], secret=digits[LOOKUP_DIGITS:])


DEMO_CODE = demo_code()


def _options(organisation) -> None:
    support.ensure_defaults(organisation)
    for kind, (contact, contact_en) in CONTACTS.items():
        SupportOption.objects.filter(organisation=organisation, kind=kind).update(
            contact=contact, contact_en=contact_en
        )


def _shift(case: Case, delta: datetime.timedelta) -> None:
    dated = (
        "received_at",
        "acknowledged_at",
        "acknowledgement_due",
        "feedback_due",
        "first_contact_at",
        "assessed_at",
        "feedback_given_at",
        "aftercare_offered_at",
        "closed_at",
    )
    case.refresh_from_db()
    Case.objects.filter(pk=case.pk).update(
        **{name: getattr(case, name) - delta for name in dated if getattr(case, name) is not None}
    )
    for model, field in ((Message, "sent_at"), (CaseEvent, "at"), (SupportOffer, "at"), (SupportAnswer, "at")):
        for row in model.objects.filter(case=case):
            model.objects.filter(pk=row.pk).update(**{field: getattr(row, field) - delta})
    case.refresh_from_db()
    escalation_service.refresh(case)


@transaction.atomic
def load_aftercare(organisation) -> str:
    """The demo's support options and closed case; a line for ``load_demo`` to print."""
    _options(organisation)
    line = f"Demo aftercare: inbox code {DEMO_CODE} (closed 4 months ago; asks about disadvantage)."
    if Case.objects.filter(organisation=organisation, receipt_lookup=DEMO_CODE.lookup).exists():
        return line
    manager = Person.objects.filter(organisation=organisation, name="Erik Peters").first()
    if manager is None:
        return ""
    handler = get_user_model().objects.get(username="behandelaar1")
    report = actions.ReportInput(
        relation=Relation.MEDEWERKER,
        anonymous=True,
        description=DESCRIPTION,
        wishes=[Wish.GEHOORD, Wish.STEUN],
        subjects=[actions.SubjectInput(role=SubjectLink.Role.BESCHULDIGDE, person=manager)],
    )
    case, _code = actions.submit_report(organisation, report)
    Case.objects.filter(pk=case.pk).update(receipt_lookup=DEMO_CODE.lookup, receipt_hash=DEMO_CODE.secret_hash())
    intake = SupportOffer.objects.get(case=case, moment=SupportOffer.Moment.INTAKE)
    first = [o["id"] for o in intake.options][:1]
    support.answer_offer(case, intake.public_id, wanted=[str(pk) for pk in first], none=False, note="")
    given = actions.StepInput(reason="Gesprekken met betrokkenen gevoerd.", outcome=Outcome.GEGROND)
    for step in ("beoordelen", "besluiten", "terugkoppelen"):
        actions.take_step(case, step, given, staff_user=handler)
    actions.post_message(
        case,
        Message.Author.BEHANDELAAR,
        "Uw melding is onderzocht en gegrond verklaard. De manager heeft een waarschuwing gekregen en volgt een "
        "training. U krijgt weer opdrachten zoals voorheen.",
        staff_user=handler,
        is_feedback=True,
    )
    actions.take_step(case, "nazorg", given, staff_user=handler)
    support.offer_at_closure(case, staff_user=handler)
    actions.take_step(case, "afsluiten", given, staff_user=handler)
    assert Case.objects.get(pk=case.pk).state == State.AFGESLOTEN
    _shift(case, datetime.timedelta(days=CLOSED_DAYS_AGO))
    return line
