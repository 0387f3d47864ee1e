"""Who owns a case: one handler, or the integrity office as a team.

Every case has an owner at all times: ``Case.owner`` is a handler, or None,
which means the team (every handler who may open the case) until one of
them picks it up. Only a handler who may open the case (``cases.access``:
not named in it, not conflicted, not excluded) and who has an active login
can own it. When that stops being true (the login is switched off, the
handler position ends, the handler is named or conflicted), the case goes
back to the team and the other handlers are told: ``release_unavailable``
runs with every registry change (``protocol.service.sync_organisation``),
every day, and when a login is deactivated.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.audit.log import actor_for_user, record
from meldpunt.cases.access import is_handler, may_open
from meldpunt.cases.models import Case, CaseEvent
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.registry.models import Person


class OwnerRefused(Exception):
    """This person cannot own this case; the message says why."""


def may_own(person: Person, case: Case) -> bool:
    from meldpunt.accounts.models import StaffAccount

    active = StaffAccount.objects.filter(person=person, user__is_active=True).exists()
    return active and is_handler(person) and may_open(person, case)


def owner_label(case: Case) -> str:
    if case.owner_id is None:
        return _("%(office)s (team)") % {"office": case.organisation.integrity_office_name}
    return case.owner.name


def assign(case: Case, person: Person | None, *, staff_user) -> Case:
    """Give the case to ``person`` (a handler who may open it), or back to the team (None)."""
    from meldpunt.notifications import service as notification_service
    from meldpunt.notifications.models import Notification

    if person is not None and (person.organisation_id != case.organisation_id or not may_own(person, case)):
        raise OwnerRefused(
            _(
                "%(name)s kan deze zaak niet krijgen: alleen een behandelaar met een actieve inlog die de zaak mag "
                "openen (niet genoemd in de zaak en zonder belangenconflict)."
            )
            % {"name": person.name}
        )
    actor = actor_for_user(staff_user)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.owner_id == (person.pk if person else None):
            return case
        _set_owner(locked, person, actor=actor, staff_user=staff_user, why="assigned")
        own = staff_user is not None and getattr(getattr(staff_user, "staff", None), "person_id", None)
        if person is not None and own != person.pk:
            reason = _("zaak %(ref)s is aan u toegewezen.") % {"ref": case.reference}
            notification_service.notify(person.pk, case.organisation, locked, Notification.Kind.ASSIGNED, reason)
    case.owner_id = locked.owner_id
    case.__dict__.pop("owner", None)
    return case


def _set_owner(locked: Case, person, *, actor: str, staff_user=None, why: str) -> None:
    previous = locked.owner_id
    locked.owner = person
    locked.save(update_fields=["owner"])
    CaseEvent.objects.create(
        case=locked,
        kind=CaseEvent.Kind.OWNER,
        at=timezone.now(),
        actor=actor,
        staff_user=staff_user,
        person=person,
        detail={"why": why, "previous": previous},
    )
    record(
        "case.owner_changed",
        actor=actor,
        organisation=locked.organisation,
        case=locked,
        owner=person.pk if person else None,
        previous=previous,
        why=why,
    )


def release_unavailable(organisation, *, actor: str) -> int:
    """Give every open case whose owner can no longer own it back to the team,
    and tell the handlers who may open it. Runs in the caller's transaction.
    Returns how many cases went back."""
    from meldpunt.notifications import service as notification_service
    from meldpunt.notifications.models import Notification

    released = 0
    owned = Case.objects.filter(organisation=organisation, state__in=OPEN_STATES, owner__isnull=False)
    for case in owned.select_related("owner", "organisation").select_for_update(of=("self",)).order_by("pk"):
        if may_own(case.owner, case):
            continue
        _set_owner(case, None, actor=actor, why="owner_unavailable")
        reason = _("zaak %(ref)s is terug bij het team: de eigenaar kan de zaak niet meer behandelen.") % {
            "ref": case.reference
        }
        for person in notification_service.handlers_who_may_open(case):
            notification_service.notify(person.pk, organisation, case, Notification.Kind.BACK_TO_TEAM, reason)
        released += 1
    return released
