"""The case lifecycle: every step a case can take, in one declarative table.

A step has a name (the action in ``cases.actions.take_step``), the states it
starts from, the state it leads to, who takes it (staff or the reporter) and
what it needs before it may be taken (a reason, an outcome, proof that the
reporter had substantive feedback, ...). Whether a step may be taken is a
pure function of the case's facts (``missing``), so the table is tested
without a database. docs/lifecycle.md draws it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from meldpunt.cases.models import Outcome, State

STAFF = "staff"
REPORTER = "reporter"

# What a step can need. Each has the message shown when it is missing.
REASON = "reason"
OUTCOME = "outcome"
REFERRED_TO = "referred_to"
INVESTIGATION = "investigation"
FEEDBACK = "feedback"
AFTERCARE = "aftercare"
ACKNOWLEDGED = "acknowledged"

MISSING_MESSAGES = {
    REASON: _("Schrijf de reden op: elke beslissing in een zaak heeft een onderbouwing."),
    OUTCOME: _("Kies een uitkomst: gegrond, ongegrond of niet vast te stellen."),
    REFERRED_TO: _("Schrijf op naar wie de melding is doorverwezen."),
    INVESTIGATION: _("Kies of het onderzoek intern of extern is."),
    FEEDBACK: _(
        "De melder heeft nog geen inhoudelijke terugkoppeling gehad. Stuur een bericht gemarkeerd als "
        "terugkoppeling, of leg een gesprek met de melder vast."
    ),
    AFTERCARE: _(
        "Er is nog geen nazorg aangeboden. Bied de melder vóór het afsluiten opnieuw steun aan via het postvak, "
        "of leg vast dat u dat in een gesprek deed."
    ),
    ACKNOWLEDGED: _("Bevestig eerst de ontvangst aan de melder."),
}

# Outcomes a handler chooses when closing; "ingetrokken" and "doorverwezen"
# follow from their own steps.
CLOSING_OUTCOMES = [Outcome.GEGROND, Outcome.ONGEGROND, Outcome.NIET_VAST_TE_STELLEN]


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset
    target: str
    by: str
    label: str
    needs: frozenset = frozenset()
    outcome: str = ""  # the outcome the step sets by itself


def _step(name, sources, target, label, *, by=STAFF, needs=(), outcome=""):
    return Step(name, frozenset(sources), target, by, label, frozenset(needs), outcome)


S = State
OPEN_STATES = {S.ONTVANGEN, S.ONTVANGSTBEVESTIGD, S.BEOORDELING, S.ONDERZOEK, S.BESLUIT, S.TERUGKOPPELING, S.NAZORG}
CLOSED_STATES = {S.AFGESLOTEN, S.INGETROKKEN, S.DOORVERWEZEN}

STEPS: list[Step] = [
    _step("bevestigen", {S.ONTVANGEN}, S.ONTVANGSTBEVESTIGD, _("Ontvangst bevestigen")),
    _step("beoordelen", {S.ONTVANGSTBEVESTIGD}, S.BEOORDELING, _("Beoordeling starten"), needs={ACKNOWLEDGED}),
    _step(
        "onderzoeken", {S.BEOORDELING, S.BESLUIT}, S.ONDERZOEK, _("Onderzoek starten"), needs={REASON, INVESTIGATION}
    ),
    _step("besluiten", {S.BEOORDELING, S.ONDERZOEK}, S.BESLUIT, _("Naar besluit en maatregelen"), needs={REASON}),
    _step("terugkoppelen", {S.BESLUIT}, S.TERUGKOPPELING, _("Naar terugkoppeling aan de melder")),
    _step("nazorg", {S.TERUGKOPPELING}, S.NAZORG, _("Naar nazorg"), needs={FEEDBACK}),
    _step(
        "afsluiten",
        {S.TERUGKOPPELING, S.NAZORG},
        S.AFGESLOTEN,
        _("Afsluiten"),
        needs={OUTCOME, REASON, FEEDBACK, AFTERCARE},
    ),
    _step(
        "doorverwijzen",
        {S.ONTVANGSTBEVESTIGD, S.BEOORDELING, S.ONDERZOEK},
        S.DOORVERWEZEN,
        _("Doorverwijzen"),
        needs={REFERRED_TO, REASON, FEEDBACK},
        outcome=Outcome.DOORVERWEZEN,
    ),
    _step("heropenen", {S.AFGESLOTEN, S.DOORVERWEZEN}, S.BEOORDELING, _("Heropenen"), needs={REASON}),
    _step("intrekken", OPEN_STATES, S.INGETROKKEN, _("Melding intrekken"), by=REPORTER, outcome=Outcome.INGETROKKEN),
]
STEPS_BY_NAME = {step.name: step for step in STEPS}

# Steps that carry a decision about the report: leaving the assessment with
# one of them meets the assessment deadline.
ASSESSMENT_DECISIONS = {"onderzoeken", "besluiten", "doorverwijzen"}

# States in which a handler can still write to the reporter: not after the
# reporter withdrew (they asked for nothing more to happen); after closure or
# referral a last word is still possible.
STAFF_MESSAGE_STATES = OPEN_STATES | {S.AFGESLOTEN, S.DOORVERWEZEN}

# What the reporter reads about each step: where it stands and what happens next.
EXPLANATION = {
    S.ONTVANGEN: _("Uw melding is ontvangen. Een behandelaar bevestigt de ontvangst via dit postvak."),
    S.ONTVANGSTBEVESTIGD: _(
        "Uw melding is ontvangen en de ontvangst is bevestigd. Een behandelaar leest haar en neemt via dit "
        "postvak contact met u op."
    ),
    S.BEOORDELING: _(
        "Een behandelaar beoordeelt uw melding: wat er nodig is, en of er onderzoek komt. "
        "U hoort via dit postvak wat er besloten is."
    ),
    S.ONDERZOEK: _(
        "Er loopt een onderzoek naar wat u heeft gemeld. Misschien vraagt de onderzoeker u om meer te vertellen."
    ),
    S.BESLUIT: _(
        "Het onderzoek is klaar. Er wordt besloten wat er met de uitkomst gebeurt. Daarna hoort u wat er is gedaan."
    ),
    S.TERUGKOPPELING: _("U krijgt via dit postvak te horen wat er met uw melding is gedaan."),
    S.NAZORG: _("U heeft gehoord wat er met uw melding is gedaan. We kijken met u hoe het nu met u gaat."),
    S.AFGESLOTEN: _("De behandeling is afgerond. U kunt hier de laatste berichten nog lezen."),
    S.INGETROKKEN: _("U heeft deze melding ingetrokken. Er wordt niets meer mee gedaan."),
    S.DOORVERWEZEN: _("Uw melding is doorverwezen. In het bericht hieronder leest u naar wie en waarom."),
}

# The order in which the reporter sees the steps of a case in their inbox.
REPORTER_PATH = [S.ONTVANGEN, S.ONTVANGSTBEVESTIGD, S.BEOORDELING, S.ONDERZOEK, S.BESLUIT, S.TERUGKOPPELING, S.NAZORG]


class TransitionNotAllowed(Exception):
    """The step does not exist, or cannot be taken from the case's state by this actor."""


