"""Plain words for minutes and meeting requests on the case's timeline (``behandelen.timeline``)."""

from django.utils.translation import gettext as _

from meldpunt.cases.models import CaseEvent
from meldpunt.verslagen.models import Minutes


def timeline_entry(event: CaseEvent) -> tuple[str, list[str]]:
    detail = event.detail
    if event.kind == CaseEvent.Kind.MEETING_REQUEST:
        lines = [_("Met een toelichting over wanneer de melder kan.")] if detail.get("note") else []
        return _("De melder vroeg om een persoonlijk gesprek (verzoek %(n)s)") % {"n": detail.get("number", "")}, lines
    action, number = detail.get("action"), detail.get("version", "")
    if action == "recorded":
        occasion = dict(Minutes.Occasion.choices).get(detail.get("occasion"), "")
        channel = dict(Minutes.Channel.choices).get(detail.get("channel"), "")
        lines = [f"{occasion} — {channel}"]
        if number:
            lines.append(_("Versie %(n)s ligt klaar voor de melder.") % {"n": number})
        if detail.get("recording"):
            lines.append(_("Met een opname, met toestemming van de melder."))
        if detail.get("meeting_request"):
            lines.append(_("Dit is het gesprek waarom de melder vroeg."))
        return _("Verslag vastgelegd"), lines
    if action == "version":
        lines = [_("Verwerkt de correctie van de melder.")] if detail.get("answers") else []
        return _("Nieuwe versie %(n)s van het verslag") % {"n": number}, lines
    if action == "correction":
        return _("De melder stelde een correctie voor op versie %(n)s van het verslag") % {"n": number}, []
    if action == "approved":
        return _("De melder keurde versie %(n)s van het verslag goed in het postvak") % {"n": number}, []
    if action == "approved_in_person":
        given_to = event.sealed.get("given_to", "")
        return _("Goedkeuring van versie %(n)s van het verslag, mondeling aan %(who)s") % {
            "n": number,
            "who": given_to,
        }, []
    return str(event.get_kind_display()), []
