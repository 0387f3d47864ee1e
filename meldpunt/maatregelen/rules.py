"""The measures register's rules, in one place: who may record and decide a
measure, what a measure needs, and the reporter's consent.

* **Who**: a handler of the integrity office who may handle the case; and,
  for a case about a bestuurder (wethouder or raadslid), the burgemeester the
  protocol sent it to (a standing ``CaseRecipient`` through a position of
  category burgemeester, as the default rules ``role:burgemeester`` do). A
  case about the burgemeester is decided outside the municipality (the
  Commissaris van de Koning): a handler records that decision, naming the
  decision maker in words. Whoever else asks gets "not found".
* **What**: a kind and whom it burdens from the fixed lists, the date of the
  decision (not in the future, not before the report), a decision maker
  (someone who may open the case, never someone it names; or a name outside
  the registry) and a reason. A measure that burdens the reporter also needs
  a written justification, which the reporter reads in the inbox.
* **Consent**: a measure that burdens the reporter is proposed
  (``voorgesteld``) until the reporter consents: in the inbox (agree /
  disagree, an optional remark), or, for a named reporter, in a conversation
  the handler records (date and who held it). Agreement takes the measure
  (``genomen``); disagreement lets it lapse (``vervallen``). Asking to take it
  without consent leaves it proposed, with the reason. The database refuses
  the forbidden state too (``measure_burdening_reporter_needs_consent``).

Every change is one transaction on the locked case row: the measure, its
timeline entry (``CaseEvent`` kind ``measure``) and its audit event.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.audit.log import actor_for_user, record
from meldpunt.cases.access import access_case, people_who_may_open
from meldpunt.cases.models import Case, CaseEvent, Message
from meldpunt.dates import long_date
from meldpunt.maatregelen.models import Measure
from meldpunt.protocol.models import CaseRecipient
from meldpunt.registry.models import Category, Person

REPORTER = "melder"

# Accused categories (``protocol.AccusedCategory``) for which the burgemeester decides on measures.
BESTUURDER_CATEGORIES = {"wethouder", "raadslid"}

# What each kind of measure means for the reporter, in plain words (the inbox).
MEANING_FOR_REPORTER = {
    Measure.Kind.GESPREK: gettext_lazy("Er wordt met u een gesprek gevoerd over de situatie."),
    Measure.Kind.WAARSCHUWING: gettext_lazy("U krijgt een waarschuwing."),
    Measure.Kind.PARTIJEN_SCHEIDEN: gettext_lazy(
        "U en de persoon over wie u meldde worden uit elkaar gehouden. Dat kan betekenen dat u niet meer bij "
        "bepaalde overleggen, vergaderingen of afspraken bent."
    ),
    Measure.Kind.OVERPLAATSING: gettext_lazy("U gaat op een andere plek of bij een andere afdeling werken."),
    Measure.Kind.ANDERE_TAKEN: gettext_lazy("Uw taken veranderen: u gaat (voor een tijd) ander werk doen."),
    Measure.Kind.SCHORSING: gettext_lazy("U doet uw werk een tijd niet."),
    Measure.Kind.ONDERZOEK: gettext_lazy("Er komt een onderzoek waarvoor u wordt gevraagd mee te werken."),
    Measure.Kind.ANDERS: gettext_lazy("Wat dit voor u betekent, staat in de onderbouwing hieronder."),
}

KEPT_PROPOSED = gettext_lazy(
    "Deze maatregel belast de melder. Hij is niet genomen maar staat als voorgesteld: hij gaat pas in als de "
    "melder instemt, in het postvak of in een gesprek dat u vastlegt. De melder is om instemming gevraagd."
)
NO_CONSENT_YET = gettext_lazy(
    "Deze maatregel belast de melder en kan pas worden genomen als de melder heeft ingestemd. Hij blijft "
    "voorgesteld. De melder kan instemmen in het postvak; spreekt u de melder, leg dan het gesprek vast."
)


class MeasureRefused(Exception):
    """What was given cannot be recorded; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


class NotProposed(Exception):
    """The measure is no longer a proposal (taken, lapsed or answered already)."""


# --- who ---------------------------------------------------------------------


def deciding_burgemeesters(case: Case) -> list[Person]:
    """For a case about a wethouder or raadslid: the burgemeester(s) the protocol
    sent it to and who may open it today. Empty for any other case."""
    decision = case.routing_decisions.first()
    if decision is None or not set(decision.categories) & BESTUURDER_CATEGORIES:
        return []
    rows = CaseRecipient.objects.filter(case=case, position__category=Category.BURGEMEESTER).select_related("person")
    people = [row.person for row in rows]
    allowed = people_who_may_open(people, case)
    return [p for p in people if p.pk in allowed]


