"""Registering and removing conflicts of interest, as named actions.

Each action takes the actor, does its work in one transaction and writes the
audit event in that same transaction. The audit detail holds ids only, never
the reason (which says something personal: partners, family, ...).

Adding a conflict routes every open case that names one of the two people
again (trigger ``conflict_added``), so a recipient who is now conflicted is
replaced by their deputy, who is notified, in the same transaction. The
access check is live anyway (``cases/access.py``): the conflicted person
cannot open the case from the commit on; routing again makes sure somebody
is told in their place.

Removing a conflict routes nothing again. Nobody is added back to a case
silently: whoever was replaced stays replaced (handlers of the integrity
office see the organisation's cases anyway, so they see the case again at
once), and a handler who wants the protocol to run again can re-classify
the case.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.audit.log import actor_for_user, record
from meldpunt.cases.models import Case, SubjectLink
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.protocol.service import REGISTRY_CHANGED, route_case
from meldpunt.protocol.snapshot import registry_view
from meldpunt.registry.models import Conflict, Person


def open_cases_naming(organisation, people: list[Person]):
    """The organisation's cases that are not closed or withdrawn and name one
    of ``people`` (as accused or involved), locked for the re-routing."""
    named = SubjectLink.objects.filter(person__in=people).values("case_id")
    return (
        Case.objects.select_for_update()
        .filter(organisation=organisation, state__in=OPEN_STATES, pk__in=named)
        .order_by("pk")
    )


def add_conflict(organisation, person: Person, other: Person, reason: str, *, staff_user) -> Conflict:
    """Register that ``person`` and ``other`` must never handle a case about
    each other, and route the open cases about either of them again.

    Raises ``ValidationError`` (with a message for the admin) and stores
    nothing when the two are the same person, belong to another organisation
    or already have a conflict, whichever way round it was registered.
    """
    if person.organisation_id != organisation.pk or other.organisation_id != organisation.pk:
        raise ValidationError(_("Kies twee personen uit het register van uw organisatie."))
    conflict = Conflict(person=person, other=other, reason=reason.strip(), created_at=timezone.now())
    actor = actor_for_user(staff_user)
    with transaction.atomic():
        conflict.full_clean()
        try:
            with transaction.atomic():
                conflict.save()
        except IntegrityError:
            # The same pair was registered at the same moment by someone else.
            raise ValidationError(_("Voor deze twee personen is al een belangenverstrengeling vastgelegd.")) from None
        record(
            "registry.conflict_added",
            actor=actor,
            organisation=organisation,
            conflict=conflict.pk,
            person=person.pk,
            other=other.pk,
        )
        for case in open_cases_naming(organisation, [person, other]):
            route_case(case, trigger="conflict_added", actor=actor)
    return conflict


def remove_conflict(conflict: Conflict, *, staff_user) -> bool:
    """Remove a registered conflict. Routes nothing again (see the module
    docstring). Returns False when it was already removed."""
    organisation = conflict.person.organisation
    with transaction.atomic():
        removed, _detail = Conflict.objects.filter(pk=conflict.pk).delete()
        if not removed:
            return False
        record(
            "registry.conflict_removed",
            actor=actor_for_user(staff_user),
            organisation=organisation,
            conflict=conflict.pk,
            person=conflict.person_id,
            other=conflict.other_id,
        )
    return True


def reroute_open_cases(organisation, *, actor: str) -> int:
    """After a change to who holds which position, or to reporting lines and
    deputies: route every open case of the organisation again, so a new
    office holder is told and a former one loses access. Cases whose
    recipients stay the same get no new decision. Returns how many changed."""
    changed = 0
    with transaction.atomic():
        registry = registry_view(organisation)
        cases = Case.objects.select_for_update().filter(organisation=organisation, state__in=OPEN_STATES)
        for case in cases.order_by("pk"):
            if route_case(case, trigger=REGISTRY_CHANGED, actor=actor, registry=registry) is not None:
                changed += 1
    return changed
