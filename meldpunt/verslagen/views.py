"""Pages for minutes and meeting requests. Thin: ``cases.access`` decides who
may open the case, ``verslagen.actions`` what may be stored. Minutes of another
case (an id typed into the address) are a 404; a refusal comes back on the
case page or in the inbox with status 400, the message and what was typed."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meldpunt.accounts.decorators import staff_required
from meldpunt.behandelen.case_page import render_case
from meldpunt.cases import actions as case_actions
from meldpunt.cases.access import access_case_for_handling
from meldpunt.cases.forms import MessageForm
from meldpunt.melden import session
from meldpunt.organisations.models import Organisation
from meldpunt.verslagen import actions
from meldpunt.verslagen.forms import (
    ORAL_CHANNELS,
    ApproveForm,
    CorrectionForm,
    InPersonApprovalForm,
    MeetingMinutesForm,
    MeetingRequestForm,
    RegistrationMinutesForm,
    VersionForm,
)
from meldpunt.verslagen.models import Minutes

# Bound forms for the partials (``templatetags/verslagen.py``), on the request for this one response.
FORMS_ATTRIBUTE = "minutes_forms"


def _add_errors(form, refused: actions.MinutesRefused) -> None:
    for name, message in refused.errors.items():
        form.add_error(name if name in form.fields else None, message)


def _minutes(case, minutes_id) -> Minutes:
    try:
        return actions.minutes_of(case, minutes_id)
    except Minutes.DoesNotExist:
        raise Http404 from None


# The "register on behalf" page (``behandelen.views.register``).


def registration_form(request, organisation=None) -> RegistrationMinutesForm:
    """The minutes part of the registration form, bound when it was sent."""
    if request.method == "POST":
        return RegistrationMinutesForm(request.POST, request.FILES)
    return RegistrationMinutesForm()


def minutes_refused(request, template: str, context: dict):
    """The registration again (status 400) when only its minutes part has a mistake."""
    return render(request, template, {**context, "show_errors": True}, status=400)


def needs_minutes(channel: str) -> bool:
    return channel in ORAL_CHANNELS


def submit_with_minutes(submit, report_form, minutes_form, *, staff_user):
    """Store the registered report and, for a report made by phone or in a
    meeting, its minutes, in one transaction: both or neither. ``submit()``
    stores the report and returns ``(case, code)``. Returns ``(case, code)``,
    or raises ``MinutesRefused``."""
    channel = report_form.cleaned_data["channel"]
    if not needs_minutes(channel):
        return submit()
    with transaction.atomic():
        case, code = submit()
        given = minutes_form.minutes_input(channel, report_form.cleaned_data["description"])
        actions.record_minutes(case, given, staff_user=staff_user)
    return case, code


# The case page.


def _case_url(case) -> str:
    return f"{reverse('behandelen:case', args=[case.reference])}#verslagen"


def _case_page_again(request, case, forms: dict):
    setattr(request, FORMS_ATTRIBUTE, forms)
    case_actions.record_read(request.user, case)
    return render_case(request, case, handles=True, status=400)


@staff_required
@require_POST
def record_meeting(request, reference):
    """Minutes of a later meeting with the reporter (and, when asked, the meeting they requested)."""
    case = access_case_for_handling(request.staff, reference)
    form = MeetingMinutesForm(request.POST, request.FILES, open_request=actions.open_request(case))
    if form.is_valid():
        try:
            actions.record_minutes(
                case, form.minutes_input(), staff_user=request.user, meeting_request=form.meeting_request()
            )
        except actions.MinutesRefused as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, _("Het verslag staat bij de zaak; de melder kan het lezen in het postvak."))
            return redirect(_case_url(case))
    return _case_page_again(request, case, {"meeting": form})


@staff_required
@require_POST
def write_version(request, reference, minutes_id):
    case = access_case_for_handling(request.staff, reference)
    minutes = _minutes(case, minutes_id)
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            actions.write_version(minutes, form.cleaned_data["text"], staff_user=request.user)
        except actions.MinutesRefused as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, _("De nieuwe versie van het verslag staat klaar voor de melder."))
            return redirect(_case_url(case))
    return _case_page_again(request, case, {f"version:{minutes.public_id}": form})


@staff_required
@require_POST
def approve_in_person(request, reference, minutes_id):
    case = access_case_for_handling(request.staff, reference)
    minutes = _minutes(case, minutes_id)
    form = InPersonApprovalForm(request.POST)
    if form.is_valid():
        try:
            actions.record_approval_in_person(
                minutes,
                form.cleaned_data["version"],
                day=form.cleaned_data["day"],
                given_to=form.cleaned_data["given_to"],
                staff_user=request.user,
            )
        except actions.MinutesRefused as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, _("De goedkeuring van de melder is vastgelegd."))
            return redirect(_case_url(case))
    return _case_page_again(request, case, {f"approval:{minutes.public_id}": form})


# The reporter's inbox.


def _reporter_case(request, org):
    organisation = Organisation.objects.filter(slug=org).first()
    if organisation is None:
        raise Http404
    case = session.reporter_case(request, organisation)
    return organisation, case


def _inbox_again(request, organisation, case, forms: dict):
    from meldpunt.melden.views import _inbox_page

    setattr(request, FORMS_ATTRIBUTE, forms)
    response = _inbox_page(request, organisation, case, MessageForm())
    response.status_code = 400
    return response


def _inbox_url(organisation) -> str:
    return f"{reverse('melden:inbox', kwargs={'org': organisation.slug})}#verslagen"


@require_POST
def propose_correction(request, org, minutes_id):
    organisation, case = _reporter_case(request, org)
    if case is None:
        return redirect("melden:inbox_login", org=org)
    minutes = _minutes(case, minutes_id)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            actions.propose_correction(minutes, form.cleaned_data["version"], form.cleaned_data["text"])
        except actions.MinutesRefused as refused:
            _add_errors(form, refused)
        else:
            messages.success(
                request, _("Uw correctie is verstuurd. De behandelaar past het verslag aan; u leest het hier.")
            )
            return redirect(_inbox_url(organisation))
    return _inbox_again(request, organisation, case, {f"correction:{minutes.public_id}": form})


@require_POST
def approve(request, org, minutes_id):
    organisation, case = _reporter_case(request, org)
    if case is None:
        return redirect("melden:inbox_login", org=org)
    minutes = _minutes(case, minutes_id)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            actions.approve(minutes, form.cleaned_data["version"])
        except actions.MinutesRefused as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, _("U heeft het verslag goedgekeurd. Dank u wel."))
            return redirect(_inbox_url(organisation))
    else:
        form.add_error(None, actions.OUTDATED())
    return _inbox_again(request, organisation, case, {f"approve:{minutes.public_id}": form})


@require_POST
def request_meeting(request, org):
    organisation, case = _reporter_case(request, org)
    if case is None:
        return redirect("melden:inbox_login", org=org)
    form = MeetingRequestForm(request.POST)
    if form.is_valid():
        try:
            actions.request_meeting(case, form.cleaned_data["note"])
        except actions.MinutesRefused as refused:
            _add_errors(form, refused)
        else:
            messages.success(
                request,
                _(
                    "Uw verzoek om een gesprek is verstuurd. Een behandelaar neemt contact met u op om een "
                    "afspraak te maken."
                ),
            )
            return redirect(_inbox_url(organisation))
    return _inbox_again(request, organisation, case, {"meeting_request": form})
