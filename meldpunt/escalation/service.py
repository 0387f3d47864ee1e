"""Keeping a case's stored deadlines in step with the case.

``refresh(case)`` runs in the transaction of every change that moves a
deadline (a case arrives, is acknowledged, a handler writes, a step is taken,
feedback is recorded, the case closes or is reopened, it is routed again).
The sweep that reminds and escalates reads only these rows.
"""

from django.db.models import prefetch_related_objects

from meldpunt.cases import deadlines
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.escalation.models import DueDate


def rules_for(case) -> deadlines.DeadlineRules:
    """The organisation's deadline settings with the strictest internal deadlines
    of the protocol rules that routed the case (its latest routing decision)."""
    latest = case.routing_decisions.select_related("version").order_by("-decided_at", "-pk").first()
    return rules_from(case.organisation, latest)


def rules_from(organisation, decision) -> deadlines.DeadlineRules:
    """``rules_for`` a case whose latest routing decision is ``decision`` (or None)."""
    rules = []
    if decision is not None:
        # Read once per version instance: routing's ``as_protocol`` has read them already.
        prefetch_related_objects([decision.version], "rules")
        rules = [rule for rule in decision.version.rules.all() if rule.category in decision.categories]
    defaults = deadlines.DeadlineRules()
    return deadlines.DeadlineRules(
        acknowledgement_days=organisation.acknowledgement_days,
        feedback_months=organisation.feedback_months,
        first_contact_days=min((r.first_contact_days for r in rules), default=defaults.first_contact_days),
        assessment_days=min((r.assessment_days for r in rules), default=defaults.assessment_days),
        escalation_interval_days=min(
            (r.escalation_interval_days for r in rules), default=defaults.escalation_interval_days
        ),
        reminder_days=organisation.reminder_days,
        working_days=organisation.count_working_days,
        meeting_days=organisation.meeting_days,
    )


def clock_of(case, *, new_case: bool = False) -> deadlines.CaseClock:
    return deadlines.CaseClock(
        received_at=case.received_at,
        acknowledged_at=case.acknowledged_at,
        first_contact_at=case.first_contact_at,
        assessed_at=case.assessed_at,
        feedback_given_at=case.feedback_given_at,
        still_open=case.state in OPEN_STATES,
        meeting_requests=() if new_case else _meeting_requests(case),
    )


def _meeting_requests(case) -> tuple:
    """The reporter's meeting requests (``meldpunt.verslagen``) as the clock reads them."""
    from meldpunt.verslagen.models import MeetingRequest

    rows = MeetingRequest.objects.filter(case_id=case.pk).order_by("number")
    return tuple(rows.values_list("number", "requested_at", "held_at"))


def refresh(case, rules: deadlines.DeadlineRules | None = None, *, new_case: bool = False) -> list[DueDate]:
    """Rewrite the case's deadline rows from its current facts. A deadline whose
    due moment moved keeps the rounds already sent (they are history), and the
    next action is computed from the new moment. ``new_case``: the case was
    stored in this transaction, so it has no deadline rows and no meeting
    requests yet (nothing to read)."""
    rules = rules or rules_for(case)
    clock = clock_of(case, new_case=new_case)
    existing = {} if new_case else {(row.kind, row.occurrence): row for row in DueDate.objects.filter(case=case)}
    rows, new, changed = [], [], []
    for deadline in deadlines.case_deadlines(clock, rules):
        row = existing.get((deadline.kind, deadline.occurrence)) or DueDate(
            case=case, kind=deadline.kind, occurrence=deadline.occurrence
        )
        before = (row.due_at, row.met_at, row.next_action_at)
        row.due_at, row.met_at = deadline.due_at, deadline.met_at
        row.next_action_at = deadlines.next_action_at(
            deadline,
            still_open=clock.still_open,
            reminded=row.reminded_at is not None,
            escalations=row.escalations,
            rules=rules,
        )
        rows.append(row)
        if row.pk is None:
            new.append(row)
        elif (row.due_at, row.met_at, row.next_action_at) != before:
            changed.append(row)
    # One insert for the new rows (a new case: all of them) and one update for those that moved.
    DueDate.objects.bulk_create(new)
    if changed:
        DueDate.objects.bulk_update(changed, ["due_at", "met_at", "next_action_at"])
    return rows
