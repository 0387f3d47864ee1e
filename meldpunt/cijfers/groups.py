"""How the council figures group cases: the reporter's relation (intern /
extern) and the accused's category (bestuurder / ambtenaar / onbekend).
One place for both mappings; docs/figures.md repeats them for readers."""

from django.utils.translation import gettext_lazy as _

from meldpunt.cases.models import Relation
from meldpunt.protocol.models import AccusedCategory as AC

INTERN, EXTERN = "intern", "extern"
RELATION_GROUPS = {
    Relation.MEDEWERKER: INTERN,
    Relation.OUD_MEDEWERKER: INTERN,
    Relation.INWONER: EXTERN,
    Relation.STUDENT: EXTERN,
    Relation.ONDERNEMER: EXTERN,
    Relation.INSPREKER: EXTERN,
    Relation.GETUIGE: EXTERN,
    # "Zeg ik liever niet": counted with the external reporters (not known to
    # work here), so that the two groups add up to the total.
    Relation.ZEG_IK_LIEVER_NIET: EXTERN,
}
RELATION_LABELS = {INTERN: _("Intern (medewerker, oud-medewerker)"), EXTERN: _("Extern (anderen, of onbekend)")}

BESTUURDER, AMBTENAAR, ONBEKEND = "bestuurder", "ambtenaar", "onbekend"
ACCUSED_GROUPS = {
    AC.WETHOUDER: BESTUURDER,
    AC.RAADSLID: BESTUURDER,
    AC.BURGEMEESTER: BESTUURDER,
    AC.GEMEENTESECRETARIS: AMBTENAAR,
    AC.GRIFFIER: AMBTENAAR,
    AC.DIRECTEUR: AMBTENAAR,
    AC.MANAGER: AMBTENAAR,
    AC.MEDEWERKER: AMBTENAAR,
    AC.ONBEKEND: ONBEKEND,
    AC.EXTERN: ONBEKEND,
}
ACCUSED_LABELS = {
    BESTUURDER: _("Bestuurder"),
    AMBTENAAR: _("Ambtenaar"),
    ONBEKEND: _("Onbekend of extern"),
}
ACCUSED_ORDER = [BESTUURDER, AMBTENAAR, ONBEKEND]


def accused_group(categories) -> str:
    """The group of a case from its routing decision's accused categories: a
    bestuurder among the accused makes it a bestuurder case, else an official,
    else unknown (a case with no routing decision yet is unknown too)."""
    groups = {ACCUSED_GROUPS.get(category, ONBEKEND) for category in categories or ()}
    return next((group for group in ACCUSED_ORDER if group in groups), ONBEKEND)
