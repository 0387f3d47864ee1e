"""Staff pages for handling cases. Thin: access decides, actions change."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meldpunt.accounts.decorators import staff_required
from meldpunt.audit.models import AuditEvent
from meldpunt.audit.phrases import describe_events
from meldpunt.behandelen.case_page import accused_left_form, owner_form, render_case
from meldpunt.behandelen.forms import AftercareForm, ConversationForm, HearingForm, NoteForm, StaffMessageForm, StepForm
from meldpunt.cases import actions, my_cases, ownership, worklist
from meldpunt.cases.access import (
    access_case,
    access_case_for_handling,
    cases_visible_to,
    may_handle,
    may_see_figures,
    works_on_cases,
)
from meldpunt.cases.form_flow import report_form_step
from meldpunt.cases.forms import StaffReportForm, SubjectForm
from meldpunt.cases.models import Message
from meldpunt.cases.ownership import owner_label
from meldpunt.cases.workflow import (
    STAFF,
    STEPS_BY_NAME,
    MessageNotAllowed,
    StepIncomplete,
    TransitionNotAllowed,
    available_steps,
)
from meldpunt.melden import submissions
from meldpunt.melden.views import attachment_response
from meldpunt.notifications import service as notification_service


def _start_page_without_cases(staff) -> str | None:
    """The page of someone whose work is not cases (``access.works_on_cases``), or None."""
    if works_on_cases(staff):
        return None
    if staff.is_auditor:
        return reverse("audit:trail")
    if may_see_figures(staff):
        return reverse("cijfers:page")
    if staff.is_registry_admin:
        return reverse("beheer:home")
    return None


@staff_required
def home(request):
    """The working list: the cases this staff member may see, filtered, searched and sorted (cases.worklist).
    Whose work is not cases (a council member, the auditor) starts on their own page instead."""
    own_page = _start_page_without_cases(request.staff)
    if own_page:
        return redirect(own_page)
    form = worklist.CaseFilterForm(request.GET or None)
    values = form.values() if request.GET else {}
    visible = cases_visible_to(request.staff).prefetch_related("subjects__person")
    now = timezone.now()
    cases = worklist.filter_cases(visible, values, now)
    kept = {name: value for name, value in values.items() if value and name != "sorteer"}
    page = list(cases[:200])
    # "Nieuw bericht": the reporter wrote, added a file or withdrew, and no handler has opened the case since.
    attention = notification_service.attention_for(page) if may_handle(request.staff) else {}
    for case in page:
        case.accused = worklist.accused_names(case)
        case.deadlines = worklist.deadline_status(case, now)
        case.attention_marker = attention.get(case.pk)
    context = {
        "cases": page,
        "total": cases.count(),
        "form": form if request.GET else worklist.CaseFilterForm(),
        "filtered": bool(kept),
        "sort": values.get("sorteer") or worklist.DEFAULT_SORT,
        "sort_links": {key: "?" + urlencode({**kept, "sorteer": key}) for key in worklist.SORTS},
    }
    return render(request, "behandelen/home.html", context)


@staff_required
def case_detail(request, reference):
    """The case page. A POST is a message to the reporter (``is_feedback``: the
    substantive feedback); a message with a mistake comes back with what was typed."""
    if request.method == "POST":
        case = access_case_for_handling(request.staff, reference)
    else:
        case = access_case(request.staff, reference)
    handles = may_handle(request.staff)
    if request.method == "POST":
        form = StaffMessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                actions.post_message(
                    case,
                    Message.Author.BEHANDELAAR,
                    form.cleaned_data["body"],
                    staff_user=request.user,
                    files=form.cleaned_data["files"],
                    is_feedback=form.cleaned_data["is_feedback"],
                )
            except MessageNotAllowed:
                messages.error(request, _("De melder heeft deze melding ingetrokken; u kunt geen bericht meer sturen."))
            else:
                messages.success(request, _("Uw bericht staat in het postvak van de melder."))
            return redirect("behandelen:case", reference=case.reference)
        return _case_page(request, case, handles, {"message": form})
    return _case_page(request, case, handles)


def _case_page(request, case, handles, bound=None, step_error=""):
    actions.record_read(request.user, case)
    notification_service.case_opened(request.staff.person, case)
    status = 400 if bound or step_error else 200
    return render_case(request, case, handles=handles, bound=bound, step_error=step_error, status=status)


def _back_to_case(request, case, message):
    messages.success(request, message)
    return redirect(f"{reverse('behandelen:case', args=[case.reference])}#tijdlijn")


@staff_required
@require_POST
def change_state(request, reference):
    """One lifecycle step (``step`` names it) with what it needs. A step that
    cannot be taken from this state (also a name typed into the request) or
    that lacks something comes back on the case page, nothing changed."""
    case = access_case_for_handling(request.staff, reference)
    name = request.POST.get("step", "")
    step = STEPS_BY_NAME.get(name)
    if step is None or step not in available_steps(case.state, by=STAFF):
        return _case_page(request, case, True, step_error=_("Deze stap is vanuit de huidige status niet mogelijk."))
    form = StepForm(request.POST, step=step)
    if form.is_valid():
        try:
            actions.take_step(case, name, actions.StepInput(**form.step_input()), staff_user=request.user)
        except TransitionNotAllowed:
            form.add_error(None, _("Deze stap is vanuit de huidige status niet mogelijk."))
        except StepIncomplete as incomplete:
            for need, message in incomplete.errors.items():
                form.add_error(need if need in form.fields else None, message)
        else:
            return _back_to_case(request, case, _("Stap gezet: %(step)s.") % {"step": step.label})
    return _case_page(request, case, True, {"step": form})


# Timeline entries a handler records: the form, and the action that records it.
ENTRIES = {
    "notitie": (
        "note",
        lambda data, case: NoteForm(data),
        lambda case, d, user: actions.add_note(case, d["text"], staff_user=user),
    ),
    "hoor-en-wederhoor": (
        "hearing",
        lambda data, case: HearingForm(data),
        lambda case, d, user: actions.record_hearing(
            case, day=d["date"], heard_by=d["heard_by"], summary=d["text"], staff_user=user
        ),
    ),
    "gesprek": (
        "conversation",
        lambda data, case: ConversationForm(data),
        lambda case, d, user: actions.record_conversation(
            case, day=d["date"], held_by=d["held_by"], summary=d["text"], is_feedback=d["is_feedback"], staff_user=user
        ),
    ),
    "nazorg": (
        "aftercare",
        lambda data, case: AftercareForm(data),
        lambda case, d, user: actions.record_aftercare_offer(case, day=d["date"], how=d["text"], staff_user=user),
    ),
    "vertrek": (
        "left",
        accused_left_form,
        lambda case, d, user: actions.record_accused_left(
            case, person=d["person"], reason=d["reason"], day=d["date"], staff_user=user
        ),
    ),
}


@staff_required
@require_POST
def record_entry(request, reference, what):
    """A timeline entry (note, hearing, conversation, aftercare offer, the accused
    leaving); a mistake comes back at its field with what was typed, nothing stored."""
    case = access_case_for_handling(request.staff, reference)
    if what not in ENTRIES:
        raise Http404
    key, make_form, record_it = ENTRIES[what]
    form = make_form(request.POST, case)
    if form.is_valid():
        try:
            record_it(case, form.cleaned_data, request.user)
        except actions.EventRefused as refused:
            for name, message in refused.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            return _back_to_case(request, case, _("Vastgelegd in de tijdlijn van de zaak."))
    bound = {key: form}
    return _case_page(request, case, True, bound)


@staff_required
@require_POST
def assign_owner(request, reference):
    """Give the case to a handler (``owner``; "ik pak deze zaak op" sends one's
    own person) or back to the team (empty). A refusal is said on the case page."""
    case = access_case_for_handling(request.staff, reference)
    form = owner_form(case, request.POST)
    if form.is_valid():
        try:
            ownership.assign(case, form.cleaned_data["owner"], staff_user=request.user)
        except ownership.OwnerRefused as refused:
            form.add_error("owner", str(refused))
        else:
            return _back_to_case(request, case, _("Eigenaar van de zaak: %(name)s.") % {"name": owner_label(case)})
    return _case_page(request, case, True, {"owner": form})


@staff_required
def mine(request):
    """Mijn zaken: my open cases and the team's I may pick up, next deadline first
    (overdue at the top), and the reminders and escalations that reached me."""
    context = {
        "cases": my_cases.my_cases(request.staff, timezone.now()),
        "alerts": my_cases.alerts_for(request.staff),
    }
    return render(request, "behandelen/my_cases.html", context)


@staff_required
def attachment(request, reference, attachment_id):
    case = access_case(request.staff, reference)
    found = case.attachments.filter(public_id=attachment_id).first()
    if found is None:
        raise Http404
    actions.record_read(request.user, case, what=f"attachment:{found.public_id}")
    return attachment_response(found)


@staff_required
def register(request):
    if not may_handle(request.staff):
        raise Http404
    organisation = request.organisation
    # One case per form, as on the public form (melden.submissions): a double
    # click or a resubmission finds the case its one-time token stored.
    token = submissions.token_for_form(request)
    if request.method == "POST" and request.POST.get("action") != "zoek":
        earlier = submissions.find(organisation, submissions.posted_token(request))
        if earlier is not None:
            return _registered_before(request, earlier, token)
    # A report made by phone or in a meeting is registered with its minutes (meldpunt.verslagen).
    from meldpunt.verslagen import views as minutes

    minutes_form = minutes.registration_form(request)
    extra = {submissions.TOKEN_FIELD: token, "minutes_form": minutes_form}
    form, response = report_form_step(request, StaffReportForm, organisation, "behandelen/register.html", extra)
    if response:
        return response
    context = {"organisation": organisation, "form": form, **extra}
    if minutes.needs_minutes(form.cleaned_data["channel"]) and not minutes_form.is_valid():
        return minutes.minutes_refused(request, "behandelen/register.html", context)
    submissions.erase_expired_views()
    try:
        case, code = minutes.submit_with_minutes(
            lambda: actions.submit_report(
                organisation,
                form.report_input(),
                kind=form.cleaned_data["kind"],
                channel=form.cleaned_data["channel"],
                registered_by=request.user,
                on_stored=submissions.claim(token),
            ),
            form,
            minutes_form,
            staff_user=request.user,
        )
    except submissions.AlreadySent:  # the same form twice at once; the other request stored it
        return _registered_before(request, submissions.find(organisation, token), token)
    except minutes.actions.MinutesRefused as refused:
        minutes._add_errors(minutes_form, refused)
        return minutes.minutes_refused(request, "behandelen/register.html", context)
    return render(request, "behandelen/registered.html", {"case": case, "code": str(code)})


def _registered_before(request, earlier, token):
    """The same form again: nothing is stored twice; the receipt code again while its one-time view is open."""
    context = {"case": earlier.case, "code": submissions.receipt_code(earlier, token), "already": True}
    return render(request, "behandelen/registered.html", context)


@staff_required
@require_POST
def add_subject(request, reference):
    """Re-classify: name another person in the case. Routing runs again at once."""
    case = access_case_for_handling(request.staff, reference)
    form = SubjectForm(request.POST, organisation=request.organisation)
    if form.is_valid():
        actions.add_subject(case, form.subject_input(), staff_user=request.user)
        messages.success(request, _("De zaak is opnieuw ingedeeld volgens het protocol."))
        if not cases_visible_to(request.staff).filter(pk=case.pk).exists():
            return redirect("behandelen:home")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("behandelen:case", reference=case.reference)


@staff_required
def notifications(request):
    """What was sent to this staff member, limited to cases they may still open.
    Looking marks nothing read: a POST does ("markeer als gelezen", one or all),
    and so does opening the case."""
    mine = notification_service.visible_notifications(request.staff)
    if request.method == "POST":
        chosen = request.POST.get("notification", "")
        if request.POST.get("all"):
            notification_service.mark_read(mine)
        elif chosen.isdigit():
            notification_service.mark_read(mine.filter(pk=int(chosen)))
        return redirect("behandelen:notifications")
    unread = set(mine.filter(read_at__isnull=True).values_list("pk", flat=True))
    return render(request, "behandelen/notifications.html", {"notifications": mine[:200], "unread": unread})


@staff_required
def case_log(request, reference):
    """The audit trail of one case: who did what, when. Same access rule as the case."""
    case = access_case_for_handling(request.staff, reference)
    actions.record_read(request.user, case, what="audit-trail")
    events = AuditEvent.objects.filter(organisation_id_ref=case.organisation_id, case_reference=case.reference)
    described = describe_events(events.order_by("seq"))
    return render(request, "behandelen/case_log.html", {"case": case, "events": described})
