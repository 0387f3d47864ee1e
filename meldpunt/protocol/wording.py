"""Plain words for the routing explanations (``meldpunt.protocol.routing``):
"omdat de melding over een wethouder gaat", not "regel 'wethouder'".

No database: routing stays a pure function.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The recipient codes of meldpunt.protocol.routing (which imports this module).
ROLE = "role:"
DEPUTY_OF = "deputy_of:"
DIRECT_MANAGER = "direct_manager"
MANAGER_ABOVE_MANAGER = "manager_above_manager"

ABOUT = {
    "burgemeester": gettext_lazy("over de burgemeester"),
    "wethouder": gettext_lazy("over een wethouder"),
    "raadslid": gettext_lazy("over een raadslid"),
    "griffier": gettext_lazy("over de griffier"),
    "gemeentesecretaris": gettext_lazy("over de gemeentesecretaris"),
    "directeur": gettext_lazy("over een directeur"),
    "manager": gettext_lazy("over een manager"),
    "medewerker": gettext_lazy("over een medewerker"),
    "onbekend": gettext_lazy("over iemand die niet in het register staat"),
    "extern": gettext_lazy("over iemand zonder functie bij de organisatie"),
}

ROLES = {
    "burgemeester": gettext_lazy("burgemeester"),
    "wethouder": gettext_lazy("wethouder"),
    "raadslid": gettext_lazy("raadslid"),
    "griffier": gettext_lazy("griffier"),
    "gemeentesecretaris": gettext_lazy("gemeentesecretaris"),
    "directeur": gettext_lazy("directeur"),
    "manager": gettext_lazy("manager"),
    "medewerker": gettext_lazy("medewerker"),
    "behandelaar": gettext_lazy("behandelaar van het integriteitsbureau"),
    "vertrouwenspersoon": gettext_lazy("vertrouwenspersoon"),
    "functioneel_beheerder": gettext_lazy("functioneel beheerder"),
}


def about(category: str) -> str:
    """'over een wethouder': what a report in this accused category is about."""
    if category in ABOUT:
        return str(ABOUT[category])
    return _("over: %(category)s") % {"category": category}


def recipient(code: str) -> str:
    """A recipient code in words: 'griffier', 'plaatsvervanger van de burgemeester'."""
    if code.startswith(ROLE):
        role = code[len(ROLE) :]
        return str(ROLES.get(role, role))
    if code.startswith(DEPUTY_OF):
        role = code[len(DEPUTY_OF) :]
        return _("plaatsvervanger van de %(role)s") % {"role": ROLES.get(role, role)}
    if code == DIRECT_MANAGER:
        return _("directe leidinggevende")
    if code == MANAGER_ABOVE_MANAGER:
        return _("leidinggevende van de leidinggevende")
    return code
