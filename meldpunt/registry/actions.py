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
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.audit.log import actor_for_user, record
from meldpunt.protocol.service import CONFLICT_ADDED, CONFLICT_REMOVED, REGISTRY_CHANGED, sync_organisation
from meldpunt.registry import csv_import
from meldpunt.registry.models import Appointment, Conflict, Person, Position


def _changed(organisation, staff_user, event: str, trigger: str = REGISTRY_CHANGED, **detail) -> None:
    """Audit a registry change and bring every case's access in line with it.
    Runs inside the caller's transaction."""
    actor = actor_for_user(staff_user)
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
    position.save()
    event = "registry.position.created" if created else "registry.position.changed"
    _changed(position.organisation, staff_user, event, position=position.code)
    return position


@transaction.atomic
def appoint(appointment: Appointment, *, staff_user) -> Appointment:
    """Store a new appointment of a person to a position (already validated)."""
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
    """Store the end date of an appointment (already set and validated)."""
    appointment.save(update_fields=["end_date"])
    _changed(
        appointment.position.organisation,
        staff_user,
        "registry.appointment.ended",
        position=appointment.position.code,
        person=appointment.person_id,
        end=appointment.end_date.isoformat(),
    )
    return appointment


@transaction.atomic
def import_registry(organisation, data: bytes, *, staff_user) -> csv_import.Summary:
    """Check the whole CSV file and store it with the access it changes, or
    raise ``RegistryImportError`` and store nothing."""
    actor = actor_for_user(staff_user)
    summary = csv_import.import_registry(organisation, data, actor=actor)
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
