"""Staff pages for handling cases. Thin: access decides, actions change."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meldpunt.accounts.decorators import staff_required
from meldpunt.audit.models import AuditEvent
from meldpunt.audit.phrases import describe_events
from meldpunt.behandelen.pattern_views import case_page_context
from meldpunt.cases import actions, worklist
from meldpunt.cases.access import access_case, access_case_for_handling, cases_visible_to, may_handle
from meldpunt.cases.form_flow import report_form_step
from meldpunt.cases.forms import MessageForm, StaffReportForm, SubjectForm
from meldpunt.cases.models import Message
from meldpunt.cases.workflow import (
    STAFF,
    STAFF_MESSAGE_STATES,
    MessageNotAllowed,
    StepIncomplete,
    TransitionNotAllowed,
    available_steps,
)
from meldpunt.melden.views import attachment_response
from meldpunt.notifications import service as notification_service


@staff_required
def home(request):
    """The working list: the cases this staff member may see, filtered, searched and sorted (cases.worklist)."""
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
    if request.method == "POST":
        case = access_case_for_handling(request.staff, reference)
    else:
        case = access_case(request.staff, reference)
    handles = may_handle(request.staff)
    form = MessageForm()
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                actions.post_message(
                    case,
                    Message.Author.BEHANDELAAR,
                    form.cleaned_data["body"],
                    staff_user=request.user,
                    files=form.cleaned_data["files"],
                )
            except MessageNotAllowed:
                messages.error(request, _("De melder heeft deze melding ingetrokken; u kunt geen bericht meer sturen."))
            else:
                messages.success(request, _("Uw bericht staat in het postvak van de melder."))
            return redirect("behandelen:case", reference=case.reference)
    actions.record_read(request.user, case)
    notification_service.case_opened(request.staff.person, case)
    context = {
        "case": case,
        "content": case.content,
        "labels": case.content_labels(),
        "subjects": case.subjects.select_related("person"),
        "messages_thread": case.messages.prefetch_related("attachments"),
        "attachments": case.attachments.all(),
        "form": form,
        "next_steps": available_steps(case.state, by=STAFF) if handles else [],
        "handles": handles,
        "may_message": case.state in STAFF_MESSAGE_STATES,
        "routing": case.routing_decisions.prefetch_related("recipients__person").select_related("version").first(),
        "subject_form": SubjectForm(organisation=request.organisation) if handles else None,
        **case_page_context(request, case, handles),
    }
    return render(request, "behandelen/case.html", context, status=400 if form.errors else 200)


@staff_required
@require_POST
def change_state(request, reference):
    case = access_case_for_handling(request.staff, reference)
    given = actions.StepInput(**{name: request.POST.get(name, "") for name in actions.StepInput.__dataclass_fields__})
    try:
        actions.take_step(case, request.POST.get("step", ""), given, staff_user=request.user)
    except TransitionNotAllowed:
        messages.error(request, _("Deze stap is vanuit de huidige status niet mogelijk."))
    except StepIncomplete as incomplete:
        for message in incomplete.errors.values():
            messages.error(request, message)
    return redirect("behandelen:case", reference=case.reference)


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
    form, response = report_form_step(request, StaffReportForm, organisation, "behandelen/register.html")
    if response:
        return response
    case, code = actions.submit_report(
        organisation,
        form.report_input(),
        kind=form.cleaned_data["kind"],
        channel=form.cleaned_data["channel"],
        registered_by=request.user,
    )
    return render(request, "behandelen/registered.html", {"case": case, "code": str(code)})


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
