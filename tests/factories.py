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


def report_about(organisation, *people, **fields):
    """Submit a report about the given registry people; returns (case, receipt code)."""
    subjects = [accused(p) for p in people]
    return submit_report(organisation, ReportInputFactory(subjects=subjects, **fields))
