"""Every change to the registry, as a named action.

People, positions (reporting lines, deputies), appointments, the CSV import
and conflicts of interest change only through these functions. Each takes
the actor, does its work in one transaction, writes the audit event in that
same transaction and routes every case of the organisation again
(``meldpunt.protocol.service.sync_organisation``) before it commits: a new
office holder is told about the open cases the protocol now sends them, a
former one loses access to every case (open, closed or withdrawn), a
conflicted recipient is replaced by their deputy, and a protocol rule's
exclusions cover whoever holds the excluded position now. Either all of that
is stored or nothing is.

The audit detail of a conflict holds ids only, never the reason (which says
something personal: partners, family, ...).

Nobody gives themselves rights: an action by a functional admin that would
give their own person a position (or a position in another category, or a
longer appointment) than they hold from today on is refused and stores
nothing (``_no_rights_for_oneself``). A command (``staff_user=None``) may.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.audit.log import actor_for_user, record
from meldpunt.protocol.service import CONFLICT_ADDED, CONFLICT_REMOVED, REGISTRY_CHANGED, sync_organisation
from meldpunt.registry import csv_import, revision
from meldpunt.registry.models import Appointment, Conflict, Person, Position, today


class OwnRights(ValidationError):
    """The change would give the acting admin's own person rights."""


def _holdings(person_id) -> set:
    """What a person holds from today on: (position, category, start, end) of each appointment."""
    return set(
        Appointment.objects.filter(person_id=person_id)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today()))
        .values_list("position_id", "position__category", "start_date", "end_date")
    )


def _covered(new, before) -> bool:
    position, category, start, end = new
    return any(
        p == position and c == category and s <= start and (e is None or (end is not None and end <= e))
        for p, c, s, e in before
    )


@contextmanager
def _no_rights_for_oneself(staff_user):
    """Run a registry change (inside the caller's transaction) and refuse it
    when the acting admin's own person holds more afterwards than before."""
    from meldpunt.accounts.models import StaffAccount

    account = StaffAccount.objects.filter(user=staff_user).first() if staff_user is not None else None
    before = _holdings(account.person_id) if account else set()
    yield
    if account and not all(_covered(h, before) for h in _holdings(account.person_id)):
        raise OwnRights(
            _(
                "U kunt uzelf geen functie geven en uw eigen functies niet uitbreiden: daarmee zou u zichzelf "
                "rechten geven. Vraag dit aan een andere functioneel beheerder."
            ),
            code="own_rights",
        )


def _changed(organisation, staff_user, event: str, trigger: str = REGISTRY_CHANGED, **detail) -> None:
    """Audit a registry change and bring every case's access in line with it.
    Runs inside the caller's transaction."""
    actor = actor_for_user(staff_user)
    revision.changed(organisation.pk)
    record(event, actor=actor, organisation=organisation, **detail)
    sync_organisation(organisation, trigger=trigger, actor=actor)


@transaction.atomic
def save_person(person: Person, *, staff_user, created: bool) -> Person:
    """Store a person (already validated, e.g. by the admin's form)."""
    person.save()
    event = "registry.person.created" if created else "registry.person.changed"
    _changed(person.organisation, staff_user, event, person=person.pk)
    return person


@transaction.atomic
def save_position(position: Position, *, staff_user, created: bool) -> Position:
    """Store a position with its reporting line and deputy (already validated)."""
    with _no_rights_for_oneself(staff_user):
        position.save()
    event = "registry.position.created" if created else "registry.position.changed"
    _changed(position.organisation, staff_user, event, position=position.code)
    return position


@transaction.atomic
def appoint(appointment: Appointment, *, staff_user) -> Appointment:
    """Store a new appointment of a person to a position (already validated)."""
    with _no_rights_for_oneself(staff_user):
        appointment.save()
    _changed(
        appointment.position.organisation,
        staff_user,
        "registry.appointment.created",
        position=appointment.position.code,
        person=appointment.person_id,
    )
    return appointment


@transaction.atomic
def end_appointment(appointment: Appointment, *, staff_user) -> Appointment:
    """Store the end date of an appointment, and why it ended when known (already set and validated)."""
    with _no_rights_for_oneself(staff_user):
        appointment.save(update_fields=["end_date", "end_reason"])
    _changed(
        appointment.position.organisation,
        staff_user,
        "registry.appointment.ended",
        position=appointment.position.code,
        person=appointment.person_id,
        end=appointment.end_date.isoformat(),
        **({"reason": appointment.end_reason} if appointment.end_reason else {}),
    )
    return appointment


@transaction.atomic
def import_registry(organisation, data: bytes, *, staff_user) -> csv_import.Summary:
    """Check the whole CSV file and store it with the access it changes (and
    the logins of its gebruikersnaam column, by the accounts rules), or raise
    ``RegistryImportError`` and store nothing."""
    actor = actor_for_user(staff_user)
    try:
        with _no_rights_for_oneself(staff_user):
            summary = csv_import.import_registry(organisation, data, actor=actor, staff_user=staff_user)
    except OwnRights as error:
        raise csv_import.RegistryImportError([csv_import.Problem(None, error.messages[0])]) from None
    sync_organisation(organisation, trigger=REGISTRY_CHANGED, actor=actor)
    return summary


def add_conflict(organisation, person: Person, other: Person, reason: str, *, staff_user) -> Conflict:
    """Register that ``person`` and ``other`` must never handle a case about
    each other; a recipient who is now conflicted is replaced by their deputy.

    Raises ``ValidationError`` (with a message for the admin) and stores
    nothing when the two are the same person, belong to another organisation
    or already have a conflict, whichever way round it was registered.
    """
    if person.organisation_id != organisation.pk or other.organisation_id != organisation.pk:
        raise ValidationError(_("Kies twee personen uit het register van uw organisatie."))
    conflict = Conflict(person=person, other=other, reason=reason.strip(), created_at=timezone.now())
    with transaction.atomic():
        conflict.full_clean()
        try:
            with transaction.atomic():
                conflict.save()
        except IntegrityError:
            # The same pair was registered at the same moment by someone else.
            raise ValidationError(_("Voor deze twee personen is al een belangenverstrengeling vastgelegd.")) from None
        _changed(
            organisation,
            staff_user,
            "registry.conflict_added",
            CONFLICT_ADDED,
            conflict=conflict.pk,
            person=person.pk,
            other=other.pk,
        )
    return conflict


def remove_conflict(conflict: Conflict, *, staff_user) -> bool:
    """Remove a registered conflict; whoever the protocol names again gets the
    case back (and is told, if it is open). Returns False when it was already
    removed."""
    organisation = conflict.person.organisation
    with transaction.atomic():
        removed, _detail = Conflict.objects.filter(pk=conflict.pk).delete()
        if not removed:
            return False
        _changed(
            organisation,
            staff_user,
            "registry.conflict_removed",
            CONFLICT_REMOVED,
            conflict=conflict.pk,
            person=conflict.person_id,
            other=conflict.other_id,
        )
    return True
