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
import functools
from dataclasses import dataclass

import holidays

ACKNOWLEDGEMENT_DAYS = 7
FEEDBACK_MONTHS = 3


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day ``months`` later, or the last day of that month if it is shorter."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def acknowledgement_due(received_at: datetime.datetime, days: int = ACKNOWLEDGEMENT_DAYS) -> datetime.datetime:
    return received_at + datetime.timedelta(days=min(days, ACKNOWLEDGEMENT_DAYS))


def feedback_due(
    received_at: datetime.datetime,
    acknowledged_at: datetime.datetime | None,
    *,
    acknowledgement_days: int = ACKNOWLEDGEMENT_DAYS,
    months: int = FEEDBACK_MONTHS,
) -> datetime.datetime:
    start = acknowledged_at or acknowledgement_due(received_at, acknowledgement_days)
    return add_months(start, min(months, FEEDBACK_MONTHS))


@functools.cache
def _dutch_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("NL", years=year))


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and not a Dutch public holiday (the ``holidays`` package;
    Koningsdag, Bevrijdingsdag in lustrum years, Easter, Whitsun, Christmas, ...)."""
    return day.weekday() < 5 and day not in _dutch_holidays(day.year)


def add_days(moment: datetime.datetime, days: int, *, working_days: bool) -> datetime.datetime:
    """``days`` days after ``moment`` (negative: before), counted in working days
    when ``working_days``: the time of day stays, weekends and holidays are skipped."""
    if not working_days:
        return moment + datetime.timedelta(days=days)
    step = datetime.timedelta(days=1 if days >= 0 else -1)
    remaining = abs(days)
    while remaining:
        moment += step
        if is_working_day(moment.date()):
            remaining -= 1
    return moment


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


# The deadlines the sweep watches (``meldpunt.escalation``), per case.
ACKNOWLEDGEMENT = "ontvangstbevestiging"
FIRST_CONTACT = "eerste_contact"
ASSESSMENT = "beoordeling"
FEEDBACK = "terugkoppeling"
# Every case has these four.
KINDS = [ACKNOWLEDGEMENT, FIRST_CONTACT, ASSESSMENT, FEEDBACK]
# The reporter asked for an in-person meeting (meldpunt.verslagen): one
# deadline per request, met when the meeting took place.
MEETING = "gespreksverzoek"
MEETING_DAYS = 10


@dataclass(frozen=True)
class DeadlineRules:
    """How long each step may take, for one case: the organisation's settings
    (the reporter's two legal deadlines can only be made shorter) and the
    strictest protocol rule that routed the case (internal deadlines and the
    escalation interval). ``working_days`` counts the internal deadlines, the
    reminder and the interval in working days; the legal ones stay calendar days."""

    acknowledgement_days: int = ACKNOWLEDGEMENT_DAYS
    feedback_months: int = FEEDBACK_MONTHS
    first_contact_days: int = 7
    assessment_days: int = 14
    reminder_days: int = 2
    escalation_interval_days: int = 3
    working_days: bool = True
    # A meeting the reporter asked for: "binnen redelijke termijn" (art. 9(2)).
    meeting_days: int = MEETING_DAYS


@dataclass(frozen=True)
class CaseClock:
    """The moments of a case that start or meet its deadlines."""

    received_at: datetime.datetime
    acknowledged_at: datetime.datetime | None = None
    first_contact_at: datetime.datetime | None = None
    assessed_at: datetime.datetime | None = None
    feedback_given_at: datetime.datetime | None = None
    still_open: bool = True
    # The reporter's meeting requests, in order: (number, requested at, held at or None).
    meeting_requests: tuple = ()


@dataclass(frozen=True)
class Deadline:
    kind: str
    due_at: datetime.datetime
    met_at: datetime.datetime | None
    # Which one of its kind (a case has one deadline per meeting request; 0 for the others).
    occurrence: int = 0


def meeting_due(requested_at: datetime.datetime, rules: "DeadlineRules") -> datetime.datetime:
    """A meeting the reporter asked for takes place within ``meeting_days``,
    counted like the internal deadlines."""
    return add_days(requested_at, rules.meeting_days, working_days=rules.working_days)


def case_deadlines(clock: CaseClock, rules: DeadlineRules) -> list[Deadline]:
    """Every deadline of a case, when it falls due and when it was met."""
    received, acknowledged = clock.received_at, clock.acknowledged_at
    start = acknowledged or acknowledgement_due(received, rules.acknowledgement_days)
    return [
        Deadline(ACKNOWLEDGEMENT, acknowledgement_due(received, rules.acknowledgement_days), acknowledged),
        Deadline(
            FIRST_CONTACT,
            add_days(received, rules.first_contact_days, working_days=rules.working_days),
            clock.first_contact_at,
        ),
        Deadline(
            ASSESSMENT, add_days(start, rules.assessment_days, working_days=rules.working_days), clock.assessed_at
        ),
        Deadline(
            FEEDBACK,
            feedback_due(
                received, acknowledged, acknowledgement_days=rules.acknowledgement_days, months=rules.feedback_months
            ),
            clock.feedback_given_at,
        ),
        *(
            Deadline(MEETING, meeting_due(requested_at, rules), held_at, occurrence=number)
            for number, requested_at, held_at in clock.meeting_requests
        ),
    ]


def reminder_at(due: datetime.datetime, rules: DeadlineRules) -> datetime.datetime:
    return add_days(due, -rules.reminder_days, working_days=rules.working_days)


def escalation_at(due: datetime.datetime, round_number: int, rules: DeadlineRules) -> datetime.datetime:
    """When escalation ``round_number`` (1, 2, ...) is due: the first when the
    deadline passes, each next one an interval later."""
    return add_days(due, (round_number - 1) * rules.escalation_interval_days, working_days=rules.working_days)


def next_action_at(
    deadline: Deadline, *, still_open: bool, reminded: bool, escalations: int, rules: DeadlineRules
) -> datetime.datetime | None:
    """The next moment the sweep has something to do for this deadline: remind
    the owner, escalate, escalate again. None once it is met or the case is
    no longer open: nothing waits for a closed case."""
    if deadline.met_at is not None or not still_open:
        return None
    if not reminded and escalations == 0:
        return reminder_at(deadline.due_at, rules)
    return escalation_at(deadline.due_at, escalations + 1, rules)


def days_overdue(due: datetime.datetime, now: datetime.datetime) -> int:
    return max(0, (now - due).days)


def retaliation_check_at(closed_at: datetime.datetime, months: int) -> datetime.datetime:
    """When the reporter's inbox asks whether they experienced disadvantage
    (benadeling) since reporting: ``months`` after the case closed
    (``nazorg.retaliation``; the organisation's setting, default 3)."""
    return add_months(closed_at, months)
