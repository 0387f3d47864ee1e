"""The sweep: remind before a deadline, escalate once it has passed, again
every interval, until the deadline is met.

It reads only the waiting ``DueDate`` rows whose ``next_action_at`` has come
(one range query on the partial index, so its cost follows what is due, not
the number of open cases) and handles them ``BATCH`` at a time, each batch in
one transaction (its rows locked together; routing decisions, subjects, rule
exclusions, the access check and the inserts in a few queries for the whole
batch; the registry snapshot, protocol and deadline rules once per sweep):

* round 0, before the deadline (``reminder_days`` earlier): a reminder to the
  case's owner, or to the integrity office's handlers when the team owns it;
* round 1, 2, ... once it has passed: an escalation along the protocol
  rule's escalation chain (``meldpunt.escalation.chain``), with the deputy
  chain, never to anyone the case names, who is conflicted or whom the rule
  excludes; the external address (e.g. the Commissaris van de Koning) by
  e-mail only.

Each round is an ``Escalation`` row (unique per deadline and round) written
in the same transaction as its notifications, its timeline entry and its
audit event; then the row's next action is computed by
``deadlines.next_action_at``. A row is taken with
``select_for_update(skip_locked=True)`` and taken again only while it is
still due, so a second run or a second worker sends nothing twice; the
unique round is the last guard. A sweep that comes late (a worker was down)
sends the round that is due now, not every round it missed.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from meldpunt.audit.log import record_many
from meldpunt.cases import deadlines
from meldpunt.cases.access import may_open, people_who_may_open_each
from meldpunt.cases.models import CaseEvent, SubjectLink
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.escalation import service
from meldpunt.escalation.chain import escalation_chain
from meldpunt.escalation.external import external_address, send_external_email
from meldpunt.escalation.models import DueDate, Escalation, EscalationRecipient
from meldpunt.notifications.models import Notification
from meldpunt.notifications.service import functional_admins, handlers_who_may_open, notify, notify_each

logger = logging.getLogger(__name__)

ACTOR = "system:escalation"

# What is late, in the reason of a notification ("terugkoppeling aan de melder is 4 dagen over tijd").
WHAT = {
    deadlines.ACKNOWLEDGEMENT: gettext_lazy("de ontvangstbevestiging aan de melder"),
    deadlines.FIRST_CONTACT: gettext_lazy("het eerste contact met de melder"),
    deadlines.ASSESSMENT: gettext_lazy("het beoordelingsbesluit"),
    deadlines.FEEDBACK: gettext_lazy("terugkoppeling aan de melder"),
    deadlines.MEETING: gettext_lazy("het gesprek waarom de melder vroeg"),
}


def reason_for(reference: str, kind: str, due_at, now, round_number: int) -> str:
    """The one sentence a reminder or escalation says: no report content."""
    what = str(WHAT[kind])
    if round_number == 0:
        return _("zaak %(ref)s: %(what)s moet uiterlijk %(day)s gebeuren.") % {
            "ref": reference,
            "what": what,
            "day": date_format(timezone.localtime(due_at).date(), "j F Y"),
        }
    days = deadlines.days_overdue(due_at, now)
    if days == 0:
        return _("zaak %(ref)s: %(what)s is sinds vandaag over tijd.") % {"ref": reference, "what": what}
    return ngettext(
        "zaak %(ref)s: %(what)s is %(days)s dag over tijd.",
        "zaak %(ref)s: %(what)s is %(days)s dagen over tijd.",
        days,
    ) % {"ref": reference, "what": what, "days": days}


def round_due(row: DueDate, now, rules: deadlines.DeadlineRules) -> int:
    """The round to send now: the reminder before the deadline, else the
    latest escalation round whose moment has come (a late sweep catches up
    with one notification, not one per missed round)."""
    if row.escalations == 0 and row.reminded_at is None and now < row.due_at:
        return 0
    round_number = row.escalations + 1
    while deadlines.escalation_at(row.due_at, round_number + 1, rules) <= now:
        round_number += 1
    return round_number


def due_ids(now) -> list[int]:
    """The waiting deadlines whose next action has come: one range query on the partial index."""
    return list(
        DueDate.objects.filter(next_action_at__lte=now).order_by("next_action_at", "pk").values_list("pk", flat=True)
    )


# Due rows handled per transaction: their locks, lookups and inserts are taken together.
BATCH = 100


class _Sweep:
    """What does not depend on the case, once per organisation per sweep: the
    registry snapshot and protocol in force, and the deadline rules per
    routing (protocol version and categories)."""

    def __init__(self, now):
        self.now = now
        self._by_organisation = {}
        self._rules = {}

    def snapshot(self, organisation):
        if organisation.pk not in self._by_organisation:
            from meldpunt.protocol.snapshot import registry_view
            from meldpunt.protocol.versions import as_protocol, current_version

            self._by_organisation[organisation.pk] = (
                registry_view(organisation),
                as_protocol(current_version(organisation)),
            )
        return self._by_organisation[organisation.pk]

    def rules(self, organisation, decision) -> deadlines.DeadlineRules:
        key = (organisation.pk, decision and decision.version_id, decision and tuple(sorted(decision.categories)))
        if key not in self._rules:
            self._rules[key] = service.rules_from(organisation, decision)
        return self._rules[key]


def sweep(now=None) -> int:
    """Handle every deadline whose next action has come; returns how many rounds were sent."""
    now = now or timezone.now()
    context = _Sweep(now)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        ids = due_ids(now)
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            try:
                sent += _handle(batch, context)
            except IntegrityError:
                # Another worker stored a round of this batch between our look
                # and our write: the batch is undone; each row again on its own.
                for pk in batch:
                    try:
                        sent += _handle([pk], context)
                    except IntegrityError:
                        logger.info("due date %s: round already sent elsewhere", pk)
    return sent


def _latest_decisions(case_ids) -> dict:
    from meldpunt.protocol.models import RoutingDecision

    latest = {}
    for decision in RoutingDecision.objects.filter(case_id__in=case_ids).order_by("case_id", "-decided_at", "-pk"):
        latest.setdefault(decision.case_id, decision)
    return latest


def _handle(pks: list[int], context: _Sweep) -> int:
    """One transaction for the due rows ``pks``: those still due and not locked
    by another worker get their round, with everything it writes."""
    now = context.now
    with transaction.atomic():
        rows = list(
            DueDate.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case", "case__organisation", "case__owner")
            .filter(pk__in=pks, next_action_at__lte=now)
            .order_by("pk")
        )
        if not rows:
            return 0  # handled meanwhile, or another worker has them right now
        decisions = _latest_decisions([row.case_id for row in rows])
        rounds = []
        for row in rows:
            case = row.case
            rules = context.rules(case.organisation, decisions.get(case.pk))
            if row.met_at is not None or case.state not in OPEN_STATES:
                row.next_action_at = None
                continue
            round_number = round_due(row, now, rules)
            escalation = Escalation(due_date=row, round=round_number, sent_at=now)
            escalation.reason = reason_for(case.reference, row.kind, row.due_at, now, round_number)
            rounds.append((row, escalation, rules))
        Escalation.objects.bulk_create([escalation for _row, escalation, _rules in rounds])
        _escalate(
            [(row.case, escalation) for row, escalation, _rules in rounds if escalation.round], decisions, context
        )
        for row, escalation, rules in rounds:
            if escalation.round == 0:
                _remind(escalation, row.case, escalation.reason)
                row.reminded_at = now
            else:
                row.escalations = escalation.round
            row.next_action_at = deadlines.next_action_at(
                deadlines.Deadline(row.kind, row.due_at, row.met_at),
                still_open=True,
                reminded=row.reminded_at is not None,
                escalations=row.escalations,
                rules=rules,
            )
        _update_alike(rows, ["reminded_at", "escalations", "next_action_at"])
        sent = [escalation for _row, escalation, _rules in rounds]
        _update_alike(sent, ["recipients", "external", "external_address"])
        for _row, escalation, _rules in rounds:
            if escalation.external_address:
                send_external_email.enqueue(escalation.pk)
        CaseEvent.objects.bulk_create(
            CaseEvent(
                case=row.case,
                kind=CaseEvent.Kind.ESCALATION,
                at=now,
                actor=ACTOR,
                detail={
                    "deadline": row.kind,
                    "round": escalation.round,
                    "recipients": len(escalation.recipients),
                    "external": escalation.external,
                },
            )
            for row, escalation, _rules in rounds
        )
        by_organisation = {}
        for row, escalation, _rules in rounds:
            by_organisation.setdefault(row.case.organisation.pk, (row.case.organisation, []))[1].append(
                (
                    "case.escalated" if escalation.round else "case.reminded",
                    row.case,
                    {
                        "deadline": row.kind,
                        "round": escalation.round,
                        "recipients": escalation.recipients,
                        "external": escalation.external,
                    },
                )
            )
        for organisation, entries in by_organisation.values():
            record_many(entries, actor=ACTOR, organisation=organisation)
    return len(rounds)


def _update_alike(objects: list, fields: list[str]) -> None:
    """Save ``fields`` of ``objects`` with one UPDATE per set of equal values
    (a batch's rows mostly get the same ones; ``bulk_update``'s CASE per row costs more)."""
    alike = {}
    if not objects:
        return
    for obj in objects:
        values = tuple(getattr(obj, name) for name in fields)
        alike.setdefault(repr(values), (values, []))[1].append(obj.pk)
    for values, pks in alike.values():
        type(objects[0]).objects.filter(pk__in=pks).update(**dict(zip(fields, values, strict=True)))


def _remind(escalation: Escalation, case, reason: str) -> None:
    """Round 0: the owner, or the team's handlers when the team owns the case
    (or the owner may no longer open it)."""
    if case.owner is not None and may_open(case.owner, case):
        people = [case.owner]
    else:
        people = handlers_who_may_open(case)
    notify_each([(person, case.organisation, case, Notification.Kind.REMINDER, reason) for person in people])
    escalation.recipients = [person.pk for person in people]


def _escalate(escalations: list, decisions: dict, context: _Sweep) -> None:
    """Rounds 1, 2, ... of a batch: each along its chain, the access rule of
    ``people_who_may_open`` having the last word, in a few queries for the batch."""
    from meldpunt.protocol.models import RuleExclusion
    from meldpunt.protocol.routing import Named
    from meldpunt.registry.models import Person

    if not escalations:
        return
    case_ids = [case.pk for case, _escalation in escalations]
    named, rule_excluded = {}, {}
    for case_id, person_id, role in SubjectLink.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "person_id", "role"
    ):
        named.setdefault(case_id, []).append(Named(person=person_id, accused=role == "beschuldigde"))
    for case_id, person_id in RuleExclusion.objects.filter(case_id__in=case_ids).values_list("case_id", "person_id"):
        rule_excluded.setdefault(case_id, set()).add(person_id)
    chains = {}
    for case, escalation in escalations:
        registry, protocol = context.snapshot(case.organisation)
        decision = decisions.get(case.pk)
        categories = decision.categories if decision is not None else ["onbekend"]
        chains[escalation] = escalation_chain(
            registry, protocol, categories, named.get(case.pk, []), rule_excluded.get(case.pk, set())
        )
    EscalationRecipient.objects.bulk_create(
        EscalationRecipient(escalation=escalation, case=case, person_id=person, position_id=position)
        for case, escalation in escalations
        for person, position in chains[escalation].people.items()
    )
    people = Person.objects.in_bulk({person for chain in chains.values() for person in chain.people})
    # The access rule itself has the last word (named, conflicted, excluded, position held today).
    allowed = people_who_may_open_each(
        {case: [people[p] for p in chains[escalation].people if p in people] for case, escalation in escalations}
    )
    refused = Q()
    wanted = []
    for case, escalation in escalations:
        chain = chains[escalation]
        refused |= Q(escalation=escalation) & ~Q(person_id__in=list(allowed[case.pk]))
        escalation.recipients = [p for p in chain.people if p in allowed[case.pk]]
        wanted += [
            (people[p], case.organisation, case, Notification.Kind.ESCALATION, escalation.reason)
            for p in escalation.recipients
        ]
    EscalationRecipient.objects.filter(refused).delete()
    notify_each(wanted)
    for case, escalation in escalations:
        if chains[escalation].external:
            escalation.external = True
            escalation.external_address = external_address(case.organisation.external_oversight)
            if not escalation.external_address:
                _alert_no_external_address(case)


def _alert_no_external_address(case) -> None:
    reason = _(
        "Zaak %(ref)s: een escalatie moest naar het externe adres, maar daarin staat geen e-mailadres. "
        "Vul het e-mailadres in bij de organisatie."
    ) % {"ref": case.reference}
    for admin in functional_admins(case.organisation):
        notify(admin.pk, case.organisation, None, Notification.Kind.ADMIN_ALERT, reason)
