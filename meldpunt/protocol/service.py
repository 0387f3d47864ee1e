"""Routing a case: run the protocol, store the decision, grant access, notify.

Called inside the transaction that creates or re-classifies the case, or
that changes the registry or a conflict, so the decision, the access it
grants and the notifications are stored together with the change, or not at
all. The protocol recipients who may open a case (``CaseRecipient``) are
always exactly those of its latest decision.
"""

import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meldpunt.audit.log import record
from meldpunt.notifications.models import Notification
from meldpunt.notifications.service import notify
from meldpunt.protocol.models import CaseRecipient, RoutedRecipient, RoutingDecision, RuleExclusion
from meldpunt.protocol.routing import Named, route
from meldpunt.protocol.snapshot import registry_view
from meldpunt.protocol.versions import as_protocol, current_version
from meldpunt.registry.models import Person


def _period(case) -> tuple[datetime.date, datetime.date]:
    received = timezone.localtime(case.received_at).date()
    content = case.content
    start = datetime.date.fromisoformat(content["period_start"]) if content.get("period_start") else None
    end = datetime.date.fromisoformat(content["period_end"]) if content.get("period_end") else None
    return (start or end or received, end or received)


REGISTRY_CHANGED = "registry_changed"


def route_case(case, *, trigger: str, actor: str, registry=None) -> RoutingDecision | None:
    """Route ``case`` by the protocol in force. ``registry`` is a snapshot to
    reuse when many cases are routed at once.

    After a registry change (``trigger=REGISTRY_CHANGED``) a case whose
    outcome did not change gets no new decision and returns None.
    """
    # The explanations and notifications are stored for staff, so they are
    # written in the installation's language, not the reporter's.
    with translation.override(settings.LANGUAGE_CODE):
        return _route_case(case, trigger=trigger, actor=actor, registry=registry)


def _route_case(case, *, trigger: str, actor: str, registry=None) -> RoutingDecision | None:
    organisation = case.organisation
    version = current_version(organisation)
    named = [Named(person=s.person_id, accused=s.role == "beschuldigde") for s in case.subjects.all()]
    registry = registry or registry_view(organisation)
    decision = route(registry, as_protocol(version), named, _period(case))

    current = set(CaseRecipient.objects.filter(case=case).values_list("person_id", flat=True))
    if trigger == REGISTRY_CHANGED and current == decision.recipient_ids():
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
    RoutedRecipient.objects.bulk_create(
        RoutedRecipient(decision=stored, person_id=r.person, position_id=r.position, explanation=r.explanation)
        for r in decision.recipients
    )

    # Access follows the decision: whoever it no longer names (excluded, or
    # no longer in the position) is out, new recipients are in.
    CaseRecipient.objects.filter(case=case).exclude(person_id__in=decision.recipient_ids()).delete()
    RuleExclusion.objects.filter(case=case).exclude(person_id__in=decision.rule_exclusions).delete()
    RuleExclusion.objects.bulk_create(
        [RuleExclusion(case=case, person_id=p) for p in decision.rule_exclusions], ignore_conflicts=True
    )
    already = current & decision.recipient_ids()
    now = timezone.now()
    kind = Notification.Kind.ROUTED if trigger == "submitted" else Notification.Kind.REROUTED
    for recipient in decision.recipients:
        if recipient.person in already:
            continue
        CaseRecipient.objects.create(case=case, person_id=recipient.person, since=now)
        notify(recipient.person, organisation, case, kind, recipient.explanation)
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
        recipients=sorted(decision.recipient_ids()),
        excluded=len(decision.excluded),
        admin_alert=decision.admin_alert,
    )
    return stored


def explain_for(organisation, person: Person) -> dict:
    """The 'what if' preview: who would be told about a report on ``person``, and why."""
    version = current_version(organisation)
    registry = registry_view(organisation)
    decision = route(registry, as_protocol(version), [Named(person=person.pk)])
    return {
        "version": version,
        "decision": decision,
        "recipients": [(registry.names.get(r.person, "?"), r.explanation) for r in decision.recipients],
        "external": organisation.external_oversight if decision.external else "",
    }
