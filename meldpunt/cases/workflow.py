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
