"""Build the registry snapshot that routing works on, from the database.

Read as plain values (no model instances): with 10,000 appointments the
snapshot takes tens of milliseconds instead of seconds (docs/performance.md,
"Registry size"). It is kept per process under the organisation's registry
revision and the day (``meldpunt.registry.revision.kept``): every routing
reads the revision (one indexed query, inside its own transaction) and the
snapshot is built again whenever it differs. The revision changes in the
same transaction as every change to the registry, so an access decision
never rests on an older registry than a fresh read would give. The kept
snapshot is shared by every request of the process: nothing may change it.
"""

from django.conf import settings
from django.utils import translation

from meldpunt.protocol.routing import Holding, PositionInfo, RegistryView
from meldpunt.registry import portfolios, revision
from meldpunt.registry.models import Appointment, Category, Conflict, Position, today


def registry_view(organisation) -> RegistryView:
    """The organisation's registry as routing reads it, today."""
    day = today()
    return revision.kept(organisation, "routing", day, lambda: build_registry_view(organisation, day))


def build_registry_view(organisation, day) -> RegistryView:
    """The snapshot read from the database, kept nowhere (``registry_view`` keeps it)."""
    positions = {
        pk: PositionInfo(pk, title, category, reports_to, deputy)
        for pk, title, category, reports_to, deputy in Position.objects.filter(organisation=organisation)
        .order_by()
        .values_list("pk", "title", "category", "reports_to_id", "deputy_id")
    }
    appointments = (
        Appointment.objects.filter(position__organisation=organisation)
        .order_by("-start_date", "pk")
        .values_list(
            "person_id",
            "position_id",
            "start_date",
            "end_date",
            "portfolio",
            "position__title",
            "position__category",
            "position__portfolio",
            "person__name",
        )
    )
    # The office as held, with that appointment's portfolio (dated portfolios), in
    # the installation's language like the explanations built from it.
    holdings, names = [], {}
    with translation.override(settings.LANGUAGE_CODE):
        labels = {category: str(label) for category, label in Category.choices}
        for person, position, start, end, held, title, category, portfolio, name in appointments:
            label = labels.get(category, category)
            holdings.append(
                Holding(person, position, start, end, title=portfolios.held_title(title, label, portfolio, held))
            )
            names[person] = name
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