def may_decide(staff, case: Case) -> bool:
    """Whether ``staff`` may record and decide measures in ``case`` (which they may open)."""
    if staff.is_handler:
        return True
    return any(p.pk == staff.person_id for p in deciding_burgemeesters(case))


def access_case_for_measures(staff, reference: str) -> Case:
    """The case for recording or deciding a measure, or 404 (``cases.access``
    first: whoever may not open it learns nothing)."""
    case = access_case(staff, reference)
    if not may_decide(staff, case):
        raise Http404
    return case


def measure_of(case: Case, measure_id) -> Measure:
    """A measure of this case, or 404: a measure of another case (an id from
    another case typed into the URL) does not exist here."""
    found = Measure.objects.filter(case=case, public_id=measure_id).first()
    if found is None:
        raise Http404
    found.case = case
    return found


def decision_makers(case: Case) -> list[Person]:
    """Who can be named as the decision maker: the handlers and protocol
    recipients who may open the case (so never the accused or anyone it names)."""
    from meldpunt.notifications.service import handlers_who_may_open

    people = {p.pk: p for p in handlers_who_may_open(case)}
    recipients = [row.person for row in CaseRecipient.objects.filter(case=case).select_related("person")]
    allowed = people_who_may_open(recipients, case)
    people.update({p.pk: p for p in recipients if p.pk in allowed})
    return sorted(people.values(), key=lambda p: p.name)


# --- what --------------------------------------------------------------------


@dataclass
class MeasureInput:
    kind: str = ""
    burdens: str = ""
    decided_on: datetime.date | None = None
    decision_maker: Person | None = None
    decision_maker_other: str = ""
    reason: str = ""
    justification: str = ""
    take_now: bool = False


def _check_day(day, *, field_name: str, not_before: datetime.date, before_message) -> dict:
    if day is None:
        return {field_name: _("Vul een datum in.")}
    if day > timezone.localdate():
        return {field_name: _("Deze datum ligt in de toekomst. Vul de datum in waarop het gebeurde.")}
    if day < not_before:
        return {field_name: before_message}
    return {}


def check_measure(case: Case, given: MeasureInput) -> dict[str, str]:
    """What is wrong with ``given``, as {field: message}; empty when it can be recorded."""
    errors = {}
    if given.kind not in Measure.Kind.values:
        errors["kind"] = _("Kies een soort maatregel uit de lijst.")
    if given.burdens not in Measure.Burden.values:
        errors["burdens"] = _(
            "Kies wie deze maatregel belast: de beschuldigde, de melder, de organisatie of iemand anders."
        )
    received = timezone.localtime(case.received_at).date()
    errors.update(
        _check_day(
            given.decided_on,
            field_name="decided_on",
            not_before=received,
            before_message=_("Deze datum ligt vóór de ontvangst van de melding (%(day)s).")
            % {"day": long_date(case.received_at)},
        )
    )
    if given.decision_maker is not None:
        if given.decision_maker.pk not in {p.pk for p in decision_makers(case)}:
            errors["decision_maker"] = _(
                "Kies iemand uit de lijst: wie de zaak mag openen. Iemand die de zaak noemt, besluit nooit over "
                "een maatregel."
            )
    elif not given.decision_maker_other.strip():
        errors["decision_maker"] = _(
            "Kies wie besluit, of schrijf op wie het is als die persoon niet in de lijst staat."
        )
    if not given.reason.strip():
        errors["reason"] = _("Schrijf de reden op: waarom deze maatregel?")
    if given.burdens == Measure.Burden.MELDER and not given.justification.strip():
        errors["justification"] = _(
            "Deze maatregel belast de melder. Schrijf de onderbouwing op: waarom de melder en niet de beschuldigde "
            "of de organisatie? De melder leest deze onderbouwing in het postvak voordat hij of zij instemt."
        )
    return errors


# --- changes -----------------------------------------------------------------


def _event(
    case: Case, measure: Measure, action: str, now, *, actor: str, staff_user=None, text="", occurred_on=None, **detail
):
    event = CaseEvent(
        case=case,
        kind=CaseEvent.Kind.MEASURE,
        at=now,
        actor=actor,
        staff_user=staff_user,
        occurred_on=occurred_on,
        detail={
            "measure": str(measure.public_id),
            "action": action,
            "kind": measure.kind,
            "burdens": measure.burdens,
            "state": measure.state,
            **detail,
        },
    )
    if text:
        event.sealed_text = case.key.seal_json(f"event:{event.public_id}", {"text": text})
    event.save()
    return event


