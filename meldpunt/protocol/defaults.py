"""The default protocol for a Dutch municipality (docs/protocol.md).

The burgemeester is responsible for administrative integrity (Gemeentewet
art. 170 lid 2); complaints about a bestuurder go straight to the
burgemeester and the gemeentesecretaris.
"""

from meldpunt.protocol.routing import DEPUTY_OF, EXTERNAL, INTEGRITY_OFFICE, MANAGER_ABOVE_MANAGER, ROLE

BURGEMEESTER = ROLE + "burgemeester"
GEMEENTESECRETARIS = ROLE + "gemeentesecretaris"
GRIFFIER = ROLE + "griffier"
LOCOBURGEMEESTER = DEPUTY_OF + "burgemeester"

# category: (notified at once, escalation chain)
DEFAULT_RULES = {
    "wethouder": ([BURGEMEESTER, GEMEENTESECRETARIS], [BURGEMEESTER]),
    "raadslid": ([BURGEMEESTER, GRIFFIER], [BURGEMEESTER]),
    "burgemeester": ([LOCOBURGEMEESTER, GEMEENTESECRETARIS, EXTERNAL], [EXTERNAL]),
    "gemeentesecretaris": ([BURGEMEESTER, INTEGRITY_OFFICE], [BURGEMEESTER]),
    "griffier": ([BURGEMEESTER, INTEGRITY_OFFICE], [BURGEMEESTER]),
    "directeur": ([INTEGRITY_OFFICE, GEMEENTESECRETARIS], [GEMEENTESECRETARIS]),
    "manager": ([INTEGRITY_OFFICE, MANAGER_ABOVE_MANAGER], [GEMEENTESECRETARIS]),
    "medewerker": ([INTEGRITY_OFFICE, MANAGER_ABOVE_MANAGER], [GEMEENTESECRETARIS]),
    "onbekend": ([INTEGRITY_OFFICE], [GEMEENTESECRETARIS]),
    "extern": ([INTEGRITY_OFFICE], [GEMEENTESECRETARIS]),
}
