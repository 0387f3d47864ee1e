"""What the reporter reads in the inbox about their own case: the report as they
sent it, and a status text that follows what happened (issue 15, point 5)."""

from django.utils.translation import gettext as _

from meldpunt.cases.models import ContactContext, Message, Relation, State, SubjectLink, ToldBefore, Wish
from meldpunt.cases.workflow import CLOSED_STATES, EXPLANATION, REPORTER_PATH
from meldpunt.dates import long_date


def status_text(case, thread: list[Message]) -> str:
    """Plain words for where the case stands, from the state and the last messages."""
    if case.state in CLOSED_STATES:
        return str(EXPLANATION[case.state])
    written = [m for m in thread if m.author in (Message.Author.MELDER, Message.Author.BEHANDELAAR)]
    handler_wrote = any(m.author == Message.Author.BEHANDELAAR for m in written)
    last = written[-1] if written else None
    if last is not None and last.author == Message.Author.BEHANDELAAR:
        return _("Een behandelaar heeft u op %(day)s geantwoord. U leest het bericht hieronder.") % {
            "day": long_date(last.sent_at)
        }
    if last is not None and handler_wrote:
        return _("U stuurde op %(day)s een bericht. Een behandelaar leest het en antwoordt in dit postvak.") % {
            "day": long_date(last.sent_at)
        }
    if last is not None:
        return _(
            "U stuurde op %(day)s een bericht. Uiterlijk %(due)s neemt een behandelaar via dit postvak contact "
            "met u op."
        ) % {"day": long_date(last.sent_at), "due": long_date(case.acknowledgement_due)}
    if case.state not in (State.ONTVANGEN, State.ONTVANGSTBEVESTIGD):
        return str(EXPLANATION[case.state])
    return _("Uw melding is ontvangen. Uiterlijk %(due)s neemt een behandelaar via dit postvak contact met u op.") % {
        "due": long_date(case.acknowledgement_due)
    }


def step_path(case) -> dict:
    """Where the case stands on the reporter's path (``workflow.REPORTER_PATH``):
    each step with whether it is done, current or still to come; the plain
    words for the current step; and the step that comes next."""
    labels = dict(State.choices)
    here = REPORTER_PATH.index(case.state) if case.state in REPORTER_PATH else len(REPORTER_PATH)
    # A withdrawn or referred case left the path somewhere: no step is shown as done.
    finished = case.state in REPORTER_PATH or case.state == State.AFGESLOTEN
    steps = [
        {"label": labels[state], "done": finished and i < here, "current": i == here}
        for i, state in enumerate(REPORTER_PATH)
    ]
    # After the last step of the path (aftercare) the case is closed.
    following = REPORTER_PATH[here + 1] if here + 1 < len(REPORTER_PATH) else None
    if case.state == REPORTER_PATH[-1]:
        following = State.AFGESLOTEN
    return {
        "steps": steps,
        "on_path": case.state in REPORTER_PATH,
        "current": labels[case.state],
        "explanation": str(EXPLANATION[case.state]),
        "next": labels[following] if following else "",
    }


def submitted_report(case) -> dict:
    """The report as the reporter sent it, to re-read: never what staff added later.

    People the report named are the links that hold the reporter's own words
    (``SubjectLink.FROM_REPORT``: picked from the registry or typed, however
    they were resolved since); people a handler named afterwards are left out.
    A typed name is shown as typed, not as whom it was linked to.
    """
    content = case.content
    people = []
    for link in case.subjects.filter(origin__in=SubjectLink.FROM_REPORT).select_related("person").order_by("pk"):
        described = link.description()
        if not described and link.person is not None:
            people.append({"name": link.person.name, "role": link.get_role_display()})
        else:
            label = " · ".join(part for part in (described.get("name"), described.get("function")) if part)
            people.append({"name": label, "role": link.get_role_display()})
    return {
        "description": content.get("description", ""),
        "period_start": content.get("period_start", ""),
        "period_end": content.get("period_end", ""),
        "contact_context": dict(ContactContext.choices).get(content.get("contact_context"), ""),
        "told_before": dict(ToldBefore.choices).get(content.get("told_before"), ""),
        "told_before_details": content.get("told_before_details", ""),
        "relation": dict(Relation.choices).get(case.relation, ""),
        "anonymous": case.anonymous,
        "name": content.get("name", ""),
        "wishes": [dict(Wish.choices).get(w, w) for w in case.wishes],
        "people": people,
        "attachments": list(case.attachments.filter(message__isnull=True)),
    }
