"""The handler's assessment of the category of behaviour (``Case.behaviour_assessed``),
kept apart from the reporter's own choice (``Case.behaviour_reported``). A plain
code, counted by the council figures; every change is an audit event."""

from django.db import transaction

from meldpunt.audit.log import actor_for_user, record
from meldpunt.cases.models import Behaviour, Case


class NotABehaviour(ValueError):
    pass


def assess_behaviour(case: Case, value: str, *, staff_user) -> Case:
    if value not in Behaviour.values and value != "":
        raise NotABehaviour(value)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.behaviour_assessed != value:
            record(
                "case.behaviour_assessed",
                actor=actor_for_user(staff_user),
                organisation=locked.organisation,
                case=locked,
                was=locked.behaviour_assessed,
                now=value,
            )
            locked.behaviour_assessed = value
            locked.save(update_fields=["behaviour_assessed"])
    case.behaviour_assessed = value
    return case