class StepIncomplete(Exception):
    """The step may be taken from this state, but something it needs is missing.
    ``errors`` maps each missing need to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


class MessageNotAllowed(Exception):
    """Nobody can write in the case's thread in its current state (for this author)."""


@dataclass(frozen=True)
class Facts:
    """What the table needs to know about a case and the step's input."""

    acknowledged: bool
    feedback_given: bool
    aftercare_offered: bool
    reason: str = ""
    outcome: str = ""
    referred_to: str = ""
    investigation: str = ""


def check_message(state: str, *, by_reporter: bool) -> None:
    if state not in (OPEN_STATES if by_reporter else STAFF_MESSAGE_STATES):
        raise MessageNotAllowed(state)


def reopens(current: str, target: str) -> bool:
    """Whether moving from ``current`` to ``target`` takes a finished case up again
    (its routing then runs again, as if it arrived anew)."""
    return current not in OPEN_STATES and target in OPEN_STATES


def available_steps(current: str, *, by: str) -> list[Step]:
    """The steps this kind of actor may take from ``current``, in table order."""
    return [step for step in STEPS if current in step.sources and step.by == by]


def find_step(current: str, name: str, *, by: str) -> Step:
    step = STEPS_BY_NAME.get(name)
    if step is None or step.by != by or current not in step.sources:
        raise TransitionNotAllowed(f"{current} → {name}")
    return step


def missing(step: Step, facts: Facts) -> dict[str, str]:
    """What ``step`` still needs, as {need: message}; empty when it may be taken."""
    have = {
        REASON: bool(facts.reason.strip()),
        OUTCOME: facts.outcome in CLOSING_OUTCOMES,
        REFERRED_TO: bool(facts.referred_to.strip()),
        INVESTIGATION: facts.investigation in ("intern", "extern"),
        FEEDBACK: facts.feedback_given,
        AFTERCARE: facts.aftercare_offered,
        ACKNOWLEDGED: facts.acknowledged,
    }
    return {need: str(MISSING_MESSAGES[need]) for need in sorted(step.needs) if not have[need]}


def check_step(current: str, name: str, *, by: str, facts: Facts) -> Step:
    """The step, or ``TransitionNotAllowed`` / ``StepIncomplete``."""
    step = find_step(current, name, by=by)
    errors = missing(step, facts)
    if errors:
        raise StepIncomplete(errors)
    return step
