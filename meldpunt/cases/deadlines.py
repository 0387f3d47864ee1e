"""Deadlines towards the reporter, as pure functions (no database).

* Acknowledgement of receipt: at most 7 days after receipt (EU Directive
  2019/1937 art. 9(1)(b); Wet bescherming klokkenluiders). Meldpunt
  acknowledges online reports at once, so this deadline matters for reports
  staff register on someone's behalf.
* Substantive feedback: at most 3 months after the acknowledgement
  (art. 9(1)(f)); when no acknowledgement was sent, 3 months after the
  7-day acknowledgement deadline.
"""

import calendar
import datetime
from dataclasses import dataclass

ACKNOWLEDGEMENT_DAYS = 7
FEEDBACK_MONTHS = 3


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day ``months`` later, or the last day of that month if it is shorter."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def acknowledgement_due(received_at: datetime.datetime) -> datetime.datetime:
    return received_at + datetime.timedelta(days=ACKNOWLEDGEMENT_DAYS)


def feedback_due(received_at: datetime.datetime, acknowledged_at: datetime.datetime | None) -> datetime.datetime:
    start = acknowledged_at or acknowledgement_due(received_at)
    return add_months(start, FEEDBACK_MONTHS)


def first_contact_due(received_at: datetime.datetime) -> datetime.datetime:
    """The reporter is told that a handler contacts them within 7 days:
    the same day as the acknowledgement deadline (see the receipt page)."""
    return acknowledgement_due(received_at)


def is_overdue(due: datetime.datetime, now: datetime.datetime, *, done: bool, still_open: bool) -> bool:
    """A deadline is overdue when it has passed, nothing has met it yet and the
    case is still open (a closed or withdrawn case waits for nobody).

    The case list computes the same rule in the database
    (``meldpunt.cases.worklist.with_deadlines``); tests check both agree."""
    return still_open and not done and due < now


@dataclass(frozen=True)
class DeadlineStatus:
    """Where a case stands towards the reporter's two deadlines."""

    first_contact_due: datetime.datetime
    contacted: bool
    first_contact_overdue: bool
    feedback_due: datetime.datetime
    feedback_overdue: bool
    still_open: bool

    @property
    def overdue(self) -> bool:
        return self.first_contact_overdue or self.feedback_overdue


def status(
    *,
    first_contact_due_at: datetime.datetime,
    feedback_due_at: datetime.datetime,
    contacted: bool,
    still_open: bool,
    now: datetime.datetime,
) -> DeadlineStatus:
    """``first_contact_due_at`` is the case's stored ``first_contact_due(received_at)``."""
    contact_due = first_contact_due_at
    return DeadlineStatus(
        first_contact_due=contact_due,
        contacted=contacted,
        first_contact_overdue=is_overdue(contact_due, now, done=contacted, still_open=still_open),
        feedback_due=feedback_due_at,
        feedback_overdue=is_overdue(feedback_due_at, now, done=False, still_open=still_open),
        still_open=still_open,
    )
