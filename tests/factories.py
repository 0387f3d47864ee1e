"""Building blocks for tests: report input and submitted cases."""

import factory

from meldpunt.cases.actions import ReportInput, SubjectInput, submit_report
from meldpunt.cases.models import Relation, SubjectLink, Wish


class ReportInputFactory(factory.Factory):
    class Meta:
        model = ReportInput

    relation = Relation.INWONER
    anonymous = True
    description = factory.Sequence(lambda n: f"Ongepaste berichten na mijn hulpvraag, voorval {n}")
    wishes = factory.LazyFunction(lambda: [Wish.GEHOORD])
    subjects = factory.LazyFunction(list)


def accused(person) -> SubjectInput:
    return SubjectInput(role=SubjectLink.Role.BESCHULDIGDE, person=person)


def no_patterns(organisation) -> None:
    """No pattern alerts in a test about something else: a threshold above any
    number of reporters a test makes (written past the 2..20 of the admin form)."""
    type(organisation).objects.filter(pk=organisation.pk).update(pattern_threshold=10_000)
    organisation.pattern_threshold = 10_000


def report_about(organisation, *people, **fields):
    """Submit a report about the given registry people; returns (case, receipt code)."""
    subjects = [accused(p) for p in people]
    return submit_report(organisation, ReportInputFactory(subjects=subjects, **fields))


# The honest way through the lifecycle, for tests that need a case in some
# state: each step with what it needs (a reason, feedback, an aftercare offer).
_PATH = ["bevestigen", "beoordelen", "besluiten", "terugkoppelen", "nazorg", "afsluiten"]


def walk_to(case, target, *, staff_user=None):
    """Take ``case`` to ``target`` through the lifecycle (reopening a closed case
    when the target is an open state). Returns the case."""
    from django.utils import timezone

    from meldpunt.cases import actions
    from meldpunt.cases.models import Message, Outcome
    from meldpunt.cases.workflow import CLOSED_STATES, STEPS_BY_NAME, StepIncomplete

    given = actions.StepInput(reason="Beoordeeld aan de hand van de melding.", outcome=Outcome.GEGROND)
    if case.state in CLOSED_STATES and target not in CLOSED_STATES:
        actions.take_step(case, "heropenen", given, staff_user=staff_user)
    while case.state != target:
        step = next((s for s in _PATH if case.state in STEPS_BY_NAME[s].sources), None)
        if step is None:
            raise ValueError(f"no way from {case.state} to {target}")
        try:
            actions.take_step(case, step, given, staff_user=staff_user)
        except StepIncomplete as incomplete:
            if "feedback" in incomplete.errors:
                actions.post_message(
                    case,
                    Message.Author.BEHANDELAAR,
                    "Dit is er met uw melding gedaan.",
                    staff_user=staff_user,
                    is_feedback=True,
                )
            if "aftercare" in incomplete.errors:
                actions.record_aftercare_offer(
                    case,
                    day=timezone.localdate(),
                    how="De vertrouwenspersoon aangeboden per bericht.",
                    staff_user=staff_user,
                )
            actions.take_step(case, step, given, staff_user=staff_user)
    return case
