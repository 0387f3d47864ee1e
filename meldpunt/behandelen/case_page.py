"""What the case page shows a handler: the timeline, the current step and the
steps that can follow (each with a form asking exactly what it needs, and what
is still missing before it can be taken), the owner, and the forms for
timeline entries. A form sent with a mistake comes back bound, with its
messages and what was typed."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from meldpunt.behandelen import forms as case_forms
from meldpunt.behandelen.pattern_views import case_page_context
from meldpunt.behandelen.timeline import timeline
from meldpunt.cases import actions
from meldpunt.cases.forms import SubjectForm
from meldpunt.cases.models import Case, CaseEvent, SubjectLink
from meldpunt.cases.ownership import may_own, owner_label
from meldpunt.cases.workflow import (
    ACKNOWLEDGED,
    AFTERCARE,
    FEEDBACK,
    OPEN_STATES,
    STAFF,
    STAFF_MESSAGE_STATES,
    available_steps,
    missing,
)
from meldpunt.notifications import service as notification_service
from meldpunt.registry.models import Person

# Needs that are facts of the case (recorded elsewhere), not input of the step,
# with the part of the page where they are recorded.
RECORDED_ELSEWHERE = {
    FEEDBACK: [
        ("bericht", _("Bericht als terugkoppeling sturen")),
        ("gesprek", _("Gesprek met de melder vastleggen")),
    ],
    AFTERCARE: [("nazorg", _("Nazorgaanbod vastleggen"))],
    ACKNOWLEDGED: [("stappen", _("Ontvangst bevestigen"))],
}


def accused_people(case) -> list[Person]:
    links = case.subjects.filter(role=SubjectLink.Role.BESCHULDIGDE, person__isnull=False).select_related("person")
    return [link.person for link in links]


def owner_choices(case) -> list[Person]:
    return [person for person in notification_service.handlers_who_may_open(case) if may_own(person, case)]


def accused_left_form(data, case):
    people = Person.objects.filter(organisation=case.organisation)
    return case_forms.AccusedLeftForm(data, organisation_people=people, accused=accused_people(case))


def owner_form(case, data=None):
    return case_forms.OwnerForm(
        data,
        initial={"owner": case.owner_id},
        organisation_people=Person.objects.filter(organisation=case.organisation),
        eligible=owner_choices(case),
        team_label=owner_label_for_team(case),
    )


def blank_forms(case) -> dict:
    return {
        "subject": SubjectForm(organisation=case.organisation),
        "message": case_forms.StaffMessageForm(),
        "note": case_forms.NoteForm(),
        "hearing": case_forms.HearingForm(),
        "conversation": case_forms.ConversationForm(),
        "aftercare": case_forms.AftercareForm(),
        "left": accused_left_form(None, case),
        "owner": owner_form(case),
    }


def owner_label_for_team(case) -> str:
    """ "Integriteitsbureau (team)": who owns a case no handler has picked up."""
    return owner_label(Case(organisation=case.organisation))


def step_forms(case, bound=None) -> list:
    """One form per step a handler can take now, with what it still needs from
    elsewhere (feedback, an aftercare offer) and where that is recorded."""
    facts = actions.case_facts(case)
    result = []
    for step in available_steps(case.state, by=STAFF):
        form = bound if bound is not None and bound.step.name == step.name else case_forms.StepForm(step=step)
        still = missing(step, facts)
        form.still_missing = [
            {"message": message, "links": RECORDED_ELSEWHERE[need]}
            for need, message in still.items()
            if need in RECORDED_ELSEWHERE
        ]
        result.append(form)
    return result


def typed_with_step(request) -> str:
    """What was typed with a step that could not be taken at all, shown to copy."""
    typed = (request.POST.get(name, "").strip() for name in ("reason", "referred_to"))
    return "\n\n".join(text for text in typed if text)


def render_case(request, case, *, handles: bool, bound: dict | None = None, step_error: str = "", status=200):
    """The case page; ``bound`` replaces blank forms by the one that was sent."""
    bound = bound or {}
    forms = {**blank_forms(case), **bound} if handles else {}
    left = case.events.filter(kind=CaseEvent.Kind.ACCUSED_LEFT).select_related("person")
    context = {
        "case": case,
        "content": case.content,
        "labels": case.content_labels(),
        "subjects": case.subjects.select_related("person"),
        "messages_thread": case.messages.prefetch_related("attachments"),
        "attachments": case.attachments.all(),
        "form": forms.get("message"),
        "forms": forms,
        "step_forms": step_forms(case, bound.get("step")) if handles else [],
        "step_error": step_error,
        "step_text": typed_with_step(request) if step_error else "",
        "handles": handles,
        "is_open": case.state in OPEN_STATES,
        "may_message": case.state in STAFF_MESSAGE_STATES,
        "routing": case.routing_decisions.prefetch_related("recipients__person").select_related("version").first(),
        "subject_form": forms.get("subject"),
        "timeline": timeline(case, owner_label_for_team(case)),
        "notes": case.events.filter(kind=CaseEvent.Kind.NOTE).select_related("staff_user").order_by("-at", "-pk"),
        "owner": owner_label(case),
        "owned_by_me": case.owner_id == request.staff.person_id,
        "left_names": sorted({event.person.name for event in left if event.person_id}),
        # How each person was linked, open proposals and earlier cases about the accused (issue 12).
        **case_page_context(request, case, handles),
    }
    return render(request, "behandelen/case.html", context, status=status)
