"""Routing a case: run the protocol, store the decision, grant access, notify.

Called inside the transaction that creates, re-classifies or reopens the
case, or that changes the registry, a conflict or the protocol (then for
every case of the organisation, ``sync_organisation``), so the decision, the
access it grants and the notifications are stored together with the change,
or not at all. The protocol recipients who may open a case
(``CaseRecipient``) and the people its rule keeps away (``RuleExclusion``)
are always exactly those of the routing recomputed at the last change; no
other code writes those rows (the models refuse it).
"""

import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meldpunt.audit.log import record
from meldpunt.cases.models import Case
from meldpunt.cases.ownership import release_unavailable
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.cijfers.groups import accused_group
from meldpunt.escalation import service as escalation_service
from meldpunt.notifications.models import Notification
from meldpunt.notifications.service import notify
from meldpunt.protocol.models import CaseRecipient, RoutedRecipient, RoutingDecision, RuleExclusion, access_sync
from meldpunt.protocol.routing import EventPeriod, Named, route
from meldpunt.protocol.snapshot import registry_view
from meldpunt.protocol.versions import as_protocol, current_version
from meldpunt.registry.models import Person


def event_period(case) -> EventPeriod:
    """When the events of ``case`` happened, as the reporter said; without a
    date, the day the report came in (``given`` False)."""
    received = timezone.localtime(case.received_at).date()
    content = case.content
    start = datetime.date.fromisoformat(content["period_start"]) if content.get("period_start") else None
    end = datetime.date.fromisoformat(content["period_end"]) if content.get("period_end") else None
    if start is None and end is None:
        return EventPeriod(received, received, given=False)
    # "Since March 2019" with no end: until the report came in.
    return EventPeriod(start or end, end or max(start, received), given=True)


# What made a case be routed. A case's own change (it arrives, is
# re-classified or reopened) always stores a new decision; a change elsewhere
# (the registry, a conflict, the protocol) stores one only when it changes who
# may open the case.
SUBMITTED = "submitted"
RECLASSIFIED = "reclassified"
REOPENED = "reopened"
REGISTRY_CHANGED = "registry_changed"
CONFLICT_ADDED = "conflict_added"
CONFLICT_REMOVED = "conflict_removed"
PROTOCOL_PUBLISHED = "protocol_published"
CASE_TRIGGERS = {SUBMITTED, RECLASSIFIED, REOPENED}


def route_case(case, *, trigger: str, actor: str, registry=None, version=None, subjects=None) -> RoutingDecision | None:
    """Route ``case`` by the protocol in force and rewrite who may open it.

    This is the only function that writes ``CaseRecipient`` and
    ``RuleExclusion`` (and routing decisions): both are always rewritten to
    the routing recomputed now, for a case in any state. New recipients of an
    open case are notified; a closed or withdrawn case only gains or loses
    readers, silently. ``registry`` and ``version`` are reused when many
    cases are routed at once; ``subjects``, the case's subject links, when the
    caller has them (``submit_report`` just wrote them). A case routed with
    ``trigger=SUBMITTED`` is new: it has no recipients or exclusions to read
    back. Returns the new decision, or None when a change
    elsewhere (``trigger`` not in ``CASE_TRIGGERS``) left the case's access
    as it was.
    """
    # The explanations and notifications are stored for staff, so they are
    # written in the installation's language, not the reporter's.
    with translation.override(settings.LANGUAGE_CODE), access_sync():
        return _route_case(case, trigger=trigger, actor=actor, registry=registry, version=version, subjects=subjects)


def sync_organisation(organisation, *, trigger: str, actor: str) -> int:
    """After a change to the registry, a conflict or the protocol: route every
    case of the organisation again (open, closed and withdrawn), in the
    caller's transaction, so access never lags behind the change. Returns how
    many cases got a new decision."""
    registry = registry_view(organisation)
    version = current_version(organisation)
    changed = 0
    cases = Case.objects.select_for_update().filter(organisation=organisation).order_by("pk")
    for case in cases.prefetch_related("subjects"):
        if route_case(case, trigger=trigger, actor=actor, registry=registry, version=version) is not None:
            changed += 1
    # A handler who is no longer one (or is now named or conflicted) owns nothing.
    release_unavailable(organisation, actor=actor)
    return changed


def decide(case, registry=None, version=None, subjects=None):
    """The routing of ``case`` by today's registry and the protocol in force, stored nowhere."""
    organisation = case.organisation
    version = version or current_version(organisation)
    subjects = case.subjects.all() if subjects is None else subjects
    named = [Named(person=s.person_id, accused=s.role == "beschuldigde") for s in subjects]
    registry = registry or registry_view(organisation)
    return version, registry, route(registry, as_protocol(version), named, event_period(case))


