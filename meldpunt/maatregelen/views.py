"""Pages of the measures register. Thin: ``maatregelen.rules`` decides who may
record and what may be stored; a refusal comes back on the case page (or the
reporter's inbox) with status 400, the message at its field and what was typed."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meldpunt.accounts.decorators import staff_required
from meldpunt.behandelen.case_page import render_case
from meldpunt.cases import actions
from meldpunt.cases.access import may_handle
from meldpunt.cases.forms import MessageForm
from meldpunt.maatregelen import rules
from meldpunt.maatregelen.forms import ConsentConversationForm, MeasureForm, ReporterConsentForm
from meldpunt.maatregelen.models import Measure
from meldpunt.melden import session
from meldpunt.organisations.models import Organisation
from meldpunt.registry.models import Person

# Bound forms and notices for the register's partials, kept on the request for this one response.
FORMS_ATTRIBUTE = "measure_forms"
NOTICES_ATTRIBUTE = "measure_notices"


def measure_form(case, data=None) -> MeasureForm:
    return MeasureForm(
        data,
        organisation_people=Person.objects.filter(organisation=case.organisation),
        decision_makers=rules.decision_makers(case),
    )


def _register_url(case) -> str:
    return f"{reverse('behandelen:case', args=[case.reference])}#maatregelen"


def _case_page_again(request, case, *, forms=None, notices=None):
    """The case page with the register's form or notice that was sent, status 400."""
    setattr(request, FORMS_ATTRIBUTE, forms or {})
    setattr(request, NOTICES_ATTRIBUTE, notices or {})
    actions.record_read(request.user, case)
    return render_case(request, case, handles=may_handle(request.staff), status=400)


@staff_required
@require_POST
def record(request, reference):
    case = rules.access_case_for_measures(request.staff, reference)
    form = measure_form(case, request.POST)
    if form.is_valid():
        try:
            _measure, notice = rules.record_measure(case, form.measure_input(), staff_user=request.user)
        except rules.MeasureRefused as refused:
            for name, message in refused.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            if notice:
                messages.warning(request, notice)
            else:
                messages.success(request, _("De maatregel staat in het register en in de tijdlijn."))
            return redirect(_register_url(case))
    return _case_page_again(request, case, forms={"record": form})


@staff_required
@require_POST
def take(request, reference, measure_id):
    """Take a proposed measure. One burdening the reporter without consent stays proposed, with why."""
    case = rules.access_case_for_measures(request.staff, reference)
    measure = rules.measure_of(case, measure_id)
    try:
        rules.take_measure(case, measure, staff_user=request.user)
    except rules.MeasureRefused as refused:
        return _case_page_again(request, case, notices={str(measure.public_id): refused.errors["state"]})
    except rules.NotProposed:
        messages.info(request, _("Deze maatregel is geen voorstel meer; er is niets veranderd."))
    else:
        messages.success(request, _("De maatregel is genomen."))
    return redirect(_register_url(case))


@staff_required
@require_POST
def withdraw(request, reference, measure_id):
    case = rules.access_case_for_measures(request.staff, reference)
    measure = rules.measure_of(case, measure_id)
    try:
        rules.withdraw_measure(case, measure, staff_user=request.user)
    except rules.NotProposed:
        messages.info(request, _("Deze maatregel is geen voorstel meer; er is niets veranderd."))
    else:
        messages.success(request, _("Het voorstel is ingetrokken. Het blijft in het register staan als vervallen."))
    return redirect(_register_url(case))


@staff_required
@require_POST
def consent_conversation(request, reference, measure_id):
    """The reporter's answer from a conversation (a named reporter who does not use the inbox)."""
    case = rules.access_case_for_measures(request.staff, reference)
    measure = rules.measure_of(case, measure_id)
    form = ConsentConversationForm(request.POST, measure=measure)
    if form.is_valid():
        try:
            rules.record_consent_conversation(
                case,
                measure,
                agree=form.agreed(),
                day=form.cleaned_data.get("date"),
                held_by=form.cleaned_data.get("held_by") or "",
                remark=form.cleaned_data.get("remark") or "",
                staff_user=request.user,
            )
        except rules.MeasureRefused as refused:
            for name, message in refused.errors.items():
                form.add_error(name if name in form.fields else None, message)
        except rules.NotProposed:
            messages.info(request, _("De melder heeft hierop al geantwoord; er is niets veranderd."))
            return redirect(_register_url(case))
        else:
            messages.success(request, _("Het antwoord van de melder is vastgelegd."))
            return redirect(_register_url(case))
    return _case_page_again(request, case, forms={f"consent:{measure.public_id}": form})


@require_POST
def answer(request, org, measure_id):
    """The reporter's answer in the inbox. Only a measure of the case whose inbox
    is open: another case's measure (its id typed into the URL) is not found."""
    organisation = get_object_or_404(Organisation, slug=org)
    case = session.reporter_case(request, organisation)
    if case is None:
        return redirect("melden:inbox_login", org=organisation.slug)
    measure = Measure.objects.filter(case=case, public_id=measure_id, burdens=Measure.Burden.MELDER).first()
    if measure is None:
        raise Http404
    measure.case = case
    form = ReporterConsentForm(request.POST, measure=measure)
    if form.is_valid():
        agree = form.cleaned_data["answer"] == Measure.Consent.AKKOORD
        try:
            rules.answer_in_inbox(case, measure, agree=agree, remark=form.cleaned_data.get("remark") or "")
        except rules.NotProposed:
            messages.info(request, _("U heeft op deze maatregel al geantwoord. Er is niets veranderd."))
        else:
            if agree:
                messages.success(request, _("Dank u. U gaat akkoord; de maatregel gaat door."))
            else:
                messages.success(
                    request,
                    _(
                        "Dank u. U gaat niet akkoord; de maatregel gaat niet door. "
                        "Een behandelaar neemt contact met u op."
                    ),
                )
        return redirect(f"{reverse('melden:inbox', args=[organisation.slug])}#maatregelen")
    from meldpunt.melden.views import _inbox_page

    setattr(request, FORMS_ATTRIBUTE, {str(measure.public_id): form})
    response = _inbox_page(request, organisation, case, MessageForm())
    response.status_code = 400
    return response
