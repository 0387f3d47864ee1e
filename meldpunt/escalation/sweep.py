"""The sweep: remind before a deadline, escalate once it has passed, again
every interval, until the deadline is met.

It reads only the waiting ``DueDate`` rows whose ``next_action_at`` has come
(one range query on the partial index, so its cost follows what is due, not
the number of open cases) and handles each in its own transaction:

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
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from meldpunt.audit.log import record
from meldpunt.cases import deadlines
from meldpunt.cases.access import may_open, people_who_may_open
from meldpunt.cases.models import CaseEvent
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.escalation import service
from meldpunt.escalation.chain import escalation_chain
from meldpunt.escalation.external import external_address, send_external_email
from meldpunt.escalation.models import DueDate, Escalation, EscalationRecipient
from meldpunt.notifications.models import Notification
from meldpunt.notifications.service import functional_admins, handlers_who_may_open, notify

logger = logging.getLogger(__name__)

ACTOR = "system:escalation"

# What is late, in the reason of a notification ("terugkoppeling aan de melder is 4 dagen over tijd").
WHAT = {
    deadlines.ACKNOWLEDGEMENT: gettext_lazy("de ontvangstbevestiging aan de melder"),
    deadlines.FIRST_CONTACT: gettext_lazy("het eerste contact met de melder"),
    deadlines.ASSESSMENT: gettext_lazy("het beoordelingsbesluit"),
    deadlines.FEEDBACK: gettext_lazy("terugkoppeling aan de melder"),
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


class _Snapshots:
    """The registry snapshot and protocol in force, once per organisation per sweep."""

    def __init__(self):
        self._by_organisation = {}

    def get(self, organisation):
        if organisation.pk not in self._by_organisation:
            from meldpunt.protocol.snapshot import registry_view
            from meldpunt.protocol.versions import as_protocol, current_version

            self._by_organisation[organisation.pk] = (
                registry_view(organisation),
                as_protocol(current_version(organisation)),
            )
        return self._by_organisation[organisation.pk]


def sweep(now=None) -> int:
    """Handle every deadline whose next action has come; returns how many rounds were sent."""
    now = now or timezone.now()
    snapshots = _Snapshots()
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for pk in due_ids(now):
            try:
                sent += _handle(pk, now, snapshots)
            except IntegrityError:
                # Another worker stored this round between our look and our write.
                logger.info("due date %s: round already sent elsewhere", pk)
    return sent


def _handle(pk: int, now, snapshots: _Snapshots) -> int:
    with transaction.atomic():
        row = (
            DueDate.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case", "case__organisation", "case__owner")
            .filter(pk=pk, next_action_at__lte=now)
            .first()
        )
        if row is None:
            return 0  # handled meanwhile, or another worker has it right now
        case = row.case
        rules = service.rules_for(case)
        still_open = case.state in OPEN_STATES
        if row.met_at is not None or not still_open:
            row.next_action_at = None
            row.save(update_fields=["next_action_at"])
            return 0
        round_number = round_due(row, now, rules)
        escalation = Escalation.objects.create(due_date=row, round=round_number, sent_at=now)
        reason = reason_for(case.reference, row.kind, row.due_at, now, round_number)
        if round_number == 0:
            _remind(escalation, case, reason)
            row.reminded_at = now
        else:
            _escalate(escalation, case, reason, snapshots)
            row.escalations = round_number
        row.next_action_at = deadlines.next_action_at(
            deadlines.Deadline(row.kind, row.due_at, row.met_at),
            still_open=still_open,
            reminded=row.reminded_at is not None,
            escalations=row.escalations,
            rules=rules,
        )
        row.save(update_fields=["reminded_at", "escalations", "next_action_at"])
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.ESCALATION,
            at=now,
            actor=ACTOR,
            detail={
                "deadline": row.kind,
                "round": round_number,
                "recipients": len(escalation.recipients),
                "external": escalation.external,
            },
        )
        record(
            "case.escalated" if round_number else "case.reminded",
            actor=ACTOR,
            organisation=case.organisation,
            case=case,
            deadline=row.kind,
            round=round_number,
            recipients=escalation.recipients,
            external=escalation.external,
        )
    return 1


def _remind(escalation: Escalation, case, reason: str) -> None:
    """Round 0: the owner, or the team's handlers when the team owns the case
    (or the owner may no longer open it)."""
    if case.owner is not None and may_open(case.owner, case):
        people = [case.owner.pk]
    else:
        people = [person.pk for person in handlers_who_may_open(case)]
    _send(escalation, case, people, Notification.Kind.REMINDER, reason)


def _escalate(escalation: Escalation, case, reason: str, snapshots: _Snapshots) -> None:
    from meldpunt.protocol.models import RuleExclusion
    from meldpunt.protocol.routing import Named

    registry, protocol = snapshots.get(case.organisation)
    decision = case.routing_decisions.order_by("-decided_at", "-pk").first()
    categories = decision.categories if decision is not None else ["onbekend"]
    named = [Named(person=s.person_id, accused=s.role == "beschuldigde") for s in case.subjects.all()]
    rule_excluded = set(RuleExclusion.objects.filter(case=case).values_list("person_id", flat=True))
    chain = escalation_chain(registry, protocol, categories, named, rule_excluded)
    EscalationRecipient.objects.bulk_create(
        EscalationRecipient(escalation=escalation, case=case, person_id=person, position_id=position)
        for person, position in chain.people.items()
    )
    # The access rule itself has the last word (named, conflicted, excluded, position held today).
    allowed = people_who_may_open(_people(chain.people), case)
    EscalationRecipient.objects.filter(escalation=escalation).exclude(person_id__in=allowed).delete()
    _send(escalation, case, [p for p in chain.people if p in allowed], Notification.Kind.ESCALATION, reason)
    if chain.external:
        escalation.external = True
        escalation.external_address = external_address(case.organisation.external_oversight)
        escalation.save(update_fields=["external", "external_address"])
        if escalation.external_address:
            send_external_email.enqueue(escalation.pk)
        else:
            _alert_no_external_address(case)


def _people(ids):
    from meldpunt.registry.models import Person

    return list(Person.objects.filter(pk__in=list(ids)))


def _send(escalation: Escalation, case, people: list[int], kind: str, reason: str) -> None:
    for person in people:
        notify(person, case.organisation, case, kind, reason)
    escalation.recipients = list(people)
    escalation.save(update_fields=["recipients"])


def _alert_no_external_address(case) -> None:
    reason = _(
        "Zaak %(ref)s: een escalatie moest naar het externe adres, maar daarin staat geen e-mailadres. "
        "Vul het e-mailadres in bij de organisatie."
    ) % {"ref": case.reference}
    for admin in functional_admins(case.organisation):
        notify(admin.pk, case.organisation, None, Notification.Kind.ADMIN_ALERT, reason)
