"""Staff pages about who a case is about: the handler's decisions on proposed
links, and the person timeline. Thin: access decides (``cases.access``), the
actions change (``cases.linking``), the pattern module reads
(``cases.patterns``)."""

import datetime
from collections import Counter, defaultdict

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meldpunt.accounts.decorators import staff_required
from meldpunt.cases import actions, linking, patterns
from meldpunt.cases.access import access_case, access_case_for_handling, cases_visible_to
from meldpunt.cases.models import Relation, SubjectLink, SubjectProposal
from meldpunt.ids import parse_id
from meldpunt.maatregelen.models import Measure
from meldpunt.registry.models import Appointment, Person

# Reporters who work or worked for the organisation; everyone else is external.
INTERNAL = {Relation.MEDEWERKER, Relation.OUD_MEDEWERKER}


def _after_relink(request, case):
    """Back to the case, or to the list when the new link took the viewer's access away."""
    if not cases_visible_to(request.staff).filter(pk=case.pk).exists():
        return redirect("behandelen:home")
    return redirect("behandelen:case", reference=case.reference)


@staff_required
@require_POST
def decide_proposal(request, reference, proposal_id):
    """Confirm ("bevestigen") or reject ("afwijzen") a proposed link."""
    case = access_case_for_handling(request.staff, reference)
    decision = request.POST.get("besluit", "")
    try:
        if decision == "bevestigen":
            role = request.POST.get("role", SubjectLink.Role.BETROKKENE)
            if role not in SubjectLink.Role.values:
                role = SubjectLink.Role.BETROKKENE
            link = linking.confirm(case, proposal_id, staff_user=request.user, role=role)
            messages.success(
                request,
                _("%(name)s is aan de zaak gekoppeld; de zaak is opnieuw ingedeeld volgens het protocol.")
                % {"name": link.person.name},
            )
            return _after_relink(request, case)
        if decision == "afwijzen":
            linking.reject(case, proposal_id, staff_user=request.user)
            messages.success(request, _("Het voorstel is afgewezen."))
        else:
            messages.error(request, _("Kies bevestigen of afwijzen."))
    except linking.ProposalClosed:
        messages.error(request, _("Over dit voorstel is al besloten."))
    return redirect("behandelen:case", reference=case.reference)


@staff_required
@require_POST
def correct_link(request, reference, link_id):
    """Link a named person to someone else from the registry ("kies een ander")."""
    case = access_case_for_handling(request.staff, reference)
    link = get_object_or_404(SubjectLink, case=case, public_id=link_id)
    person = Person.objects.filter(organisation=case.organisation, pk=parse_id(request.POST.get("person"))).first()
    if person is None:
        messages.error(request, _("Kies een persoon uit het register van deze organisatie."))
        return redirect("behandelen:case", reference=case.reference)
    linking.correct(case, link.public_id, person, staff_user=request.user)
    messages.success(
        request,
        _("De koppeling is gecorrigeerd naar %(name)s; de zaak is opnieuw ingedeeld volgens het protocol.")
        % {"name": person.name},
    )
    return _after_relink(request, case)


@staff_required
def person_timeline(request, reference, link_id):
    """Every case about the accused of ``link`` that the viewer may open, in
    time order, with the positions the person held at each date and counts by
    the reporter's relation and by channel. Reached from a case the viewer may
    open; cases they may not open are neither listed nor counted."""
    case = access_case(request.staff, reference)
    link = case.subjects.filter(public_id=link_id, role=SubjectLink.Role.BESCHULDIGDE).select_related("person").first()
    if link is None or link.person_id == request.staff.person_id:
        raise Http404
    cases = patterns.timeline(request.staff, link)
    held = []
    if link.person_id:
        held = list(Appointment.objects.filter(person_id=link.person_id).select_related("position"))
    # The measures of each case, by kind and state only (their reasons stay on the case page).
    measures = defaultdict(list)
    for measure in Measure.objects.filter(case__in=cases).order_by("decided_on", "pk"):
        measures[measure.case_id].append(measure)
    rows = []
    for item in cases:
        received = timezone.localdate(item.received_at)
        # The date of the events, when the report gave one (sealed: opened for this viewer, who may open the case).
        start = item.content.get("period_start", "")
        day = datetime.date.fromisoformat(start) if start else received
        positions = [a.held_title for a in held if a.start_date <= day and (a.end_date is None or a.end_date >= day)]
        rows.append(
            {"case": item, "day": day, "received": received, "positions": positions, "measures": measures[item.pk]}
        )
    rows.sort(key=lambda row: (row["day"], row["received"], row["case"].pk))
    actions.record_read(request.user, case, what=f"timeline:{link.public_id}")
    context = {
        "case": case,
        "link": link,
        "name": link.person.name if link.person_id else (link.description().get("name") or _("onbekend")),
        "rows": rows,
        "internal": sum(1 for c in cases if c.relation in INTERNAL),
        "external": sum(1 for c in cases if c.relation not in INTERNAL),
        "by_channel": sorted(Counter(c.get_channel_display() for c in cases).items()),
        "appointments": held,
    }
    return render(request, "behandelen/person_timeline.html", context)


def case_page_context(request, case, handles: bool) -> dict:
    """What the case page shows about its links: how each was made, open
    proposals (for handlers) and the earlier cases about each accused that the
    viewer may open."""
    proposals = []
    if handles:
        proposals = list(
            case.proposals.filter(state=SubjectProposal.State.OPEN).select_related("person", "link").order_by("-score")
        )
    return {"proposals": proposals, "earlier": patterns.earlier_cases_for(request.staff, case)}
