"""Mijn zaken: the open cases a handler owns, and the team's unowned ones they
may open, by next due date (the earliest deadline not yet met), overdue first;
with the reminders and escalations that reached them."""

from dataclasses import dataclass

from django.db.models import F, Min, Q

from meldpunt.cases.access import cases_visible_to, may_handle
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.escalation.models import DueDate
from meldpunt.notifications import service as notification_service
from meldpunt.notifications.models import Notification

ALERT_KINDS = [Notification.Kind.REMINDER, Notification.Kind.ESCALATION, Notification.Kind.BACK_TO_TEAM]


@dataclass
class MyCase:
    case: object
    mine: bool
    next_due: object
    due_kind: str
    overdue: bool


def my_cases(staff, now, limit=200) -> list[MyCase]:
    visible = cases_visible_to(staff).filter(state__in=OPEN_STATES)
    whose = Q(owner=staff.person)
    if may_handle(staff):
        whose |= Q(owner__isnull=True)
    cases = (
        visible.filter(whose)
        .annotate(next_due=Min("due_dates__due_at", filter=Q(due_dates__met_at__isnull=True)))
        .order_by(F("next_due").asc(nulls_last=True), "received_at")
        .select_related("organisation")[:limit]
    )
    cases = list(cases)
    kinds = dict(DueDate._meta.get_field("kind").choices)
    earliest = {}
    for due in DueDate.objects.filter(case__in=cases, met_at__isnull=True).order_by("due_at", "pk"):
        earliest.setdefault(due.case_id, str(kinds.get(due.kind, due.kind)))
    return [
        MyCase(
            case,
            case.owner_id == staff.person_id,
            case.next_due,
            earliest.get(case.pk, ""),
            case.next_due is not None and case.next_due < now,
        )
        for case in cases
    ]


def alerts_for(staff, limit=50):
    """The reminders, escalations and cases sent back to the team that reached this staff member, newest first."""
    return notification_service.visible_notifications(staff).filter(kind__in=ALERT_KINDS).order_by("-pk")[:limit]
