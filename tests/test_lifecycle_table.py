"""The lifecycle table and the deadline rules, as pure functions (no database)."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meldpunt.cases import deadlines
from meldpunt.cases.models import Outcome, State
from meldpunt.cases.workflow import (
    CLOSED_STATES,
    OPEN_STATES,
    REPORTER,
    STAFF,
    STEPS,
    Facts,
    StepIncomplete,
    TransitionNotAllowed,
    available_steps,
    check_step,
)

UTC = datetime.UTC
EVERYTHING = Facts(
    acknowledged=True,
    feedback_given=True,
    aftercare_offered=True,
    reason="Onderbouwd.",
    outcome=Outcome.GEGROND,
    referred_to="Huis voor Klokkenluiders",
    investigation="extern",
)
NOTHING = Facts(acknowledged=False, feedback_given=False, aftercare_offered=False)


def test_every_state_is_reachable_from_a_new_case():
    reached, frontier = {State.ONTVANGEN}, [State.ONTVANGEN]
    while frontier:
        state = frontier.pop()
        for step in STEPS:
            if state in step.sources and step.target not in reached:
                reached.add(step.target)
                frontier.append(step.target)
    assert reached == set(State.values)


def test_a_finished_case_only_moves_by_reopening_with_a_reason():
    for state in CLOSED_STATES:
        names = {step.name for step in available_steps(state, by=STAFF)}
        assert names <= {"heropenen"}
    with pytest.raises(StepIncomplete) as refused:
        check_step(State.AFGESLOTEN, "heropenen", by=STAFF, facts=NOTHING)
    assert set(refused.value.errors) == {"reason"}


def test_a_case_cannot_be_closed_straight_from_received():
    """The failure the issue names: closing from "ontvangen" without a word."""
    with pytest.raises(TransitionNotAllowed):
        check_step(State.ONTVANGEN, "afsluiten", by=STAFF, facts=EVERYTHING)
    with pytest.raises(TransitionNotAllowed):
        check_step(State.BEOORDELING, "afsluiten", by=STAFF, facts=EVERYTHING)


def test_closing_needs_outcome_reason_feedback_and_aftercare():
    with pytest.raises(StepIncomplete) as refused:
        check_step(State.TERUGKOPPELING, "afsluiten", by=STAFF, facts=NOTHING)
    assert set(refused.value.errors) == {"outcome", "reason", "feedback", "aftercare"}
    assert check_step(State.TERUGKOPPELING, "afsluiten", by=STAFF, facts=EVERYTHING).target == State.AFGESLOTEN


@pytest.mark.parametrize("outcome", ["vertrokken", "beschuldigde vertrokken", "accused_left", "", "ingetrokken"])
def test_leaving_is_never_an_outcome_of_closing(outcome):
    """Tried: outcomes that say the accused left, an empty one, and one that only
    the reporter's withdrawal sets."""
    facts = Facts(**{**EVERYTHING.__dict__, "outcome": outcome})
    with pytest.raises(StepIncomplete) as refused:
        check_step(State.NAZORG, "afsluiten", by=STAFF, facts=facts)
    assert set(refused.value.errors) == {"outcome"}
    assert "vertrokken" not in Outcome.values


def test_only_the_reporter_withdraws_and_staff_cannot_take_the_reporters_step():
    assert [s.name for s in available_steps(State.BEOORDELING, by=REPORTER)] == ["intrekken"]
    with pytest.raises(TransitionNotAllowed):
        check_step(State.BEOORDELING, "intrekken", by=STAFF, facts=EVERYTHING)
    with pytest.raises(TransitionNotAllowed):
        check_step(State.BEOORDELING, "besluiten", by=REPORTER, facts=EVERYTHING)


def test_a_referral_names_to_whom_and_tells_the_reporter():
    facts = Facts(acknowledged=True, feedback_given=False, aftercare_offered=False, reason="Hoort bij de politie.")
    with pytest.raises(StepIncomplete) as refused:
        check_step(State.BEOORDELING, "doorverwijzen", by=STAFF, facts=facts)
    assert set(refused.value.errors) == {"referred_to", "feedback"}


