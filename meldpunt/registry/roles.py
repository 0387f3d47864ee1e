"""Roles a position has besides its own title, derived from the registry.

The locoburgemeester is the wethouder who deputises for the burgemeester
(Gemeentewet art. 77): the wethouder position that is the ``deputy`` of a
burgemeester position. Nothing is stored for it; it follows the deputy field.

Pure functions over anything with ``id``, ``category`` and ``deputy`` (the
routing snapshot's ``PositionInfo``) or ``deputy_id`` (a ``Position``), so
routing can use them without the database:

    loco = locoburgemeester_ids(registry.positions.values())
    title = title_with_roles(info.title, info.id in loco)
"""

from django.utils.translation import gettext as _

BURGEMEESTER = "burgemeester"
WETHOUDER = "wethouder"


def _deputy(position):
    return getattr(position, "deputy_id", getattr(position, "deputy", None))


def locoburgemeester_ids(positions) -> set[int]:
    """The ids of the wethouder positions that deputise for a burgemeester position."""
    positions = list(positions)
    categories = {p.id: p.category for p in positions}
    return {_deputy(p) for p in positions if p.category == BURGEMEESTER and categories.get(_deputy(p)) == WETHOUDER}


def role_titles(position, positions=None) -> list[str]:
    """The extra roles of ``position``: ['locoburgemeester'] or []. ``positions``
    are the organisation's positions (by default read from the database)."""
    if positions is None:
        positions = position.organisation.positions.filter(category=BURGEMEESTER)
    return [_("locoburgemeester")] if position.id in locoburgemeester_ids([position, *positions]) else []


def title_with_roles(title: str, is_locoburgemeester: bool) -> str:
    """'Wethouder Wonen (locoburgemeester)'."""
    if not is_locoburgemeester:
        return title
    return _("%(title)s (locoburgemeester)") % {"title": title}
