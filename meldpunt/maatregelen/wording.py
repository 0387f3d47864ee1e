"""The measures register in plain words: timeline entries and labels."""

from django.utils.translation import gettext as _

from meldpunt.maatregelen.models import Measure

KINDS = dict(Measure.Kind.choices)
BURDENS = dict(Measure.Burden.choices)
STATES = dict(Measure.State.choices)
VIA = dict(Measure.ConsentVia.choices)


def timeline_entry(detail: dict) -> tuple[str, list[str]]:
    """Title and lines of a timeline entry of kind ``measure`` (from its plain detail)."""
    kind = str(KINDS.get(detail.get("kind"), detail.get("kind", "")))
    state = str(STATES.get(detail.get("state"), detail.get("state", ""))).lower()
    via = str(VIA.get(detail.get("via"), "")).lower()
    action = detail.get("action")
    if action == "recorded":
        title = _("Maatregel vastgelegd: %(kind)s (%(state)s)") % {"kind": kind, "state": state}
    elif action == "taken":
        title = _("Maatregel genomen: %(kind)s") % {"kind": kind}
    elif action == "consent":
        title = _("De melder stemde in (%(via)s): %(kind)s is genomen") % {"via": via, "kind": kind}
    elif action == "refused":
        title = _("De melder ging niet akkoord (%(via)s): %(kind)s is vervallen") % {"via": via, "kind": kind}
    elif action == "withdrawn":
        title = _("Voorstel ingetrokken: %(kind)s is vervallen") % {"kind": kind}
    else:
        title = _("Maatregel: %(kind)s") % {"kind": kind}
    lines = [_("Belast: %(whom)s") % {"whom": str(BURDENS.get(detail.get("burdens"), "")).lower()}]
    if action == "recorded" and detail.get("burdens") == Measure.Burden.MELDER:
        lines.append(_("Gaat pas in als de melder instemt; de melder is gevraagd via het postvak."))
    return title, lines