def _route_case(case, *, trigger: str, actor: str, registry, version, subjects) -> RoutingDecision | None:
    organisation = case.organisation
    version, registry, decision = decide(case, registry, version, subjects)
    wanted = {r.person: r.position for r in decision.recipients}
    if trigger == SUBMITTED:  # a new case: nobody may open it yet
        current, excluded_now = {}, set()
    else:
        current = dict(CaseRecipient.objects.filter(case=case).values_list("person_id", "position_id"))
        excluded_now = set(RuleExclusion.objects.filter(case=case).values_list("person_id", flat=True))
    if trigger not in CASE_TRIGGERS and current == wanted and excluded_now == decision.rule_exclusions:
        return None

    stored = RoutingDecision.objects.create(
        case=case,
        version=version,
        decided_at=timezone.now(),
        trigger=trigger,
        categories=decision.categories,
        external_address=organisation.external_oversight if decision.external else "",
        admin_alerted=decision.admin_alert,
    )
    # The accused's group for the council figures follows the latest decision.
    group = accused_group(decision.categories)
    if case.accused_group != group:
        case.accused_group = group
        Case.objects.filter(pk=case.pk).update(accused_group=group)
    RoutedRecipient.objects.bulk_create(
        RoutedRecipient(decision=stored, person_id=r.person, position_id=r.position, explanation=r.explanation)
        for r in decision.recipients
    )

    # Access follows the decision: whoever it no longer names (excluded, or
    # no longer in the position) is out, new recipients are in.
    # (A new case has no rows yet: nothing to take away.)
    now = timezone.now()
    if current:
        CaseRecipient.objects.filter(case=case).exclude(person_id__in=wanted).delete()
    for person, position in wanted.items():
        if person in current and current[person] != position:
            CaseRecipient.objects.filter(case=case, person_id=person).update(position_id=position)
    CaseRecipient.objects.bulk_create(
        [CaseRecipient(case=case, person_id=p, position_id=wanted[p], since=now) for p in wanted if p not in current]
    )
    if excluded_now:
        RuleExclusion.objects.filter(case=case).exclude(person_id__in=decision.rule_exclusions).delete()
    RuleExclusion.objects.bulk_create(
        [RuleExclusion(case=case, person_id=p) for p in decision.rule_exclusions - excluded_now]
    )

    if case.state in OPEN_STATES:
        kind = Notification.Kind.ROUTED if trigger == SUBMITTED else Notification.Kind.REROUTED
        told = [recipient for recipient in decision.recipients if recipient.person not in current]
        people = Person.objects.only("name", "email").in_bulk({recipient.person for recipient in told})
        for recipient in told:
            reason = recipient.reason or recipient.explanation
            notify(recipient.person, organisation, case, kind, reason, person=people.get(recipient.person))
        if decision.admin_alert:
            for admin in sorted(registry.admins - decision.excluded):
                notify(
                    admin,
                    organisation,
                    None,
                    Notification.Kind.ADMIN_ALERT,
                    _(
                        "Zaak %(ref)s: het protocol (v%(v)s) vond voor een ontvanger niemand; "
                        "het integriteitsbureau heeft de zaak. Controleer het register."
                    )
                    % {"ref": case.reference, "v": version.number},
                )
    record(
        "case.routed",
        actor=actor,
        organisation=organisation,
        case=case,
        protocol=version.number,
        trigger=trigger,
        recipients=sorted(wanted),
        removed=sorted(set(current) - set(wanted)),
        excluded=len(decision.excluded),
        admin_alert=decision.admin_alert,
    )
    # The protocol rule sets the case's internal deadlines and escalation interval.
    rules = escalation_service.rules_from(organisation, stored)
    escalation_service.refresh(case, rules, new_case=trigger == SUBMITTED)
    return stored


def explain_for(organisation, person: Person, events_on: datetime.date | None = None) -> dict:
    """The 'what if' preview: who would be told about a report on ``person``
    about events on ``events_on`` (or without a date), and why."""
    version = current_version(organisation)
    registry = registry_view(organisation)
    period = EventPeriod(events_on, events_on) if events_on else None
    decision = route(registry, as_protocol(version), [Named(person=person.pk)], period)
    return {
        "version": version,
        "decision": decision,
        "recipients": [(registry.names.get(r.person, "?"), r.explanation) for r in decision.recipients],
        "external": organisation.external_oversight if decision.external else "",
    }
