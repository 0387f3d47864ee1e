"""The reporter's pages: no account, no JavaScript needed, no tracking."""

import io
import math

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meldpunt import throttle
from meldpunt.cases import actions, receipts
from meldpunt.cases.form_flow import report_form_step
from meldpunt.cases.forms import MessageForm, ReceiptForm, ReportForm
from meldpunt.cases.models import Message
from meldpunt.cases.workflow import OPEN_STATES, TransitionNotAllowed
from meldpunt.melden import reporter_view, session, submissions
from meldpunt.organisations.models import Organisation


def organisation_list(request):
    organisations = Organisation.objects.all()
    if len(organisations) == 1:
        return redirect("melden:start", org=organisations[0].slug)
    return render(request, "melden/organisations.html", {"organisations": organisations})


def _organisation(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


def start(request, org):
    return render(request, "melden/start.html", {"organisation": _organisation(org)})


def report(request, org):
    """The report form. Sent, it stores one report per form (its one-time
    token, ``melden.submissions``) and redirects to the receipt page."""
    organisation = _organisation(org)
    token = submissions.token_for_form(request)
    if request.method == "POST" and request.POST.get("action") != "zoek":
        earlier = submissions.find(organisation, submissions.posted_token(request))
        if earlier is not None:
            return _already_sent(request, organisation, earlier, token)
    extra = {submissions.TOKEN_FIELD: token}
    form, response = report_form_step(request, ReportForm, organisation, "melden/report_form.html", extra)
    if response:
        return response
    refused_until = throttle.report_submission_refused_until(request)
    if refused_until:
        return _submission_refused(request, organisation, form, refused_until, extra)
    submissions.erase_expired_views()
    try:
        case, _code = actions.submit_report(organisation, form.report_input(), on_stored=submissions.claim(token))
    except submissions.AlreadySent:
        # The same form was sent twice at once; the other request stored it.
        return _already_sent(request, organisation, submissions.find(organisation, token), token)
    session.open_inbox(request, case)
    response = redirect("melden:receipt", org=organisation.slug)
    submissions.remember_in_browser(response, organisation, token)
    return response


def _already_sent(request, organisation, earlier, token):
    """The same report form again: nothing is stored twice. While its one-time
    view is open this browser sees the same receipt again; after that, how to
    open the inbox."""
    if submissions.receipt_code(earlier, token):
        session.open_inbox(request, earlier.case)
        messages.info(request, _("Deze melding was al verstuurd. Zij is één keer opgeslagen, niet twee keer."))
        response = redirect("melden:receipt", org=organisation.slug)
        submissions.remember_in_browser(response, organisation, token)
        return response
    return render(request, "melden/already_sent.html", {"organisation": organisation, "case": earlier.case})


def receipt(request, org):
    """The receipt page after sending: the code while the one-time view is open."""
    organisation = _organisation(org)
    token = submissions.browser_token(request)
    submission = submissions.find(organisation, token)
    code = submissions.receipt_code(submission, token)
    if code is None:
        return render(request, "melden/already_sent.html", {"organisation": organisation, "case": None})
    context = {
        "organisation": organisation,
        "case": submission.case,
        "code": code,
        "view_minutes": submissions.RECEIPT_VIEW_SECONDS // 60,
    }
    return render(request, "melden/receipt.html", context)


def _submission_refused(request, organisation, form, until, extra):
    """The form again, everything typed kept, saying from when it can be sent (status 429)."""
    local = timezone.localtime(until)
    when = date_format(local, "H:i" if local.date() == timezone.localdate() else "j F Y, H:i")
    message = _(
        "Uw melding is nog niet verstuurd: er zijn in korte tijd te veel meldingen verstuurd, vanaf uw "
        "verbinding of in totaal. U hoeft niets aan te passen; wat u invulde staat er nog. "
        "Verstuur haar vanaf %(time)s opnieuw."
    ) % {"time": when}
    if request.FILES:
        message += " " + _("Kies uw bijlagen dan opnieuw.")
    form.add_error(None, message)
    context = {"organisation": organisation, "form": form, "show_errors": True, **extra}
    response = render(request, "melden/report_form.html", context, status=429)
    response["Retry-After"] = str(max(1, math.ceil((until - timezone.now()).total_seconds())))
    return response


def inbox_login(request, org):
    """The receipt code opens the inbox. A message typed before the inbox closed
    (``pending_message``) comes along in this form and is sent once the code is accepted."""
    organisation = _organisation(org)
    form = ReceiptForm(request.POST or None)
    error = None
    pending = _pending_message(request)
    if request.method == "POST" and form.is_valid():
        if not throttle.allow_receipt_attempt(request):
            error = _("U heeft te vaak een code geprobeerd. Wacht een kwartier en probeer het dan opnieuw.")
        else:
            case = receipts.find_case(organisation, form.cleaned_data["code"])
            if case is not None:
                session.open_inbox(request, case)
                if pending is not None:
                    return _send_message(request, organisation, case)
                return redirect("melden:inbox", org=organisation.slug)
            error = _("Met deze code kunnen wij geen melding openen. Controleer de cijfers en probeer het opnieuw.")
    status = 400 if error or form.errors else 200
    return _login_page(request, organisation, form, error, pending, status)


def _pending_message(request) -> dict | None:
    """The message a reporter was sending when the inbox had closed: its text, and
    the names of the files they had chosen (a browser cannot send those again)."""
    if request.method != "POST" or "body" not in request.POST:
        return None
    return {
        "body": request.POST.get("body", ""),
        "file_names": [f.name[:120] for f in request.FILES.getlist("files")][:10],
    }


def _login_page(request, organisation, form, error, pending, status=200):
    context = {
        "organisation": organisation,
        "form": form,
        "error": error,
        "pending": pending,
        "idle_minutes": session.REPORTER_IDLE_SECONDS // 60,
    }
    return render(request, "melden/inbox_login.html", context, status=status)


def inbox(request, org):
    organisation = _organisation(org)
    case = session.reporter_case(request, organisation)
    if case is None:
        pending = _pending_message(request)
        if pending is not None:
            # The inbox closed while the reporter was writing: ask for the code, keep the message.
            return _login_page(request, organisation, ReceiptForm(), None, pending)
        return redirect("melden:inbox_login", org=organisation.slug)
    if request.method == "POST":
        return _send_message(request, organisation, case)
    return _inbox_page(request, organisation, case, MessageForm())


def _send_message(request, organisation, case):
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        # The action decides on the locked case (it may have been closed a moment ago).
        try:
            actions.post_message(
                case, Message.Author.MELDER, form.cleaned_data["body"], files=form.cleaned_data["files"]
            )
        except actions.ClosedForReporter:
            case.refresh_from_db(fields=["state"])
            form.add_error(None, _("Deze melding is afgesloten of ingetrokken; u kunt niets meer toevoegen."))
        else:
            messages.success(
                request,
                _("Uw bericht is verstuurd. Het staat hieronder bij de berichten; een behandelaar leest het."),
            )
            return redirect("melden:inbox", org=organisation.slug)
    return _inbox_page(request, organisation, case, form)


def _inbox_page(request, organisation, case, form):
    thread = list(case.messages.prefetch_related("attachments"))
    context = {
        "organisation": organisation,
        "case": case,
        "messages_thread": thread,
        "attachments": case.attachments.all(),
        "explanation": reporter_view.status_text(case, thread),
        "path": reporter_view.step_path(case),
        "report": reporter_view.submitted_report(case),
        "can_write": case.state in OPEN_STATES,
        "idle_minutes": session.REPORTER_IDLE_SECONDS // 60,
        "form": form,
    }
    response = render(request, "melden/inbox.html", context, status=400 if form.errors else 200)
    actions.record_reporter_read(case)
    _end_receipt_view(request, organisation, response)
    return response


def _end_receipt_view(request, organisation, response) -> None:
    """In the inbox, the receipt page's one-time view of the code has ended."""
    token = submissions.browser_token(request)
    if token:
        submissions.end_view(submissions.find(organisation, token))
        submissions.forget_in_browser(response, organisation)


def inbox_attachment(request, org, attachment_id):
    organisation = _organisation(org)
    case = session.reporter_case(request, organisation)
    if case is None:
        raise Http404
    attachment = get_object_or_404(case.attachments, public_id=attachment_id)
    response = attachment_response(attachment)
    actions.record_reporter_read(case, what=f"attachment:{attachment.public_id}")
    return response


def attachment_response(attachment) -> FileResponse:
    """Send a decrypted attachment as a download, never rendered inline."""
    response = FileResponse(
        io.BytesIO(attachment.read()),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def withdraw(request, org):
    organisation = _organisation(org)
    case = session.reporter_case(request, organisation)
    if case is None:
        return redirect("melden:inbox_login", org=organisation.slug)
    if request.method == "POST":
        # The action decides on the locked case; withdrawn or closed meanwhile means the page says so.
        try:
            actions.withdraw(case, erase_identity=request.POST.get("erase_identity") == "ja")
        except TransitionNotAllowed:
            case.refresh_from_db(fields=["state"])
        else:
            return redirect("melden:inbox", org=organisation.slug)
    return render(request, "melden/withdraw.html", {"organisation": organisation, "case": case})


@require_POST
def inbox_logout(request, org):
    organisation = _organisation(org)
    session.close_inbox(request)
    return redirect("melden:start", org=organisation.slug)
