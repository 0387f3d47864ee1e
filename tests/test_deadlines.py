"""Deadline rules are pure functions: no database needed."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from meldpunt.cases import deadlines

UTC = datetime.UTC


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def test_acknowledgement_within_seven_days():
    assert deadlines.acknowledgement_due(at(2026, 11, 25, 10)) == at(2026, 12, 2, 10)


def test_feedback_three_months_after_acknowledgement():
    assert deadlines.feedback_due(at(2026, 1, 10), at(2026, 1, 12)) == at(2026, 4, 12)


def test_feedback_without_acknowledgement_counts_from_the_seven_day_deadline():
    assert deadlines.feedback_due(at(2026, 1, 10), None) == at(2026, 4, 17)


def test_month_end_is_clamped():
    assert deadlines.add_months(at(2026, 11, 30), 3) == at(2027, 2, 28)
    assert deadlines.add_months(at(2027, 11, 30), 3) == at(2028, 2, 29)


@given(st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1)))
def test_feedback_is_never_later_than_three_months_and_a_week(received):
    received = received.replace(tzinfo=UTC)
    due = deadlines.feedback_due(received, None)
    assert received < due <= received + datetime.timedelta(days=7 + 92)
