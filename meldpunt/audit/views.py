"""The auditor's pages: the organisation's audit trail (filtered, paged, as
CSV) and its checkpoints. Only for staff who hold an auditor position today;
others get 403 (the pages are not secret, but not theirs). No page here shows
report content, and none opens a case: an auditor gets "not found" on every
case page, by the case access rule itself."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meldpunt.accounts.decorators import staff_required
from meldpunt.audit import checkpoints, trail
from meldpunt.audit.log import actor_for_user, chain_for, record
from meldpunt.audit.models import AuditCheckpoint


def auditor_required(view):
    @staff_required
    def wrapper(request, *args, **kwargs):
        if not request.staff.is_auditor:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _filters(request):
    form = trail.TrailFilterForm(request.GET or None, organisation=request.organisation)
    if not request.GET:
        return form, {}, True
    valid = form.is_valid()
    values = {name: form.cleaned_data.get(name) for name in form.fields} if valid else {}
    return form, values, valid


@auditor_required
def trail_page(request):
    form, values, valid = _filters(request)
    context = {"form": form, "show_errors": True, "filtered": bool(request.GET)}
    if not valid:
        return render(request, "audit/trail.html", context, status=400)
    events = trail.events_for(request.organisation, values)
    page = Paginator(events, trail.PAGE_SIZE).get_page(request.GET.get("pagina"))
    kept = {k: v for k, v in request.GET.items() if k != "pagina" and v}
    record(
        "audit.read",
        actor=actor_for_user(request.user),
        organisation=request.organisation,
        filters=trail.filter_summary(values),
        page=page.number,
    )
    context |= {
        "searched": True,
        "page": page,
        "events": trail.described_page(page.object_list),
        "query": urlencode(kept),
    }
    return render(request, "audit/trail.html", context)


@auditor_required
def trail_csv(request):
    form, values, valid = _filters(request)
    if not valid:
        return render(request, "audit/trail.html", {"form": form, "show_errors": True, "filtered": True}, status=400)
    record(
        "audit.exported",
        actor=actor_for_user(request.user),
        organisation=request.organisation,
        filters=trail.filter_summary(values),
    )
    events = trail.events_for(request.organisation, values)
    response = StreamingHttpResponse(trail.csv_lines(events), content_type="text/csv; charset=utf-8")
    name = f"auditlogboek-{request.organisation.slug}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@auditor_required
def checkpoint_list(request):
    chain = chain_for(request.organisation)
    context = {
        "checkpoints": AuditCheckpoint.objects.filter(chain=chain).order_by("-made_at")[:50],
        "total": AuditCheckpoint.objects.filter(chain=chain).count(),
    }
    return render(request, "audit/checkpoints.html", context)


@auditor_required
@require_POST
def checkpoint_make(request):
    actor = actor_for_user(request.user)
    made = checkpoints.make_checkpoint(chain_for(request.organisation), actor=actor)
    if made is None:
        messages.error(request, _("Er staat nog niets in het logboek; er is geen controlepunt gemaakt."))
    else:
        record(
            "audit.checkpoint_made", actor=actor, organisation=request.organisation, checkpoint=made.pk, seq=made.seq
        )
        messages.success(
            request,
            _("Controlepunt gemaakt over %(n)s gebeurtenissen. Download het bestand en bewaar het buiten Meldpunt.")
            % {"n": made.seq},
        )
    return redirect("audit:checkpoints")


@auditor_required
def checkpoint_file(request, checkpoint_id):
    checkpoint = get_object_or_404(AuditCheckpoint, pk=checkpoint_id, chain=chain_for(request.organisation))
    record(
        "audit.checkpoint_exported",
        actor=actor_for_user(request.user),
        organisation=request.organisation,
        checkpoint=checkpoint.pk,
        seq=checkpoint.seq,
    )
    response = HttpResponse(checkpoints.export(checkpoint), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{checkpoints.filename(checkpoint)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
