"""Build the registry snapshot that routing works on, from the database."""

from django.conf import settings
from django.utils import translation

from meldpunt.protocol.routing import Holding, PositionInfo, RegistryView
from meldpunt.registry.models import Appointment, Category, Conflict, Position, today


def registry_view(organisation) -> RegistryView:
    day = today()
    positions = {
        p.id: PositionInfo(p.id, p.title, p.category, p.reports_to_id, p.deputy_id)
        for p in Position.objects.filter(organisation=organisation)
    }
    appointments = Appointment.objects.filter(position__organisation=organisation).select_related("person", "position")
    # The office as held, with that appointment's portfolio (dated portfolios), in
    # the installation's language like the explanations built from it.
    with translation.override(settings.LANGUAGE_CODE):
        holdings = [
            Holding(a.person_id, a.position_id, a.start_date, a.end_date, title=a.held_title) for a in appointments
        ]
    names = {a.person_id: a.person.name for a in appointments}
    conflicts = {
        frozenset(pair)
        for pair in Conflict.objects.filter(person__organisation=organisation).values_list("person_id", "other_id")
    }
    admins = {
        h.person
        for h in holdings
        if positions[h.position].category == Category.FUNCTIONEEL_BEHEERDER and h.covers(day, day)
    }
    return RegistryView(
        positions=positions, holdings=holdings, conflicts=conflicts, admins=admins, names=names, today=day
    )