def _audit(action: str, case: Case, measure: Measure, *, actor: str, **detail) -> None:
    record(
        action,
        actor=actor,
        organisation=case.organisation,
        case=case,
        measure=str(measure.public_id),
        kind=measure.kind,
        burdens=measure.burdens,
        state=measure.state,
        **detail,
    )


def _lock(case: Case, measure: Measure | None = None):
    locked = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
    if measure is None:
        return locked, None
    row = Measure.objects.select_for_update().get(pk=measure.pk)
    row.case = locked
    return locked, row


def record_measure(case: Case, given: MeasureInput, *, staff_user) -> tuple[Measure, str]:
    """Record a measure, or raise ``MeasureRefused``. Returns the measure and a
    notice for the handler (empty, or why it stays proposed).

    ``take_now``: the decision takes effect now. A measure that burdens the
    reporter never does: it is stored as proposed and the reporter is asked."""
    errors = check_measure(case, given)
    if errors:
        raise MeasureRefused(errors)
    actor = actor_for_user(staff_user)
    now = timezone.now()
    burdens_reporter = given.burdens == Measure.Burden.MELDER
    measure = Measure(
        case=case,
        kind=given.kind,
        burdens=given.burdens,
        decided_on=given.decided_on,
        decision_maker=given.decision_maker,
        created_at=now,
        created_by=staff_user,
    )
    sealed = {"reason": given.reason.strip()}
    if burdens_reporter or given.justification.strip():
        sealed["justification"] = given.justification.strip()
    if given.decision_maker is None:
        sealed["decision_maker"] = given.decision_maker_other.strip()
    measure.sealed_text = case.key.seal_json(f"measure:{measure.public_id}", sealed)
    with transaction.atomic():
        locked, _row = _lock(case)
        measure.case = locked
        if given.take_now and not burdens_reporter:
            measure.state, measure.taken_at = Measure.State.GENOMEN, now
        measure.save()
        _event(locked, measure, "recorded", now, actor=actor, staff_user=staff_user, text=given.reason.strip())
        _audit("measure.recorded", locked, measure, actor=actor)
        if measure.state == Measure.State.GENOMEN:
            _audit("measure.taken", locked, measure, actor=actor)
        if burdens_reporter:
            _ask_consent(locked, measure, now)
    measure.case = case
    notice = str(KEPT_PROPOSED) if burdens_reporter and given.take_now else ""
    return measure, notice


def _ask_consent(locked: Case, measure: Measure, now) -> None:
    """A line in the reporter's thread, so the question is seen; the measure itself is in the inbox."""
    text = _(
        "Er is een maatregel voorgesteld die u raakt. Hij gaat alleen door als u daarmee instemt. "
        "U leest hem in dit postvak onder 'Maatregelen die u raken', met wat hij voor u betekent en waarom, "
        "en u kunt daar uw antwoord geven."
    )
    message = Message(case=locked, author=Message.Author.SYSTEEM, sent_at=now)
    message.sealed_body = locked.key.seal_text(f"message:{message.public_id}", text)
    message.save()


def take_measure(case: Case, measure: Measure, *, staff_user) -> Measure:
    """Take a proposed measure. One that burdens the reporter without their
    consent raises ``MeasureRefused`` (``state``: why) and stays proposed."""
    actor = actor_for_user(staff_user)
    now = timezone.now()
    with transaction.atomic():
        locked, row = _lock(case, measure)
        if row.state != Measure.State.VOORGESTELD:
            raise NotProposed(row.state)
        if row.burdens_reporter and row.consent != Measure.Consent.AKKOORD:
            raise MeasureRefused({"state": str(NO_CONSENT_YET)})
        row.state, row.taken_at = Measure.State.GENOMEN, now
        row.save(update_fields=["state", "taken_at"])
        _event(locked, row, "taken", now, actor=actor, staff_user=staff_user)
        _audit("measure.taken", locked, row, actor=actor)
    return row


