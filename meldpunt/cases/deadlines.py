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
