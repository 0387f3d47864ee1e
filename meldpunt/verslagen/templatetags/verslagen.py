"""Minutes and meeting requests on shared pages, each with one line in their template:

* ``{% case_minutes %}`` on the case page: every set of minutes with its
  versions (who, when, what changed, which one the reporter approved), the
  reporter's corrections, the recording, the meeting requests and, for a
  handler, the forms;
* ``{% reporter_minutes %}`` in the reporter's inbox: the minutes to read,
  correct and approve, and the meeting request;
* ``{% registration_minutes %}`` on the "register on behalf" page: the minutes
  of the call or meeting in which the report was made.

A form sent with a mistake is on the request (``views.FORMS_ATTRIBUTE``) for
that one response, so the partial shows it bound, with what was typed."""

from django import template

from meldpunt.cases.access import may_handle
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.verslagen import actions
from meldpunt.verslagen.diff import changes
from meldpunt.verslagen.forms import (
    ApproveForm,
    CorrectionForm,
    InPersonApprovalForm,
    MeetingMinutesForm,
    MeetingRequestForm,
    VersionForm,
)
from meldpunt.verslagen.models import MeetingRequest, Minutes
from meldpunt.verslagen.views import FORMS_ATTRIBUTE

register = template.Library()


def _minutes(case) -> list[Minutes]:
    found = list(
        Minutes.objects.filter(case=case)
        .select_related("created_by", "recording")
        .prefetch_related("versions__written_by", "corrections")
    )
    for minutes in found:
        minutes.case = case
        minutes.__dict__["ordered_versions"] = sorted(minutes.versions.all(), key=lambda v: v.number)
        for version in minutes.ordered_versions:
            version.minutes = minutes
        for correction in minutes.corrections.all():
            correction.minutes = minutes
    return found


def _versions(minutes: Minutes) -> list[dict]:
    rows, before = [], None
    corrections = list(minutes.corrections.all())
    for version in minutes.ordered_versions:
        rows.append(
            {
                "version": version,
                "text": version.text,
                "changes": changes(before, version.text) if before is not None else None,
                "corrections": [c for c in corrections if c.version_id == version.pk],
                "approval": version.approval,
            }
        )
        before = version.text
    return rows


def _meetings(case) -> list[dict]:
    rows = []
    for meeting in MeetingRequest.objects.filter(case=case).select_related("minutes"):
        meeting.case = case
        rows.append({"meeting": meeting, "note": meeting.note, "due_at": actions.meeting_due_at(meeting)})
    return rows


@register.inclusion_tag("verslagen/case_minutes.html", takes_context=True)
def case_minutes(context):
    request, case = context["request"], context["case"]
    handles = may_handle(request.staff)
    bound = getattr(request, FORMS_ATTRIBUTE, {})
    open_request = actions.open_request(case)
    rows = []
    for minutes in _minutes(case):
        key = str(minutes.public_id)
        latest = minutes.latest
        row = {"minutes": minutes, "versions": _versions(minutes), "latest": latest, "approved": minutes.approved}
        row["open_corrections"] = [c for c in minutes.corrections.all() if c.answered_by_id is None]
        if handles:
            row["version_form"] = bound.get(f"version:{key}") or (
                VersionForm(initial={"text": latest.text if latest else ""})
            )
            if latest is not None and latest.approved_at is None and not case.anonymous:
                row["approval_form"] = bound.get(f"approval:{key}") or InPersonApprovalForm(
                    initial={"version": latest.public_id}
                )
        rows.append(row)
    return {
        "case": case,
        "rows": rows,
        "meetings": _meetings(case),
        "open_request": open_request,
        "handles": handles,
        "meeting_form": (bound.get("meeting") or MeetingMinutesForm(open_request=open_request)) if handles else None,
        "is_open": case.state in OPEN_STATES,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.inclusion_tag("verslagen/inbox_minutes.html", takes_context=True)
def reporter_minutes(context):
    request, case, organisation = context["request"], context["case"], context["organisation"]
    bound = getattr(request, FORMS_ATTRIBUTE, {})
    is_open = case.state in OPEN_STATES
    rows = []
    for minutes in _minutes(case):
        key = str(minutes.public_id)
        latest = minutes.latest
        row = {"minutes": minutes, "latest": latest, "text": latest.text if latest else ""}
        row["waiting_correction"] = any(c.answered_by_id is None for c in minutes.corrections.all())
        row["earlier"] = [v for v in minutes.ordered_versions if v is not latest]
        if is_open and latest is not None and latest.approved_at is None:
            row["correction_form"] = bound.get(f"correction:{key}") or CorrectionForm(
                initial={"version": latest.public_id}
            )
            row["approve_form"] = bound.get(f"approve:{key}") or ApproveForm(initial={"version": latest.public_id})
        rows.append(row)
    open_request = actions.open_request(case)
    meeting_due = actions.meeting_due_at(open_request) if open_request else None
    return {
        "organisation": organisation,
        "rows": rows,
        "open_request": open_request,
        "meeting_due": meeting_due,
        "meeting_form": (bound.get("meeting_request") or MeetingRequestForm())
        if is_open and not open_request
        else None,
        "meeting_refused": bound.get("meeting_request") if open_request else None,
        "is_open": is_open,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("verslagen/registration_minutes.html", takes_context=True)
def registration_minutes(context):
    return {"form": context.get("minutes_form"), "show_errors": context.get("show_errors", False)}