def withdraw_measure(case: Case, measure: Measure, *, staff_user) -> Measure:
    """A proposal that will not be taken: it lapses (``vervallen``) and stays in the register."""
    actor = actor_for_user(staff_user)
    now = timezone.now()
    with transaction.atomic():
        locked, row = _lock(case, measure)
        if row.state != Measure.State.VOORGESTELD:
            raise NotProposed(row.state)
        row.state, row.lapsed_at = Measure.State.VERVALLEN, now
        row.save(update_fields=["state", "lapsed_at"])
        _event(locked, row, "withdrawn", now, actor=actor, staff_user=staff_user)
        _audit("measure.withdrawn", locked, row, actor=actor)
    return row


def awaiting_consent(measure: Measure) -> bool:
    return measure.burdens_reporter and measure.state == Measure.State.VOORGESTELD and not measure.consent


def _answer(
    case: Case,
    measure: Measure,
    *,
    agree: bool,
    via: str,
    actor: str,
    remark: str = "",
    held_by: str = "",
    day=None,
    staff_user=None,
) -> Measure:
    now = timezone.now()
    with transaction.atomic():
        locked, row = _lock(case, measure)
        if not awaiting_consent(row):
            raise NotProposed(row.state)
        row.consent = Measure.Consent.AKKOORD if agree else Measure.Consent.NIET_AKKOORD
        row.consent_via, row.consent_at = via, now
        row.consent_conversation_on, row.consent_recorded_by = day, staff_user
        sealed = {key: value for key, value in (("remark", remark.strip()), ("held_by", held_by.strip())) if value}
        if sealed:
            row.sealed_consent = locked.key.seal_json(f"measure-consent:{row.public_id}", sealed)
        fields = ["consent", "consent_via", "consent_at", "consent_conversation_on", "consent_recorded_by"]
        if agree:
            row.state, row.taken_at = Measure.State.GENOMEN, now
            fields += ["state", "taken_at"]
        else:
            row.state, row.lapsed_at = Measure.State.VERVALLEN, now
            fields += ["state", "lapsed_at"]
        if sealed:
            fields.append("sealed_consent")
        row.save(update_fields=fields)
        _event(
            locked,
            row,
            "consent" if agree else "refused",
            now,
            actor=actor,
            staff_user=staff_user,
            text=remark.strip(),
            occurred_on=day,
            via=via,
        )
        _audit("measure.consent_given" if agree else "measure.consent_refused", locked, row, actor=actor, via=via)
        if agree:
            _audit("measure.taken", locked, row, actor=actor)
    return row


def answer_in_inbox(case: Case, measure: Measure, *, agree: bool, remark: str = "") -> Measure:
    """The reporter's answer in the inbox. Agreeing takes the measure; not
    agreeing lets it lapse. Raises ``NotProposed`` when it was answered already."""
    return _answer(case, measure, agree=agree, via=Measure.ConsentVia.POSTVAK, actor=REPORTER, remark=remark)


def record_consent_conversation(
    case: Case, measure: Measure, *, agree: bool | None, day, held_by: str, remark: str = "", staff_user
) -> Measure:
    """The reporter's answer given in a conversation (a named reporter who does
    not use the inbox): its date, who held it, and the answer."""
    errors = {}
    if case.anonymous:
        errors["answer"] = _(
            "Deze melder is anoniem: instemming kan alleen via het postvak, niet uit een gesprek dat u vastlegt."
        )
    if agree is None:
        errors["answer"] = errors.get("answer") or _("Kies het antwoord van de melder: akkoord of niet akkoord.")
    errors.update(
        _check_day(
            day,
            field_name="date",
            not_before=timezone.localtime(measure.created_at).date(),
            before_message=_("Dit gesprek ligt vóór het voorstel van de maatregel (%(day)s).")
            % {"day": long_date(measure.created_at)},
        )
    )
    if not held_by.strip():
        errors["held_by"] = _("Schrijf op wie het gesprek voerde.")
    if errors:
        raise MeasureRefused(errors)
    return _answer(
        case,
        measure,
        agree=bool(agree),
        via=Measure.ConsentVia.GESPREK,
        actor=actor_for_user(staff_user),
        remark=remark,
        held_by=held_by,
        day=day,
        staff_user=staff_user,
    )


# --- counting ----------------------------------------------------------------


def reporter_burden_counts(cases) -> dict[str, int]:
    """Measures that burden the reporter in ``cases`` (a queryset), per state:
    what oversight looks at first (proposed, waiting for consent; taken)."""
    from django.db.models import Count

    rows = (
        Measure.objects.filter(case__in=cases, burdens=Measure.Burden.MELDER)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {state: 0 for state in Measure.State.values}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts
