"""Audit events in plain words for staff pages: the one place that maps
action codes (``case.read``) to phrases ("Zaak geopend door Ingrid Vos").

The stored events keep their codes (the hash chain covers them); pages show
``describe_events``. An action without a phrase here is still shown, as
"Handeling vastgelegd", so nothing disappears from the log.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.cases.models import Channel, Kind, Message, State

ACTIONS = {
    "case.created": gettext_lazy("%(kind)s ontvangen via %(channel)s, vastgelegd door %(actor)s"),
    "case.number_unused": gettext_lazy("Zaaknummer niet gebruikt: de melding kon niet worden opgeslagen"),
    "case.behaviour_assessed": gettext_lazy("Soort gedrag beoordeeld door %(actor)s"),
    "figures.viewed": gettext_lazy("Cijfers voor de raad bekeken door %(actor)s"),
    "figures.exported": gettext_lazy("Cijfers voor de raad gedownload door %(actor)s"),
    "case.read": gettext_lazy("Zaak geopend door %(actor)s"),
    "case.read.attachment": gettext_lazy("Bijlage geopend door %(actor)s"),
    "case.read.audit-trail": gettext_lazy("Logboek geopend door %(actor)s"),
    "case.routed": gettext_lazy("Verdeeld volgens protocol versie %(protocol)s %(trigger)s"),
    "case.state_changed": gettext_lazy("Status gewijzigd van „%(from)s” naar „%(to)s” door %(actor)s"),
    "case.subject_added.beschuldigde": gettext_lazy("Persoon over wie de melding gaat toegevoegd door %(actor)s"),
    "case.subject_added.betrokkene": gettext_lazy("Betrokkene of getuige toegevoegd door %(actor)s"),
    "case.subject_confirmed": gettext_lazy("Voorgestelde koppeling bevestigd door %(actor)s"),
    "case.subject_rejected": gettext_lazy("Voorgestelde koppeling afgewezen door %(actor)s"),
    "case.subject_corrected": gettext_lazy("Koppeling gecorrigeerd door %(actor)s"),
    "case.read.timeline": gettext_lazy("Tijdlijn van een persoon geopend door %(actor)s"),
    "case.note_added": gettext_lazy("Interne notitie toegevoegd door %(actor)s"),
    "case.hearing_recorded": gettext_lazy("Hoor en wederhoor vastgelegd door %(actor)s"),
    "case.conversation_recorded": gettext_lazy("Gesprek met de melder vastgelegd door %(actor)s"),
    "minutes.recorded": gettext_lazy("Verslag van een gesprek met de melder vastgelegd door %(actor)s"),
    "minutes.version_written": gettext_lazy("Nieuwe versie van een verslag geschreven door %(actor)s"),
    "minutes.correction_proposed": gettext_lazy("Correctie op een verslag voorgesteld door %(actor)s"),
    "minutes.approved": gettext_lazy("Verslag goedgekeurd door de melder, vastgelegd door %(actor)s"),
    "case.meeting_requested": gettext_lazy("Persoonlijk gesprek aangevraagd door %(actor)s"),
    "case.aftercare_offered": gettext_lazy("Aanbod van nazorg vastgelegd door %(actor)s"),
    "case.support_answered": gettext_lazy("Antwoord van de melder op het aanbod van steun"),
    "case.disadvantage_answered": gettext_lazy("Antwoord van de melder over benadeling"),
    "organisation.support_option_saved": gettext_lazy("Steunaanbod opgeslagen door %(actor)s"),
    "organisation.aftercare_settings_changed": gettext_lazy("Vraag naar benadeling ingesteld door %(actor)s"),
    "case.accused_left": gettext_lazy("Vertrek van de beschuldigde vastgelegd door %(actor)s"),
    "case.owner_changed": gettext_lazy("Eigenaar van de zaak gewijzigd door %(actor)s"),
    "case.erasure_requested": gettext_lazy("De melder vroeg bij het intrekken om het wissen van de identiteit"),
    "case.reminded": gettext_lazy("Herinnering gestuurd: %(deadline)s nadert"),
    "case.escalated": gettext_lazy("Escalatie %(round)s gestuurd: %(deadline)s is over tijd"),
    "message.sent.melder": gettext_lazy("Bericht van de melder"),
    "message.sent": gettext_lazy("Bericht aan de melder gestuurd door %(actor)s"),
    "measure.recorded": gettext_lazy("Maatregel vastgelegd door %(actor)s"),
    "measure.taken": gettext_lazy("Maatregel genomen, vastgelegd door %(actor)s"),
    "measure.withdrawn": gettext_lazy("Voorstel van een maatregel ingetrokken door %(actor)s"),
    "measure.consent_given": gettext_lazy("Instemming van de melder met een maatregel, vastgelegd door %(actor)s"),
    "measure.consent_refused": gettext_lazy("De melder ging niet akkoord met een maatregel, vastgelegd door %(actor)s"),
    # The trail itself, accounts, notifications, registry and protocol (the auditor's page shows them all).
    "case.read.inbox": gettext_lazy("Melding gelezen door de melder in het postvak"),
    "case.read.proof-document": gettext_lazy(
        "Ingediende melding (bij het bewijs van indiening) gedownload door de melder"
    ),
    "case.read.audit-history": gettext_lazy("Toegangsgeschiedenis van de zaak bekeken door %(actor)s"),
    "audit.keyed": gettext_lazy("Logboek voortaan verzegeld met de auditsleutel"),
    "audit.read": gettext_lazy("Auditlogboek bekeken door %(actor)s"),
    "audit.exported": gettext_lazy("Auditlogboek gedownload als CSV door %(actor)s"),
    "audit.checkpoint_made": gettext_lazy("Controlepunt van het logboek gemaakt door %(actor)s"),
    "audit.checkpoint_exported": gettext_lazy("Controlepunt van het logboek gedownload door %(actor)s"),
    "account.login": gettext_lazy("Ingelogd: %(actor)s"),
    "account.login_failed": gettext_lazy("Mislukte inlogpoging op %(account)s"),
    "account.created": gettext_lazy("Inlog aangemaakt door %(actor)s"),
    "account.deactivated": gettext_lazy("Inlog uitgeschakeld door %(actor)s"),
    "account.reactivated": gettext_lazy("Inlog weer ingeschakeld door %(actor)s"),
    "account.setup_completed": gettext_lazy("Inlog ingesteld door %(actor)s"),
    "account.second_factor_reset": gettext_lazy("Tweede factor opnieuw ingesteld door %(actor)s"),
    "account.setup_link_renewed": gettext_lazy("Nieuwe instellink gemaakt door %(actor)s"),
    "account.recovery_code_used": gettext_lazy("Ingelogd met een herstelcode: %(actor)s"),
    "account.recovery_codes_replaced": gettext_lazy("Nieuwe herstelcodes gemaakt door %(actor)s"),
    "account.passkey_added": gettext_lazy("Passkey toegevoegd door %(actor)s"),
    "account.passkey_removed": gettext_lazy("Passkey verwijderd door %(actor)s"),
    "account.api_token_created": gettext_lazy("API-token gemaakt door %(actor)s"),
    "account.api_token_revoked": gettext_lazy("API-token ingetrokken door %(actor)s"),
    "api.token_refused": gettext_lazy("API-token geweigerd"),
    "notification.emailed": gettext_lazy("Notificatie per e-mail verstuurd"),
    "protocol.saved": gettext_lazy("Nieuwe protocolversie opgeslagen door %(actor)s"),
    "registry.person.created": gettext_lazy("Persoon toegevoegd aan het register door %(actor)s"),
    "registry.person.changed": gettext_lazy("Persoon in het register gewijzigd door %(actor)s"),
    "registry.position.created": gettext_lazy("Functie toegevoegd aan het register door %(actor)s"),
    "registry.position.changed": gettext_lazy("Functie in het register gewijzigd door %(actor)s"),
    "registry.appointment.created": gettext_lazy("Benoeming vastgelegd door %(actor)s"),
    "registry.appointment.ended": gettext_lazy("Benoeming beëindigd door %(actor)s"),
    "registry.conflict_added": gettext_lazy("Belangenconflict vastgelegd door %(actor)s"),
    "registry.conflict_removed": gettext_lazy("Belangenconflict verwijderd door %(actor)s"),
    "registry.imported": gettext_lazy("Register geïmporteerd door %(actor)s"),
    "organisation.created": gettext_lazy("Organisatie aangemaakt door %(actor)s"),
    "organisation.deadlines_changed": gettext_lazy("Termijnen gewijzigd door %(actor)s"),
    "organisation.pattern_threshold_changed": gettext_lazy("Drempel voor patronen gewijzigd door %(actor)s"),
}
UNKNOWN = gettext_lazy("Handeling vastgelegd door %(actor)s")

TRIGGERS = {
    "submitted": gettext_lazy("bij binnenkomst"),
    "reclassified": gettext_lazy("na het opnieuw indelen"),
}
OTHER_TRIGGER = gettext_lazy("na een wijziging in het register of het protocol")

REPORTER = "melder"
SYSTEM = "system"


@dataclass
class DescribedEvent:
    at: object
    actor: str
    phrase: str


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def staff_names(actors: set[str]) -> dict[str, str]:
    """``staff:<username>`` → the person's name in the registry (else the username)."""
    usernames = {a.split(":", 1)[1] for a in actors if a.startswith("staff:")}
    users = get_user_model().objects.filter(username__in=usernames).select_related("staff_account__person")
    names = {}
    for user in users:
        account = getattr(user, "staff_account", None)
        names[f"staff:{user.get_username()}"] = account.person.name if account else user.get_username()
    return names


