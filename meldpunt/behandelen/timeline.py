"""The case's history for its handlers, in plain words: one entry per
``CaseEvent`` (steps with from and to, who, when and why; notes, hearings,
conversations, aftercare offers, owner changes, the accused leaving,
reminders and escalations). Staff pages only: none of this reaches the reporter."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from meldpunt.cases.models import CaseEvent, Investigation, Outcome, State
from meldpunt.cases.workflow import STEPS_BY_NAME
from meldpunt.registry.models import EndReason

STATES = dict(State.choices)


@dataclass
class Entry:
    kind: str
    at: object
    who: str
    title: str
    text: str = ""
    lines: list[str] = field(default_factory=list)
    occurred_on: object = None


def who(event: CaseEvent) -> str:
    if event.staff_user is not None:
        return event.staff_user.get_username()
    if event.actor == "melder":
        return _("de melder")
    return _("Meldpunt (automatisch)")


def _step_title(event: CaseEvent) -> str:
    if not event.from_state:
        return _("Ontvangen")
    step = STEPS_BY_NAME.get(event.step)
    label = str(step.label) if step else event.step
    return _("%(step)s: van %(from)s naar %(to)s") % {
        "step": label,
        "from": STATES.get(event.from_state, event.from_state),
        "to": STATES.get(event.to_state, event.to_state),
    }


def _step_lines(event: CaseEvent) -> list[str]:
    lines = []
    if event.outcome:
        lines.append(_("Uitkomst: %(outcome)s") % {"outcome": Outcome(event.outcome).label})
    if event.detail.get("investigation"):
        lines.append(str(Investigation(event.detail["investigation"]).label))
    if event.sealed.get("referred_to"):
        lines.append(_("Doorverwezen naar: %(to)s") % {"to": event.sealed["referred_to"]})
    return lines


def _owner_title(event: CaseEvent, team: str) -> str:
    name = event.person.name if event.person_id else team
    if event.detail.get("why") == "owner_unavailable":
        return _("Terug naar %(team)s: de eigenaar kan de zaak niet meer behandelen") % {"team": team}
    return _("Eigenaar: %(name)s") % {"name": name}


def _escalation(detail: dict) -> tuple[str, list[str]]:
    """A reminder (round 0) or escalation (round 1, 2, ...) the sweep sent (``escalation.sweep``)."""
    from meldpunt.escalation.models import KIND_CHOICES

    deadline = str(dict(KIND_CHOICES).get(detail.get("deadline"), detail.get("deadline", "")))
    deadline = deadline[:1].lower() + deadline[1:]
    round_number = detail.get("round", 0)
    if round_number:
        title = _("Escalatie %(round)s: %(deadline)s is over tijd") % {"round": round_number, "deadline": deadline}
    else:
        title = _("Herinnering: %(deadline)s nadert") % {"deadline": deadline}
    lines = [_("Ontvangers: %(count)s") % {"count": detail.get("recipients", 0)}]
    if detail.get("external"):
        lines.append(_("en per e-mail aan het externe adres"))
    return title, lines


def entry(event: CaseEvent, team: str) -> Entry:
    kind = event.kind
    title, lines = str(event.get_kind_display()), []
    if kind == CaseEvent.Kind.STEP:
        title, lines = _step_title(event), _step_lines(event)
    elif kind == CaseEvent.Kind.OWNER:
        title = _owner_title(event, team)
    elif kind == CaseEvent.Kind.HEARING:
        lines = [_("Gehoord door: %(name)s") % {"name": event.sealed.get("heard_by", "")}]
    elif kind == CaseEvent.Kind.CONVERSATION:
        lines = [_("Gesprek gevoerd door: %(name)s") % {"name": event.sealed.get("held_by", "")}]
        if event.detail.get("feedback"):
            lines.append(_("Hierin kreeg de melder de inhoudelijke terugkoppeling."))
    elif kind == CaseEvent.Kind.ACCUSED_LEFT:
        reason = event.detail.get("reason", "")
        title = _("Vertrek van %(name)s (%(reason)s)") % {
            "name": event.person.name if event.person_id else "?",
            "reason": EndReason(reason).label.lower() if reason in EndReason.values else reason,
        }
        lines = [_("Het vertrek beëindigt de zaak niet.")]
    elif kind == CaseEvent.Kind.ESCALATION:
        title, lines = _escalation(event.detail)
    elif kind == CaseEvent.Kind.MEASURE:
        from meldpunt.maatregelen.wording import timeline_entry

        title, lines = timeline_entry(event.detail)
    elif kind in (CaseEvent.Kind.MINUTES, CaseEvent.Kind.MEETING_REQUEST):
        from meldpunt.verslagen.wording import timeline_entry as minutes_entry

        title, lines = minutes_entry(event)
    return Entry(kind, event.at, who(event), title, event.text, lines, event.occurred_on)


def timeline(case, team: str) -> list[Entry]:
    events = case.events.select_related("staff_user", "person").order_by("at", "pk")
    return [entry(event, team) for event in events]
