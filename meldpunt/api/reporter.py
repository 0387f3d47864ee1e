"""The reporter's side of the API: send a report, open the inbox with the receipt code,
read it, reply and withdraw. Thin: the web forms validate, the case actions change,
and the rate limits are the web's (``meldpunt.throttle``)."""

import re

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Header, Router, Status
from ninja.responses import NinjaJSONEncoder

from meldpunt import throttle
from meldpunt.api import idempotency, problems
from meldpunt.api.auth import InboxSession, session_store
from meldpunt.api.form_schema import PERSON_FIELDS_NOTE, form_body, free_subject_fields
from meldpunt.api.output import deadlines_of, messages_of, parse_uuid
from meldpunt.api.schemas import Done, InboxLogin, InboxOut, InboxSessionOut, Problem, Submitted
from meldpunt.cases import actions, receipts
from meldpunt.cases.forms import MessageForm, ReceiptForm, ReportForm
from meldpunt.cases.models import Message, State
from meldpunt.cases.workflow import OPEN_STATES, TransitionNotAllowed
from meldpunt.melden import reporter_view, session, submissions
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


def _submitted(case, code) -> dict:
    return {"receipt_code": str(code), "received_at": case.received_at, "deadlines": deadlines_of(case)}


def _sent_before(organisation, key: str, digest: str, earlier):
    """The same Idempotency-Key again (meldpunt.api.idempotency): the same answer, or 409."""
    if not idempotency.same_request(earlier, digest):
        message = _(
            "Deze Idempotency-Key is al gebruikt voor een andere melding. Er is niets opgeslagen; gebruik voor elke "
            "nieuwe melding een nieuwe sleutel."
        )
        return problems.problem(
            problems.ALREADY_SENT, message, errors=[{"field": idempotency.HEADER, "detail": message}]
        )
    code = idempotency.receipt_code(earlier, organisation, key)
    if code is None:
        return problems.problem(
            problems.ALREADY_SENT,
            _(
                "Deze melding is al verstuurd en één keer opgeslagen. De ontvangstcode wordt na een half uur niet "
                "opnieuw getoond."
            ),
        )
    # Encoded as ninja encodes the first answer, so that both are the same, byte for byte.
    body = Submitted(**_submitted(earlier.case, code)).model_dump()
    response = JsonResponse(body, status=201, encoder=NinjaJSONEncoder)
    response["Idempotent-Replayed"] = "true"
    return response


@router.post(
    "/{org}/meldingen",
    response={201: Submitted, 400: Problem, 404: Problem, 409: Problem, 429: Problem},
    summary="Send a report",
    openapi_extra={
        "requestBody": form_body(
            ReportForm, leave_out={"search"}, extra=free_subject_fields(), description=PERSON_FIELDS_NOTE
        )
    },
)
def submit(
    request,
    org: str,
    idempotency_key: str | None = Header(
        None,
        alias=idempotency.HEADER,
        description=(
            "Optional, recommended: a new random value (a UUID) per report, 16 to 100 letters, digits, - or _. "
            "Sent again with the same request, the report is stored once and the answer is the same (201, "
            "Idempotent-Replayed: true) for half an hour; with another request it is 409. Keep it secret."
        ),
    ),
):
    """The public report form as an API: the same fields, the same validation, the same limits
    (attachments, reports per client and for the whole installation). The answer carries the
    receipt code, once; with an Idempotency-Key, a retry stores nothing twice."""
    organisation = _organisation(org)
    key = None
    if idempotency_key is not None:
        key = idempotency_key.strip()
        if not idempotency.KEY_SHAPE.fullmatch(key):
            message = _("Een Idempotency-Key is 16 tot 100 letters, cijfers, - of _, bijvoorbeeld een UUID.")
            return problems.invalid([{"field": idempotency.HEADER, "detail": message}])
        digest = idempotency.request_digest(request)
        earlier = idempotency.find(organisation, key)
        if earlier is not None:
            return _sent_before(organisation, key, digest, earlier)
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
    if key is None:
        case, code = actions.submit_report(organisation, form.report_input())
        return Status(201, _submitted(case, code))
    submissions.erase_expired_views()
    try:
        case, code = actions.submit_report(
            organisation, form.report_input(), on_stored=idempotency.claim(organisation, key, digest)
        )
    except submissions.AlreadySent:  # the same key twice at once: the other request stored it
        return _sent_before(organisation, key, digest, idempotency.find(organisation, key))
    return Status(201, _submitted(case, code))


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
    actions.record_reporter_read(case, what="inbox:api")
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
    response = attachment_response(found)
    actions.record_reporter_read(case, what=f"attachment:{found.public_id}")
    return response


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
