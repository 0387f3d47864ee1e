"""The staff side of the API, for a personal API token. Thin: ``meldpunt.cases.access``
decides what the token's owner may see and change (a case they may not see is
"not found", exactly like one that does not exist), the case actions change."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from meldpunt.api import problems
from meldpunt.api.auth import StaffToken
from meldpunt.api.form_schema import form_body
from meldpunt.api.output import attachment_out, deadlines_of, messages_of, parse_uuid
from meldpunt.api.schemas import CaseOut, CaseSummary, Done, MessageOut, NotificationOut, Problem, StepIn
from meldpunt.cases import actions
from meldpunt.cases.access import access_case, access_case_for_handling, cases_visible_to, may_handle
from meldpunt.cases.forms import MessageForm
from meldpunt.cases.models import Message
from meldpunt.cases.workflow import STAFF, MessageNotAllowed, StepIncomplete, TransitionNotAllowed, available_steps
from meldpunt.maatregelen.api import measures_out
from meldpunt.melden.views import attachment_response
from meldpunt.notifications import service as notification_service

router = Router(tags=["medewerkers"], auth=StaffToken())
LIST_LIMIT = 200


def _summary(case) -> dict:
    return {
        "reference": case.reference,
        "kind": case.kind,
        "channel": case.channel,
        "state": case.state,
        "received_at": case.received_at,
        "deadlines": deadlines_of(case),
    }


def _subjects(case) -> list[dict]:
    subjects = []
    for link in case.subjects.select_related("person"):
        if link.person is not None:
            subjects.append({"role": link.role, "name": link.person.name, "registry_id": link.person.pk})
        else:
            described = link.description()
            subjects.append(
                {"role": link.role, "name": described.get("name", ""), "function": described.get("function", "")}
            )
        # fmt: skip
    return subjects


def _next_steps(staff, case) -> list[dict]:
    """The lifecycle steps this caller may take now: the case page's buttons."""
    if not may_handle(staff):
        return []
    return [
        {"name": s.name, "label": str(s.label), "needs": sorted(s.needs)} for s in available_steps(case.state, by=STAFF)
    ]


def _read(request, reference: str, what: str = "case"):
    """The case for reading (404 as on the pages), its reading audited like the case page's."""
    case = access_case(request.staff, reference)
    actions.record_read(request.staff.user, case, what=what)
    return case


@router.get("/zaken", response={200: list[CaseSummary], 401: Problem}, summary="The cases you may see")
def case_list(request):
    """Newest first, at most 200: the same cases as your case list on the staff pages."""
    cases = cases_visible_to(request.staff).order_by("-received_at", "-pk")[:LIST_LIMIT]
    return [_summary(case) for case in cases]


@router.get("/zaken/{reference}", response={200: CaseOut, 401: Problem, 404: Problem}, summary="A case")
def case_detail(request, reference: str):
    case = _read(request, reference)
    notification_service.case_opened(request.staff.person, case)
    return {
        **_summary(case),
        "relation": case.relation,
        "anonymous": case.anonymous,
        "wishes": case.wishes,
        "content": {name: str(value) for name, value in case.content.items()},
        "subjects": _subjects(case),
        "attachments": [attachment_out(a) for a in case.attachments.all()],
        "next_steps": _next_steps(request.staff, case),
        "measures": measures_out(case),
    }


@router.get(
    "/zaken/{reference}/berichten",
    response={200: list[MessageOut], 401: Problem, 404: Problem},
    summary="The messages of a case",
)
def case_messages(request, reference: str):
    case = _read(request, reference, what="messages")
    return messages_of(case.messages.prefetch_related("attachments"))


@router.post(
    "/zaken/{reference}/berichten",
    response={201: Done, 400: Problem, 401: Problem, 404: Problem, 409: Problem},
    summary="Send the reporter a message",
    openapi_extra={"requestBody": form_body(MessageForm)},
)
def send_message(request, reference: str):
    """Handlers only (others get 404, as on the pages)."""
    case = access_case_for_handling(request.staff, reference)
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        return problems.invalid(problems.field_errors(form))
    try:
        actions.post_message(
            case,
            Message.Author.BEHANDELAAR,
            form.cleaned_data["body"],
            staff_user=request.staff.user,
            files=form.cleaned_data["files"],
        )
    except MessageNotAllowed:
        return problems.problem(
            problems.CONFLICT, _("De melder heeft deze melding ingetrokken; u kunt geen bericht meer sturen.")
        )
    return Status(201, {"detail": _("Uw bericht staat in het postvak van de melder.")})


@router.post(
    "/zaken/{reference}/stappen",
    response={200: CaseSummary, 400: Problem, 401: Problem, 404: Problem, 409: Problem},
    summary="Take a lifecycle step",
)
def take_step(request, reference: str, payload: StepIn):
    """Handlers only (others get 404, as on the pages): the same action as the case page's step buttons
    (``cases.actions.take_step``). A step that cannot be taken from the case's state is 409; what a step
    still needs (a reason, an outcome, ...) is 400 naming the field."""
    case = access_case_for_handling(request.staff, reference)
    given = actions.StepInput(
        reason=payload.reason,
        outcome=payload.outcome,
        referred_to=payload.referred_to,
        investigation=payload.investigation,
    )
    try:
        actions.take_step(case, payload.step, given, staff_user=request.staff.user)
    except TransitionNotAllowed:
        message = _("Deze stap is vanuit de huidige status niet mogelijk.")
        return problems.problem(problems.CONFLICT, message, errors=[{"field": "step", "detail": message}])
    except StepIncomplete as incomplete:
        fields = set(actions.StepInput.__dataclass_fields__)
        return problems.invalid(
            [{"field": need if need in fields else "", "detail": str(text)} for need, text in incomplete.errors.items()]
        )
    return _summary(case)


@router.get(
    "/zaken/{reference}/bijlagen/{attachment_id}",
    response={200: bytes, 401: Problem, 404: Problem},
    summary="Download an attachment of a case",
    openapi_extra={"responses": {200: {"description": "The file, as a download", "content": {"*/*": {}}}}},
)
def case_attachment(request, reference: str, attachment_id: str):
    case = access_case(request.staff, reference)
    found = case.attachments.filter(public_id=parse_uuid(attachment_id)).first() if parse_uuid(attachment_id) else None
    if found is None:
        raise Http404
    actions.record_read(request.staff.user, case, what=f"attachment:{found.public_id}")
    return attachment_response(found)


@router.get(
    "/notificaties",
    response={200: list[NotificationOut], 401: Problem},
    summary="Your notifications",
)
def notifications(request):
    """As on the notifications page: only about cases you may still open; reading marks nothing read."""
    mine = notification_service.visible_notifications(request.staff)[:LIST_LIMIT]
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "reason": n.reason,
            "case": n.case.reference if n.case else None,
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in mine
    ]
