"""The reporter's side of the API: send a report, open the inbox with the receipt code,
read it, reply and withdraw. Thin: the web forms validate, the case actions change,
and the rate limits are the web's (``meldpunt.throttle``)."""

import re

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status

from meldpunt import throttle
from meldpunt.api import problems
from meldpunt.api.auth import InboxSession, session_store
from meldpunt.api.form_schema import PERSON_FIELDS_NOTE, form_body, free_subject_fields
from meldpunt.api.output import deadlines_of, messages_of, parse_uuid
from meldpunt.api.schemas import Done, InboxLogin, InboxOut, InboxSessionOut, Problem, Submitted
from meldpunt.cases import actions, receipts
from meldpunt.cases.forms import MessageForm, ReceiptForm, ReportForm
from meldpunt.cases.models import Message, State
from meldpunt.cases.workflow import OPEN_STATES, TransitionNotAllowed
from meldpunt.melden import reporter_view, session
from meldpunt.melden.views import attachment_response
from meldpunt.organisations.models import Organisation

router = Router(tags=["melder"])
inbox_auth = InboxSession()


_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def _organisation(slug: str) -> Organisation:
    """The organisation of the path, or 404 (also for what cannot be a slug, such as a NUL
    character, which PostgreSQL would refuse to compare)."""
    if not _SLUG.fullmatch(slug):
        raise Http404
    return get_object_or_404(Organisation, slug=slug)


def _refused(until):
    return problems.too_many(until)


@router.post(
    "/{org}/meldingen",
    response={201: Submitted, 400: Problem, 404: Problem, 429: Problem},
    summary="Send a report",
    openapi_extra={
        "requestBody": form_body(
            ReportForm, leave_out={"search"}, extra=free_subject_fields(), description=PERSON_FIELDS_NOTE
        )
    },
)
def submit(request, org: str):
    """The public report form as an API: the same fields, the same validation, the same limits
    (attachments, reports per client and for the whole installation). The answer carries the
    receipt code, once."""
    organisation = _organisation(org)
    form = ReportForm(request.POST, request.FILES, organisation=organisation)
    if not form.is_valid():
        return problems.invalid(problems.field_errors(form))
    if form.cleaned_data["search"].strip():
        # The web form's search box has no round trip here; refuse rather than drop what was sent.
        message = _("Zoeken kan alleen in het webformulier. Noem personen met persoon_<id> of vrij_naam_N.")
        return problems.invalid([{"field": "search", "detail": message}])
    refused_until = throttle.report_submission_refused_until(request)
    if refused_until:
        return _refused(refused_until)
    case, code = actions.submit_report(organisation, form.report_input())
    return Status(201, {"receipt_code": str(code), "received_at": case.received_at, "deadlines": deadlines_of(case)})


@router.post(
    "/{org}/postvak/sessies",
    response={201: InboxSessionOut, 400: Problem, 404: Problem, 429: Problem},
    summary="Open the inbox with the receipt code",
)
def inbox_login(request, org: str, payload: InboxLogin):
    """Counts as one receipt-code attempt against the same limits as the inbox page."""
    organisation = _organisation(org)
    form = ReceiptForm({"code": payload.code})
    if not form.is_valid():
        return problems.invalid(problems.field_errors(form))
    refused_until = throttle.receipt_attempt_refused_until(request)
    if refused_until:
        return _refused(refused_until)
    case = receipts.find_case(organisation, form.cleaned_data["code"])
    if case is None:
        message = _("Met deze code kunnen wij geen melding openen. Controleer de cijfers en probeer het opnieuw.")
        return problems.invalid([{"field": "code", "detail": message}])
    store = session_store()
    session.start_inbox(store, case)
    store.create()
    return Status(201, {"token": store.session_key, "idle_seconds": session.REPORTER_IDLE_SECONDS})


class InboxClosed(Exception):
    """The inbox token opens no inbox of this organisation (any more): answered as 401."""


def _inbox_case(request, org: str):
    """The case whose inbox the caller's session holds open for this organisation."""
    organisation = _organisation(org)
    store = request.auth
    case = session.case_in(store, organisation)
    if case is None:
        raise InboxClosed
    store.save()
    return case


def inbox_closed(request, exc):
    return problems.problem(
        problems.UNAUTHENTICATED,
        _("Het postvak is gesloten. Open het opnieuw met uw ontvangstcode."),
        headers={"WWW-Authenticate": "Bearer"},
    )


@router.get(
    "/{org}/postvak",
    response={200: InboxOut, 401: Problem, 404: Problem},
    auth=inbox_auth,
    summary="Read the inbox",
)
def inbox(request, org: str):
    case = _inbox_case(request, org)
    thread = list(case.messages.prefetch_related("attachments"))
    return {
        "state": case.state,
        "state_label": str(State(case.state).label),
        "explanation": reporter_view.status_text(case, thread),
        "can_write": case.state in OPEN_STATES,
        "received_at": case.received_at,
        "deadlines": deadlines_of(case),
        "description": reporter_view.submitted_report(case)["description"],
        "messages": messages_of(thread),
    }


@router.post(
    "/{org}/postvak/berichten",
    response={201: Done, 400: Problem, 401: Problem, 404: Problem, 409: Problem},
    auth=inbox_auth,
    summary="Reply in the inbox",
    openapi_extra={"requestBody": form_body(MessageForm)},
)
def reply(request, org: str):
    case = _inbox_case(request, org)
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        return problems.invalid(problems.field_errors(form))
    try:
        actions.post_message(case, Message.Author.MELDER, form.cleaned_data["body"], files=form.cleaned_data["files"])
    except actions.ClosedForReporter:
        return problems.problem(
            problems.CONFLICT, _("Deze melding is afgesloten of ingetrokken; u kunt niets meer toevoegen.")
        )
    return Status(
        201, {"detail": _("Uw bericht is verstuurd. Het staat hieronder bij de berichten; een behandelaar leest het.")}
    )


@router.post(
    "/{org}/postvak/intrekken",
    response={200: Done, 401: Problem, 404: Problem, 409: Problem},
    auth=inbox_auth,
    summary="Withdraw the report",
)
def withdraw(request, org: str):
    case = _inbox_case(request, org)
    try:
        actions.withdraw(case)
    except TransitionNotAllowed:
        return problems.problem(
            problems.CONFLICT, _("Deze melding is afgesloten of ingetrokken; u kunt niets meer toevoegen.")
        )
    return {"detail": str(reporter_view.status_text(case, []))}


@router.get(
    "/{org}/postvak/bijlagen/{attachment_id}",
    response={200: bytes, 401: Problem, 404: Problem},
    auth=inbox_auth,
    summary="Download an attachment of the inbox",
    openapi_extra={"responses": {200: {"description": "The file, as a download", "content": {"*/*": {}}}}},
)
def inbox_attachment(request, org: str, attachment_id: str):
    case = _inbox_case(request, org)
    found = case.attachments.filter(public_id=parse_uuid(attachment_id)).first()
    if found is None:
        return problems.not_found()
    return attachment_response(found)


@router.delete(
    "/{org}/postvak/sessie",
    response={200: Done, 401: Problem, 404: Problem},
    auth=inbox_auth,
    summary="Close the inbox",
)
def inbox_logout(request, org: str):
    _organisation(org)
    request.auth.flush()
    return {"detail": _("Het postvak is gesloten. Open het opnieuw met uw ontvangstcode.")}
