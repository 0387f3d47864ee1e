"""Every change to minutes and meeting requests, as a named action.

Each action decides on the locked case row, writes its timeline entry
(``CaseEvent`` of kind ``minutes`` or ``meeting_request``) and its audit event
in the same transaction, and seals what anyone wrote under the case key
before the transaction starts. A refusal raises ``MinutesRefused`` with the
message per field; nothing is stored then.

The rules:

* minutes need a text or a recording; a recording needs the day the reporter
  agreed to being recorded;
* a new version must differ from the one before; it answers the reporter's
  open corrections and, after an approval, needs a new approval;
* the reporter corrects or approves only the latest version, and only while
  it is not approved (an approved version is frozen); a correction has a text;
* a handler records an approval given in person only for a named reporter;
* one open meeting request per case, and only while the case is open; the
  meeting it asked for is recorded with its minutes, which meets the deadline.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.audit.log import actor_for_user, record
from meldpunt.cases.actions import REPORTER, EventRefused, FileInput, _check_day, _event, _seal_attachment
from meldpunt.cases.models import Case, CaseEvent, Message
from meldpunt.cases.validators import MAX_TEXT
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.escalation import service as escalation_service
from meldpunt.notifications import service as notification_service
from meldpunt.notifications.models import CaseAttention
from meldpunt.verslagen.models import Correction, MeetingRequest, Minutes, MinutesVersion


def OUTDATED() -> str:  # noqa: N802 (a message, in the language of the request)
    return _("Er is intussen een nieuwere versie van dit verslag. Lees die en kies opnieuw; er is niets veranderd.")


def CLOSED() -> str:  # noqa: N802
    return _("Deze melding is afgesloten of ingetrokken; u kunt niets meer toevoegen.")


class MinutesRefused(EventRefused):
    """Minutes, a version, a correction, an approval or a meeting request that cannot be stored as given."""


@dataclass
class MinutesInput:
    occasion: str
    channel: str
    held_on: datetime.date | None
    text: str = ""
    recording: FileInput | None = None
    recording_consent_on: datetime.date | None = None


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)


def _seal_version(case: Case, minutes: Minutes, number: int, text: str, now, staff_user) -> MinutesVersion:
    version = MinutesVersion(minutes=minutes, number=number, written_at=now, written_by=staff_user)
    version.sealed_text = case.key.seal_text(f"minutes:{version.public_id}", text)
    return version


def check_minutes(given: MinutesInput, case: Case) -> None:
    errors = {}
    try:
        later = given.occasion == Minutes.Occasion.MEETING
        _check_day(given.held_on, case, field_name="held_on", not_before_case=later)
    except EventRefused as refused:
        errors.update(refused.errors)
    if given.recording is not None:
        if given.recording_consent_on is None:
            errors["recording_consent_on"] = _(
                "Een opname bewaren mag alleen als de melder ermee instemde. Vul de datum van de toestemming in, "
                "of laat de opname weg. De opname is niet bewaard."
            )
        elif given.recording_consent_on > timezone.localdate():
            errors["recording_consent_on"] = _("Deze datum ligt in de toekomst.")
    if not given.text.strip() and given.recording is None:
        errors["text"] = _(
            "Schrijf het verslag van het gesprek, of voeg een opname toe waarvoor de melder toestemming gaf."
        )
    if len(given.text) > MAX_TEXT:
        errors["text"] = _("Het verslag is te lang (hoogstens %(max)s tekens).") % {"max": MAX_TEXT}
    if errors:
        raise MinutesRefused(errors)


def record_minutes(case: Case, given: MinutesInput, *, staff_user, meeting_request: MeetingRequest | None = None):
    """Minutes of the oral report itself or of a later meeting; with
    ``meeting_request``, the meeting the reporter asked for took place."""
    check_minutes(given, case)
    now = timezone.now()
    actor = actor_for_user(staff_user)
    minutes = Minutes(
        case=case,
        occasion=given.occasion,
        channel=given.channel,
        held_on=given.held_on,
        created_at=now,
        created_by=staff_user,
        recording_consent_on=given.recording_consent_on,
    )
    text = given.text.strip()
    attachment = None
    if given.recording is not None:
        attachment = _seal_attachment(case, case.key, given.recording, Message.Author.BEHANDELAAR, now)
    with transaction.atomic():
        locked = _lock(case)
        if meeting_request is not None:
            meeting_request = MeetingRequest.objects.select_for_update().get(pk=meeting_request.pk, case=locked)
            if meeting_request.held_at is not None:
                raise MinutesRefused({"__all__": _("Dit gesprek is al vastgelegd.")})
        if attachment is not None:
            attachment.save()
            minutes.recording = attachment
        minutes.save()
        number = 0
        if text:
            _seal_version(locked, minutes, 1, text, now, staff_user).save()
            number = 1
        detail = {
            "action": "recorded",
            "minutes": str(minutes.public_id),
            "occasion": minutes.occasion,
            "channel": minutes.channel,
            "version": number,
            "recording": attachment is not None,
        }
        if meeting_request is not None:
            meeting_request.held_at, meeting_request.minutes = now, minutes
            meeting_request.save(update_fields=["held_at", "minutes"])
            detail["meeting_request"] = meeting_request.number
        _event(
            locked,
            CaseEvent.Kind.MINUTES,
            now,
            actor=actor,
            staff_user=staff_user,
            occurred_on=given.held_on,
            detail=detail,
        )
        record(
            "minutes.recorded",
            actor=actor,
            organisation=locked.organisation,
            case=locked,
            occasion=minutes.occasion,
            version=number,
            recording=attachment is not None,
            **({"meeting_request": meeting_request.number} if meeting_request is not None else {}),
        )
        if meeting_request is not None:
            escalation_service.refresh(locked)
    return minutes


def minutes_of(case: Case, minutes_id) -> Minutes:
    """The minutes ``minutes_id`` of this case, or ``Minutes.DoesNotExist`` (a 404 for the views)."""
    return Minutes.objects.get(case=case, public_id=minutes_id)


def write_version(minutes: Minutes, text: str, *, staff_user) -> MinutesVersion:
    """A new version of the minutes (after a correction, or the handler's own change)."""
    case = minutes.case
    text = text.strip()
    if not text:
        raise MinutesRefused({"text": _("Schrijf de nieuwe versie van het verslag.")})
    if len(text) > MAX_TEXT:
        raise MinutesRefused({"text": _("Het verslag is te lang (hoogstens %(max)s tekens).") % {"max": MAX_TEXT}})
    now = timezone.now()
    actor = actor_for_user(staff_user)
    with transaction.atomic():
        locked = _lock(case)
        latest = minutes.versions.order_by("-number").first()
        if latest is not None and latest.text == text:
            raise MinutesRefused({"text": _("Deze versie is gelijk aan de vorige. Verander de tekst of laat haar zo.")})
        number = (latest.number if latest else 0) + 1
        version = _seal_version(locked, minutes, number, text, now, staff_user)
        version.save()
        answered = Correction.objects.filter(minutes=minutes, answered_by__isnull=True).update(answered_by=version)
        _event(
            locked,
            CaseEvent.Kind.MINUTES,
            now,
            actor=actor,
            staff_user=staff_user,
            detail={"action": "version", "minutes": str(minutes.public_id), "version": number, "answers": answered},
        )
        record(
            "minutes.version_written",
            actor=actor,
            organisation=locked.organisation,
            case=locked,
            version=number,
            corrections_answered=answered,
        )
    minutes.__dict__.pop("ordered_versions", None)
    return version


def _current_version(minutes: Minutes, version_id) -> MinutesVersion:
    """The version the reporter acts on, checked on the locked case: it must be
    the latest and not approved yet."""
    latest = minutes.versions.order_by("-number").first()
    if latest is None or str(latest.public_id) != str(version_id):
        raise MinutesRefused({"__all__": OUTDATED()})
    if latest.approved_at is not None:
        raise MinutesRefused({"__all__": _("Deze versie is al goedgekeurd en ligt vast; er is niets veranderd.")})
    return latest


def propose_correction(minutes: Minutes, version_id, text: str) -> Correction:
    """The reporter proposes a correction to the latest version."""
    case = minutes.case
    text = text.strip()
    if not text:
        raise MinutesRefused({"text": _("Schrijf wat er anders moet in het verslag.")})
    if len(text) > MAX_TEXT:
        raise MinutesRefused({"text": _("Uw correctie is te lang (hoogstens %(max)s tekens).") % {"max": MAX_TEXT}})
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(case)
        if locked.state not in OPEN_STATES:
            raise MinutesRefused({"__all__": CLOSED()})
        version = _current_version(minutes, version_id)
        correction = Correction(minutes=minutes, version=version, proposed_at=now)
        correction.sealed_text = locked.key.seal_text(f"minutes-correction:{correction.public_id}", text)
        correction.save()
        _event(
            locked,
            CaseEvent.Kind.MINUTES,
            now,
            actor=REPORTER,
            detail={"action": "correction", "minutes": str(minutes.public_id), "version": version.number},
        )
        record(
            "minutes.correction_proposed",
            actor=REPORTER,
            organisation=locked.organisation,
            case=locked,
            version=version.number,
        )
        notification_service.reporter_activity(locked, CaseAttention.Kind.MESSAGE)
    return correction


def approve(minutes: Minutes, version_id) -> MinutesVersion:
    """The reporter approves the latest version in the inbox."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(minutes.case)
        if locked.state not in OPEN_STATES:
            raise MinutesRefused({"__all__": CLOSED()})
        version = _current_version(minutes, version_id)
        version.approved_at, version.approved_by = now, MinutesVersion.ApprovedBy.INBOX
        version.save(update_fields=["approved_at", "approved_by"])
        _event(
            locked,
            CaseEvent.Kind.MINUTES,
            now,
            actor=REPORTER,
            detail={"action": "approved", "minutes": str(minutes.public_id), "version": version.number},
        )
        record(
            "minutes.approved",
            actor=REPORTER,
            organisation=locked.organisation,
            case=locked,
            version=version.number,
            how=version.approved_by,
        )
        notification_service.reporter_activity(locked, CaseAttention.Kind.MESSAGE)
    return version


def record_approval_in_person(minutes: Minutes, version_id, *, day, given_to: str, staff_user) -> MinutesVersion:
    """A named reporter who does not use the inbox approved a version by phone,
    in person or on paper: on which day and to whom."""
    case = minutes.case
    errors = {}
    if case.anonymous:
        errors["__all__"] = _(
            "Een anonieme melder keurt het verslag zelf goed in het postvak; een behandelaar kan dat niet vastleggen."
        )
    try:
        _check_day(day, case, field_name="day", not_before_case=False)
    except EventRefused as refused:
        errors.update(refused.errors)
    if not given_to.strip():
        errors["given_to"] = _("Schrijf op aan wie de melder de goedkeuring gaf.")
    if errors:
        raise MinutesRefused(errors)
    now = timezone.now()
    actor = actor_for_user(staff_user)
    with transaction.atomic():
        locked = _lock(case)
        version = _current_version(minutes, version_id)
        if day < timezone.localtime(version.written_at).date():
            raise MinutesRefused({"day": _("Deze datum ligt vóór het schrijven van deze versie.")})
        version.approved_at, version.approved_by = now, MinutesVersion.ApprovedBy.IN_PERSON
        version.approved_on = day
        version.sealed_approval = locked.key.seal_json(
            f"minutes-approval:{version.public_id}", {"given_to": given_to.strip()}
        )
        version.save(update_fields=["approved_at", "approved_by", "approved_on", "sealed_approval"])
        _event(
            locked,
            CaseEvent.Kind.MINUTES,
            now,
            actor=actor,
            staff_user=staff_user,
            occurred_on=day,
            sealed={"given_to": given_to.strip()},
            detail={"action": "approved_in_person", "minutes": str(minutes.public_id), "version": version.number},
        )
        record(
            "minutes.approved",
            actor=actor,
            organisation=locked.organisation,
            case=locked,
            version=version.number,
            how=version.approved_by,
        )
    return version


def open_request(case: Case) -> MeetingRequest | None:
    return MeetingRequest.objects.filter(case=case, held_at__isnull=True).first()


def request_meeting(case: Case, note: str = "") -> MeetingRequest:
    """The reporter asks for an in-person meeting; a deadline for the handler from now on."""
    note = note.strip()
    if len(note) > 2000:
        raise MinutesRefused({"note": _("Uw toelichting is te lang (hoogstens 2000 tekens).")})
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = _lock(case)
            if locked.state not in OPEN_STATES:
                raise MinutesRefused(
                    {"__all__": _("Deze melding is afgesloten of ingetrokken; u kunt geen gesprek meer aanvragen.")}
                )
            if open_request(locked) is not None:
                raise MinutesRefused(
                    {
                        "__all__": _(
                            "U heeft al om een gesprek gevraagd. Een behandelaar neemt contact met u op; u hoeft "
                            "het niet opnieuw te vragen."
                        )
                    }
                )
            number = (MeetingRequest.objects.filter(case=locked).aggregate(n=Max("number"))["n"] or 0) + 1
            meeting = MeetingRequest(case=locked, number=number, requested_at=now)
            if note:
                meeting.sealed_note = locked.key.seal_text(f"meeting-request:{meeting.public_id}", note)
            meeting.save()
            _event(
                locked,
                CaseEvent.Kind.MEETING_REQUEST,
                now,
                actor=REPORTER,
                detail={"number": number, "note": bool(note)},
            )
            record(
                "case.meeting_requested", actor=REPORTER, organisation=locked.organisation, case=locked, number=number
            )
            escalation_service.refresh(locked)
            notification_service.reporter_activity(locked, CaseAttention.Kind.MESSAGE)
    except IntegrityError:
        # Two requests at the same moment: the database keeps one open request.
        raise MinutesRefused(
            {
                "__all__": _(
                    "U heeft al om een gesprek gevraagd. Een behandelaar neemt contact met u op; u hoeft "
                    "het niet opnieuw te vragen."
                )
            }
        ) from None
    return meeting


def meeting_due_at(meeting: MeetingRequest):
    """When the meeting must have taken place: the stored deadline row."""
    from meldpunt.cases import deadlines
    from meldpunt.escalation.models import DueDate

    row = DueDate.objects.filter(case_id=meeting.case_id, kind=deadlines.MEETING, occurrence=meeting.number).first()
    return row.due_at if row else None
