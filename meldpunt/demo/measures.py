"""A measure in the demo (``manage.py load_demo``): on the case about wethouder
Johan Kuipers, the burgemeester's proposal to keep the reporter away from the
wethouder's portfolio meetings. It burdens the reporter, so it waits for their
consent: the case page shows it as "voorgesteld" and the case list counts it.
Made by the real rules (``maatregelen.rules``); every name and text is made up."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from meldpunt.cases.models import Case, SubjectLink
from meldpunt.maatregelen import rules
from meldpunt.maatregelen.models import Measure
from meldpunt.registry.models import Person


@transaction.atomic
def load_demo_measures(organisation) -> int:
    """Make the demo measure unless the organisation has measures already. Returns how many were made."""
    if Measure.objects.filter(case__organisation=organisation).exists():
        return 0
    wethouder = Person.objects.filter(organisation=organisation, name="Johan Kuipers").first()
    case = (
        Case.objects.filter(
            organisation=organisation, subjects__person=wethouder, subjects__role=SubjectLink.Role.BESCHULDIGDE
        )
        .order_by("received_at")
        .first()
    )
    if case is None:
        return 0
    handler = get_user_model().objects.get(username="behandelaar1")
    rules.record_measure(
        case,
        rules.MeasureInput(
            kind=Measure.Kind.PARTIJEN_SCHEIDEN,
            burdens=Measure.Burden.MELDER,
            decided_on=timezone.localdate(),
            decision_maker=Person.objects.get(organisation=organisation, name="Marieke van Dalen"),
            reason="De melder en de wethouder zitten samen in het wekelijkse overleg over de sporthal.",
            justification=(
                "Zolang het onderzoek loopt, zou u niet meer naar het overleg over de sporthal gaan; een collega "
                "neemt dat over. Zo hoeft u de wethouder niet te zien. Uw werk en uw functie blijven hetzelfde."
            ),
            take_now=True,
        ),
        staff_user=handler,
    )
    return 1
