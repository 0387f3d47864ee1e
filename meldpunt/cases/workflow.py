"""The case lifecycle: every state and the transitions allowed from it, in one table."""

from django.utils.translation import gettext_lazy as _

from meldpunt.cases.models import State

TRANSITIONS: dict[str, set[str]] = {
    State.ONTVANGEN: {State.IN_BEHANDELING, State.INGETROKKEN, State.AFGESLOTEN},
    State.IN_BEHANDELING: {State.AFGESLOTEN, State.INGETROKKEN},
    State.AFGESLOTEN: {State.IN_BEHANDELING},
    State.INGETROKKEN: set(),
}

# Only the reporter withdraws a report; staff close it with a reason.
REPORTER_TARGETS = {State.INGETROKKEN}

# States in which the reporter can still add information and messages.
OPEN_STATES = {State.ONTVANGEN, State.IN_BEHANDELING}

# States in which a handler can still write to the reporter: not after the
# reporter withdrew (they asked for nothing more to happen); after closure a
# last word is still possible.
STAFF_MESSAGE_STATES = {State.ONTVANGEN, State.IN_BEHANDELING, State.AFGESLOTEN}

# What the reporter reads about each state: plain, and what happens next.
EXPLANATION = {
    State.ONTVANGEN: _(
        "Uw melding is ontvangen. Een behandelaar neemt binnen 7 dagen contact met u op via dit postvak."
    ),
    State.IN_BEHANDELING: _("Een behandelaar werkt aan uw melding. Nieuwe berichten verschijnen in dit postvak."),
    State.AFGESLOTEN: _("De behandeling is afgerond. U kunt hier de laatste berichten nog lezen."),
    State.INGETROKKEN: _("U heeft deze melding ingetrokken. Er wordt niets meer mee gedaan."),
}


class TransitionNotAllowed(Exception):
    pass


class MessageNotAllowed(Exception):
    """Nobody can write in the case's thread in its current state (for this author)."""


def check_message(state: str, *, by_reporter: bool) -> None:
    if state not in (OPEN_STATES if by_reporter else STAFF_MESSAGE_STATES):
        raise MessageNotAllowed(state)


def reopens(current: str, target: str) -> bool:
    """Whether moving from ``current`` to ``target`` takes a finished case up again
    (its routing then runs again, as if it arrived anew)."""
    return current not in OPEN_STATES and target in OPEN_STATES


def allowed_targets(current: str, *, by_reporter: bool) -> list[str]:
    """The states the reporter or a staff member may move a case to, in table order."""
    return [
        target
        for target in State.values
        if target in TRANSITIONS.get(current, set()) and (target in REPORTER_TARGETS) == by_reporter
    ]


def check_transition(current: str, target: str, *, by_reporter: bool) -> None:
    if target not in allowed_targets(current, by_reporter=by_reporter):
        raise TransitionNotAllowed(f"{current} → {target}")