def actor_name(actor: str, names: dict[str, str]) -> str:
    if actor == REPORTER:
        return _("de melder")
    if actor == SYSTEM or not actor:
        return _("Meldpunt")
    if actor == "unknown":
        return _("onbekend")
    if actor == "api":
        return _("een API-aanroep")
    return names.get(actor, actor.split(":", 1)[-1])


def phrase(action: str, detail: dict, actor: str) -> str:
    values = {"actor": actor}
    key = action
    if action == "case.read":
        what = str(detail.get("what", "case")).split(":", 1)[0]
        key = f"case.read.{what}" if f"case.read.{what}" in ACTIONS else action
    elif action == "case.created":
        values |= {
            "kind": _label(Kind.choices, detail.get("kind")),
            "channel": _label(Channel.choices, detail.get("channel")).lower(),
        }
    elif action == "case.routed":
        values |= {
            "protocol": detail.get("protocol", "?"),
            "trigger": TRIGGERS.get(detail.get("trigger"), OTHER_TRIGGER),
        }
    elif action == "case.state_changed":
        values |= {"from": _label(State.choices, detail.get("from")), "to": _label(State.choices, detail.get("to"))}
    elif action in ("case.reminded", "case.escalated"):
        from meldpunt.escalation.models import KIND_CHOICES

        values |= {"deadline": _label(KIND_CHOICES, detail.get("deadline")).lower(), "round": detail.get("round", "")}
    elif action == "account.login_failed":
        account = detail.get("account")
        values["account"] = account.split(":", 1)[-1] if account else _("een onbekende gebruikersnaam")
    elif action == "case.subject_added":
        key = f"case.subject_added.{detail.get('role')}"
    elif action == "message.sent" and detail.get("author") == Message.Author.MELDER:
        key = "message.sent.melder"
    template = ACTIONS.get(key, UNKNOWN)
    return str(template) % values


def describe_events(events) -> list[DescribedEvent]:
    events = list(events)
    names = staff_names({e.actor for e in events})
    return [
        DescribedEvent(e.at, actor_name(e.actor, names), phrase(e.action, e.detail or {}, actor_name(e.actor, names)))
        for e in events
    ]