@given(st.sampled_from(State.values), st.text(max_size=20), st.sampled_from([STAFF, REPORTER]))
def test_any_step_name_from_any_state_is_either_a_table_step_or_refused(state, name, by):
    """Tried: arbitrary step names (URL tampering) from every state, by either actor."""
    try:
        step = check_step(state, name, by=by, facts=EVERYTHING)
    except TransitionNotAllowed:
        assert name not in {s.name for s in available_steps(state, by=by)}
    else:
        assert state in step.sources and step.by == by
        assert (step.target in OPEN_STATES) or (step.target in CLOSED_STATES)


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def test_working_days_skip_weekends_and_dutch_holidays():
    # Friday 24 April 2026 + 3 working days: Monday 27 April is Koningsdag.
    assert deadlines.add_days(at(2026, 4, 24, 9), 3, working_days=True) == at(2026, 4, 30, 9)
    # 24 December 2026 (Thursday) + 1: Christmas and Boxing Day, then the weekend.
    assert deadlines.add_days(at(2026, 12, 24, 9), 1, working_days=True) == at(2026, 12, 28, 9)
    assert deadlines.add_days(at(2026, 12, 28, 9), -1, working_days=True) == at(2026, 12, 24, 9)
    assert deadlines.add_days(at(2026, 12, 24, 9), 1, working_days=False) == at(2026, 12, 25, 9)


def test_the_legal_deadlines_stay_calendar_days_and_can_only_be_shorter():
    rules = deadlines.DeadlineRules(acknowledgement_days=30, feedback_months=6, working_days=True)
    clock = deadlines.CaseClock(received_at=at(2026, 4, 24, 9))
    by_kind = {d.kind: d for d in deadlines.case_deadlines(clock, rules)}
    assert by_kind[deadlines.ACKNOWLEDGEMENT].due_at == at(2026, 5, 1, 9)
    assert by_kind[deadlines.FEEDBACK].due_at == at(2026, 8, 1, 9)


def test_reminder_then_escalations_at_each_interval_until_met():
    rules = deadlines.DeadlineRules(reminder_days=2, escalation_interval_days=3, working_days=False)
    due = deadlines.Deadline(deadlines.FEEDBACK, at(2026, 3, 10), None)
    steps = []
    reminded, rounds = False, 0
    for _ in range(4):
        moment = deadlines.next_action_at(due, still_open=True, reminded=reminded, escalations=rounds, rules=rules)
        steps.append(moment)
        if not reminded:
            reminded = True
        else:
            rounds += 1
    assert steps == [at(2026, 3, 8), at(2026, 3, 10), at(2026, 3, 13), at(2026, 3, 16)]
    met = deadlines.Deadline(deadlines.FEEDBACK, at(2026, 3, 10), at(2026, 3, 9))
    assert deadlines.next_action_at(met, still_open=True, reminded=True, escalations=0, rules=rules) is None
    assert deadlines.next_action_at(due, still_open=False, reminded=False, escalations=0, rules=rules) is None


def test_the_case_log_names_lifecycle_events_in_plain_words():
    from meldpunt.audit.phrases import UNKNOWN, phrase

    assert phrase("case.escalated", {"deadline": "terugkoppeling", "round": 2}, "Meldpunt") == (
        "Escalatie 2 gestuurd: inhoudelijke terugkoppeling aan de melder is over tijd"
    )
    assert phrase("case.reminded", {"deadline": "ontvangstbevestiging", "round": 0}, "Meldpunt") == (
        "Herinnering gestuurd: ontvangstbevestiging nadert"
    )
    for action in ("case.note_added", "case.hearing_recorded", "case.owner_changed", "case.accused_left"):
        assert phrase(action, {}, "Ingrid Vos") != str(UNKNOWN) % {"actor": "Ingrid Vos"}
