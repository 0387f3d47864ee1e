"""Every change to a case, as a named action.

Each action takes the actor, does its work in one transaction and writes
the audit event in that same transaction: either all of it is stored or
nothing is. Slow work (argon2, encryption) happens before the transaction
starts, so no lock is held while it runs.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.audit.log import actor_for_user, record, written_at_the_end
from meldpunt.bewijs import filing
from meldpunt.cases import deadlines, linking, numbering, patterns
from meldpunt.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Channel,
    Kind,
    Message,
    State,
    SubjectLink,
)
from meldpunt.cases.ownership import release_unavailable
from meldpunt.cases.receipts import ReceiptCode
from meldpunt.cases.workflow import (
    ASSESSMENT_DECISIONS,
    CLOSED_STATES,
    Facts,
    MessageNotAllowed,
    check_message,
    check_step,
    reopens,
)
from meldpunt.cases.workflow import REPORTER as REPORTER_STEP
from meldpunt.cases.workflow import STAFF as STAFF_STEP
from meldpunt.crypto import CaseKey
from meldpunt.dates import long_date, long_datetime
from meldpunt.nazorg import support
from meldpunt.notifications import service as notification_service
from meldpunt.notifications import together as notifications_together
from meldpunt.notifications.models import CaseAttention
from meldpunt.protocol.service import RECLASSIFIED, REOPENED, route_case
from meldpunt.protocol.snapshot import registry_view
from meldpunt.protocol.versions import current_version

REPORTER = "melder"

logger = logging.getLogger(__name__)


@dataclass
class SubjectInput:
    role: str
    person: object = None  # a registry Person, already checked to belong to the organisation
    name: str = ""
    function: str = ""
    linked: object = None  # how it was resolved on submission (meldpunt.cases.linking.Linked)


@dataclass
class FileInput:
    name: str
    content_type: str
    data: bytes


@dataclass
class ReportInput:
    """What a reporter (or a handler on their behalf) tells us, already validated."""

    relation: str
    anonymous: bool
    description: str
    wishes: list[str]
    subjects: list[SubjectInput]
    name: str = ""
    email: str = ""
    phone: str = ""
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    contact_context: str = ""
    # The category of behaviour the reporter chose (``Behaviour``), optional; stored readable for the figures.
    behaviour: str = ""
    told_before: str = ""
    told_before_details: str = ""
    files: list[FileInput] = field(default_factory=list)

    def sealed_fields(self) -> dict:
        return {
            "description": self.description,
            "name": "" if self.anonymous else self.name,
            "email": "" if self.anonymous else self.email,
            "phone": "" if self.anonymous else self.phone,
            "period_start": self.period_start.isoformat() if self.period_start else "",
            "period_end": self.period_end.isoformat() if self.period_end else "",
            "contact_context": self.contact_context,
            "told_before": self.told_before,
            "told_before_details": self.told_before_details,
        }


def _seal_attachment(case: Case, key: CaseKey, file: FileInput, author: str, now, message=None) -> Attachment:
    attachment = Attachment(
        case=case,
        message=message,
        uploaded_at=now,
        uploaded_by=author,
        content_type=file.content_type,
        size=len(file.data),
    )
    attachment.sealed_name = key.seal_text(f"attachment-name:{attachment.public_id}", file.name)
    attachment.sealed_data = key.seal(f"attachment:{attachment.public_id}", file.data)
    return attachment


def _sealed_message(case: Case, key: CaseKey, author: str, body: str, now, staff_user=None) -> Message:
    message = Message(case=case, author=author, staff_user=staff_user, sent_at=now)
    message.sealed_body = key.seal_text(f"message:{message.public_id}", body)
    return message


def acknowledgement_text(case: Case) -> str:
    return _(
        "Wij hebben uw melding goed ontvangen op %(received)s. De behandelaars van het %(office)s "
        "van %(organisation)s lezen haar, en volgens het protocol ook wie verantwoordelijk is voor de persoon "
        "over wie u meldt; nooit die persoon zelf. Binnen 7 dagen (uiterlijk %(ack)s) neemt een behandelaar via dit "
        "postvak contact met u op. Uiterlijk %(feedback)s hoort u wat er met uw melding is gedaan. "
        "Wilt u eerst met iemand praten? De vertrouwenspersoon luistert en denkt met u mee, "
        "zonder dat er iets gebeurt wat u niet wilt."
    ) % {
        "received": long_datetime(case.received_at),
        "office": case.organisation.integrity_office_name,
        "organisation": case.organisation.name,
        "ack": long_date(case.acknowledgement_due),
        "feedback": long_date(case.feedback_due),
    }


def submit_report(
    organisation,
    report: ReportInput,
    *,
    kind: str = Kind.MELDING,
    channel: str = Channel.ONLINE,
    registered_by=None,
    on_stored=None,
) -> tuple[Case, ReceiptCode]:
    """Store a report or signal in full and return it with its receipt code.

    The receipt code is returned once and never stored; only its hash is.
    ``on_stored(case, code)``, when given, runs inside the storing transaction
    right after the case row is written; whatever it raises undoes it all
    (the public form claims its one-time submission token there).
    """
    now = timezone.now()
    code = ReceiptCode.generate()
    case = Case(
        organisation=organisation,
        kind=kind,
        channel=channel,
        relation=report.relation,
        anonymous=report.anonymous,
        wishes=report.wishes,
        behaviour_reported=report.behaviour,
        received_at=now,
        registered_by=registered_by,
        receipt_hash=code.secret_hash(),
        reporter_key=patterns.reporter_key(organisation.pk, report, kind),
    )
    # Online reports are acknowledged the moment they arrive; a report staff
    # register waits for the handler to confirm receipt (at most 7 days).
    case.acknowledgement_due = deadlines.acknowledgement_due(now, organisation.acknowledgement_days)
    if channel == Channel.ONLINE:
        _acknowledge(case, now)
        case.state = State.ONTVANGSTBEVESTIGD
    else:
        case.acknowledged_at = None
        case.state = State.ONTVANGEN
        case.feedback_due = deadlines.feedback_due(
            now, None, acknowledgement_days=organisation.acknowledgement_days, months=organisation.feedback_months
        )
    # A handler who registers a report owns it; a report from the form waits
    # for the integrity office's team until a handler picks it up.
    registering = _person_of(registered_by)
    case.owner = registering
    key, case.key_id, case.wrapped_key = CaseKey.create(case.key_context)
    case.__dict__["key"] = key
    case.sealed_content = key.seal_json("content", report.sealed_fields())
    # The proof of filing: the report exactly as submitted, signed once it has its number (meldpunt/bewijs).
    proof = filing.prepare(key, report, kind=kind, channel=channel)

    # The child rows are built afresh for every attempt (a failed attempt
    # leaves them pointing at a row that was rolled back); what is sealed is
    # sealed once, since its associated data names only the case's and the
    # row's public ids, which stay the same on a retry.
    # Typed names resolved against the registry: linked, proposed or kept as an outsider's key.
    directory = linking.prepare_subjects(organisation, report)
    subjects = []
    for subject in report.subjects:
        public_id = uuid.uuid4()
        sealed = None
        if subject.person is None or subject.name or subject.function:
            sealed = key.seal_json(f"subject:{public_id}", {"name": subject.name, "function": subject.function})
        subjects.append((public_id, subject, sealed))
    attachments = [
        _seal_attachment(case, key, f, REPORTER if not registered_by else "behandelaar", now) for f in report.files
    ]
    actor = actor_for_user(registered_by) if registered_by else REPORTER

    # The case number, in a short transaction of its own: the organisation's
    # counter row, which every submission of the organisation needs, is locked
    # only for that moment, not through the whole submission. A submission that
    # fails after this leaves its number unused, and the audit trail says so.
    with transaction.atomic():
        reference = numbering.next_reference(organisation, now)
    try:
        for _attempt in range(LOOKUP_ATTEMPTS):
            case.pk = None
            case._state.adding = True
            case.receipt_lookup = code.lookup
            try:
                with transaction.atomic():
                    case.reference = reference
                    case.save()
                    if on_stored is not None:
                        on_stored(case, code)
                    links = SubjectLink.objects.bulk_create(
                        SubjectLink(
                            case=case,
                            role=s.role,
                            person=s.person,
                            public_id=public_id,
                            sealed_description=sealed,
                            **linking.link_fields(s),
                        )
                        for public_id, s, sealed in subjects
                    )
                    Attachment.objects.bulk_create(_copy(attachment, case=case) for attachment in attachments)
                    # Support is offered with every report (the receipt page and the inbox show it).
                    support.offer_at_intake(case)
                    if case.acknowledged_at:
                        _sealed_message(case, key, Message.Author.SYSTEEM, acknowledgement_text(case), now).save()
                    # What routing reads (the registry, the protocol in force) is read here too.
                    registry, version = registry_view(organisation), current_version(organisation)
                    # The audit events (the case's arrival, its routing, whatever the
                    # notifications record) are written at the end of this block: the
                    # audit chain's head, which every writer of the organisation's
                    # chain waits for, is locked only from there to the commit.
                    # The notifications are kept too and written together just before them.
                    with (
                        written_at_the_end(),
                        notification_service.office_answer_kept(case),
                        notifications_together.written_together(new_case=case),
                    ):
                        record(
                            "case.created",
                            actor=actor,
                            organisation=organisation,
                            case=case,
                            kind=kind,
                            channel=channel,
                            subjects=len(subjects),
                            attachments=len(attachments),
                        )
                        _record_arrival(case, now, actor=actor, staff_user=registered_by)
                        route_case(
                            case, trigger="submitted", actor=actor, registry=registry, version=version, subjects=links
                        )
                        notification_service.case_submitted(case)
                        linking.store_proposals(case, links, report, directory)
                        patterns.case_joined(case, links)
                        proof.store(case)
                return case, code
            except IntegrityError as error:
                if not _violates(error, Case, "case_receipt_lookup_unique"):
                    raise
                # Another case of the organisation has this look-up part. Nothing
                # was stored; try again with a new one (the secret stays).
                code = ReceiptCode(lookup=ReceiptCode.generate().lookup, secret=code.secret)
        raise RuntimeError("could not allocate a receipt code")
    except Exception:
        _record_unused_number(organisation, reference)
        raise


def _record_unused_number(organisation, reference: str) -> None:
    """A submission failed after it took its case number: the gap in the
    numbering is an audit event, so nobody mistakes it for a deleted case.
    Best effort: when the database itself failed, the original error is what counts."""
    try:
        record(
            "case.number_unused",
            actor="system",
            organisation=organisation,
            case=Case(organisation=organisation, reference=reference),
        )
    except DatabaseError:
        logger.warning("case number %s unused; the audit event could not be written", reference)


def _person_of(staff_user):
    from meldpunt.accounts.actions import staff_account_of

    account = staff_account_of(staff_user) if staff_user is not None else None
    return account.person if account is not None and account.is_handler else None


def _record_arrival(case: Case, now, *, actor: str, staff_user) -> None:
    """The first entries of the timeline: received, and acknowledged when that
    happened at once (one insert, in this order)."""
    events = [
        CaseEvent(
            case=case,
            kind=CaseEvent.Kind.STEP,
            at=now,
            actor=actor,
            staff_user=staff_user,
            step="ontvangen",
            to_state=State.ONTVANGEN,
        )
    ]
    if case.state == State.ONTVANGSTBEVESTIGD:
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.STEP,
                at=now,
                actor="system",
                step="bevestigen",
                from_state=State.ONTVANGEN,
                to_state=State.ONTVANGSTBEVESTIGD,
            )
        )
    CaseEvent.objects.bulk_create(events)


# With a million look-up parts per organisation, ten taken in a row is
# beyond any organisation's number of cases.
LOOKUP_ATTEMPTS = 10


def _copy(row, **changes):
    """An unsaved copy of ``row`` (same public id and sealed data)."""
    values = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if not f.primary_key}
    values.update(changes)
    values.pop("case_id", None)
    return type(row)(**values)


def _violates(error: IntegrityError, model, constraint_name: str) -> bool:
    """Whether ``error`` is a violation of the named unique constraint of ``model``.

    PostgreSQL names the constraint; SQLite names the columns of the index
    ("UNIQUE constraint failed: cases_case.organisation_id, cases_case.receipt_lookup").
    """
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None:
        return diag.constraint_name == constraint_name
    (constraint,) = (c for c in model._meta.constraints if c.name == constraint_name)
    table = model._meta.db_table
    columns = ", ".join(f"{table}.{model._meta.get_field(name).column}" for name in constraint.fields)
    return str(cause or error) == f"UNIQUE constraint failed: {columns}"


def post_message(
    case: Case, author: str, body: str, *, staff_user=None, files: list[FileInput] = (), is_feedback: bool = False
) -> Message:
    """A message in the case's thread. A handler's first message is the first
    contact with the reporter (and acknowledges a report registered on their
    behalf); ``is_feedback`` marks it as the substantive feedback the reporter
    is owed within 3 months."""
    now = timezone.now()
    key = case.key
    by_handler = author == Message.Author.BEHANDELAAR
    message = _sealed_message(case, key, author, body, now, staff_user=staff_user)
    message.is_feedback = by_handler and is_feedback
    attachments = [_seal_attachment(case, key, f, author, now, message=message) for f in files]
    actor = actor_for_user(staff_user) if staff_user else REPORTER
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        try:
            check_message(locked.state, by_reporter=author == Message.Author.MELDER)
        except MessageNotAllowed:
            if author == Message.Author.MELDER:
                raise ClosedForReporter from None
            raise
        message.save()
        for attachment in attachments:
            attachment.save()
        if by_handler:
            changed = _handler_wrote(locked, now, message.is_feedback, actor=actor, staff_user=staff_user)
            if changed:
                _refresh_deadlines(locked)
            for name in ("state", "acknowledged_at", "feedback_due", "first_contact_at", "feedback_given_at"):
                setattr(case, name, getattr(locked, name))
        record(
            "message.sent",
            actor=actor,
            organisation=case.organisation,
            case=case,
            author=author,
            attachments=len(attachments),
            feedback=message.is_feedback,
        )
        if author == Message.Author.MELDER:
            kind = CaseAttention.Kind.ATTACHMENT if attachments else CaseAttention.Kind.MESSAGE
            notification_service.reporter_activity(case, kind)
    return message


def _handler_wrote(locked: Case, now, is_feedback: bool, *, actor: str, staff_user) -> bool:
    """What a handler's message meets, on the locked row; whether anything changed."""
    changed = []
    if locked.first_contact_at is None:
        locked.first_contact_at = now
        changed.append("first_contact_at")
    if locked.acknowledged_at is None:
        # A report registered on someone's behalf is acknowledged by the
        # handler's first message to the reporter.
        _acknowledge(locked, now)
        changed += ["acknowledged_at", "feedback_due"]
        if locked.state == State.ONTVANGEN:
            _move(locked, "bevestigen", State.ONTVANGSTBEVESTIGD, now, actor=actor, staff_user=staff_user)
            changed.append("state")
    if is_feedback and locked.feedback_given_at is None:
        locked.feedback_given_at = now
        changed.append("feedback_given_at")
    if changed:
        locked.save(update_fields=changed)
    return bool(changed)


def _acknowledge(case: Case, now) -> None:
    organisation = case.organisation
    case.acknowledged_at = now
    case.feedback_due = deadlines.feedback_due(
        case.received_at,
        now,
        acknowledgement_days=organisation.acknowledgement_days,
        months=organisation.feedback_months,
    )


def _refresh_deadlines(case: Case) -> None:
    from meldpunt.escalation import service as escalation_service

    escalation_service.refresh(case)


class ClosedForReporter(Exception):
    """The case is withdrawn or closed; the reporter can no longer add to it."""


def _event(
    case: Case, kind: str, now, *, actor: str, staff_user=None, sealed: dict | None = None, **fields
) -> CaseEvent:
    event = CaseEvent(case=case, kind=kind, at=now, actor=actor, staff_user=staff_user, **fields)
    if sealed:
        event.sealed_text = case.key.seal_json(f"event:{event.public_id}", sealed)
    event.save()
    return event


def _move(locked: Case, step_name: str, target: str, now, *, actor: str, staff_user=None, sealed=None, **fields):
    """Put the locked case in ``target`` and write the timeline entry and the audit event."""
    previous, locked.state = locked.state, target
    _event(
        locked,
        CaseEvent.Kind.STEP,
        now,
        actor=actor,
        staff_user=staff_user,
        sealed=sealed,
        step=step_name,
        from_state=previous,
        to_state=target,
        **fields,
    )
    record(
        "case.state_changed",
        actor=actor,
        organisation=locked.organisation,
        case=locked,
        step=step_name,
        **{"from": previous, "to": target},
        **({"outcome": fields["outcome"]} if fields.get("outcome") else {}),
    )
    return previous


@dataclass
class StepInput:
    """What a handler gives with a step; which of it is needed is in ``workflow.STEPS``."""

    reason: str = ""
    outcome: str = ""
    referred_to: str = ""
    investigation: str = ""


def _facts(locked: Case, given: StepInput) -> Facts:
    reopened = (
        CaseEvent.objects.filter(case=locked, kind=CaseEvent.Kind.STEP, step="heropenen")
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    feedback_given = locked.feedback_given_at is not None
    if feedback_given and reopened is not None:
        # A reopened case owes the reporter new feedback before it closes again.
        feedback_given = (
            Message.objects.filter(case=locked, is_feedback=True, sent_at__gte=reopened).exists()
            or CaseEvent.objects.filter(
                case=locked, kind=CaseEvent.Kind.CONVERSATION, detail__feedback=True, at__gte=reopened
            ).exists()
        )
    return Facts(
        acknowledged=locked.acknowledged_at is not None,
        feedback_given=feedback_given,
        # A closure offer of support since the case was last reopened (``nazorg.support``).
        aftercare_offered=support.offered_for_closure(locked, since=reopened),
        reason=given.reason,
        outcome=given.outcome,
        referred_to=given.referred_to,
        investigation=given.investigation,
    )


def case_facts(case: Case) -> Facts:
    """What the lifecycle table knows of the case now, without a step's input
    (for pages that show what a step still needs: feedback, aftercare)."""
    return _facts(case, StepInput())


def take_step(case: Case, name: str, given: StepInput | None = None, *, staff_user=None, by_reporter=False) -> Case:
    """Take the lifecycle step ``name`` (``workflow.STEPS``), or raise
    ``TransitionNotAllowed`` (no such step from this state for this actor) or
    ``StepIncomplete`` (a reason, outcome, feedback, ... is missing). Decided on
    the locked row, so a view's earlier look at the state never decides.
    Reopening routes the case again by today's registry and protocol."""
    given = given or StepInput()
    actor = REPORTER if by_reporter else actor_for_user(staff_user)
    now = timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
        step = check_step(
            locked.state, name, by=REPORTER_STEP if by_reporter else STAFF_STEP, facts=_facts(locked, given)
        )
        outcome = step.outcome or (given.outcome if "outcome" in step.needs else "")
        sealed = {"text": given.reason.strip()} if given.reason.strip() else {}
        if given.referred_to.strip():
            sealed["referred_to"] = given.referred_to.strip()
        changed = ["state"]
        if step.name == "bevestigen" and locked.acknowledged_at is None:
            _acknowledge(locked, now)
            changed += ["acknowledged_at", "feedback_due"]
            _sealed_message(locked, locked.key, Message.Author.SYSTEEM, acknowledgement_text(locked), now).save()
        if step.name == "onderzoeken":
            locked.investigation = given.investigation
            changed.append("investigation")
        if step.name in ASSESSMENT_DECISIONS and locked.state == State.BEOORDELING and locked.assessed_at is None:
            locked.assessed_at = now
            changed.append("assessed_at")
        if step.target in CLOSED_STATES:
            locked.outcome, locked.closed_at = outcome, now
            changed += ["outcome", "closed_at"]
        elif locked.state in CLOSED_STATES:
            locked.outcome, locked.closed_at = "", None
            changed += ["outcome", "closed_at"]
        previous = _move(
            locked,
            step.name,
            step.target,
            now,
            actor=actor,
            staff_user=staff_user,
            sealed=sealed,
            outcome=outcome,
            detail={"investigation": given.investigation} if step.name == "onderzoeken" else {},
        )
        locked.save(update_fields=changed)
        if reopens(previous, step.target):
            route_case(locked, trigger=REOPENED, actor=actor)
        else:
            _refresh_deadlines(locked)
    for name_ in ["state", *changed]:
        setattr(case, name_, getattr(locked, name_))
    return case


def withdraw(case: Case, *, erase_identity: bool = False) -> Case:
    """The reporter withdraws. The case is kept for the register's retention
    period (never deleted here); a wish to have their identity erased is
    recorded for the retention rules to carry out."""
    with transaction.atomic():
        take_step(case, "intrekken", by_reporter=True)
        if erase_identity:
            now = timezone.now()
            Case.objects.filter(pk=case.pk, erasure_requested_at__isnull=True).update(erasure_requested_at=now)
            case.erasure_requested_at = now
            record("case.erasure_requested", actor=REPORTER, organisation=case.organisation, case=case)
        notification_service.reporter_activity(case, CaseAttention.Kind.WITHDRAWN)
    return case


def record_read(staff_user, case: Case, what: str = "case") -> None:
    record("case.read", actor=actor_for_user(staff_user), organisation=case.organisation, case=case, what=what)


def record_reporter_read(case: Case, what: str = "inbox") -> None:
    """The reporter read their own report (the inbox) or one of its attachments."""
    record("case.read", actor=REPORTER, organisation=case.organisation, case=case, what=what)


def add_subject(case: Case, subject: SubjectInput, *, staff_user) -> SubjectLink:
    """Re-classify a case: name another person. Routing runs again at once;
    whoever is now excluded loses access in the same transaction."""
    link = SubjectLink(case=case, role=subject.role, person=subject.person, origin=SubjectLink.Origin.BEHANDELAAR)
    if subject.person is None:
        link.sealed_description = case.key.seal_json(
            f"subject:{link.public_id}", {"name": subject.name, "function": subject.function}
        )
        keys = linking.outsider_keys(case.organisation_id, subject.name or subject.function)
        link.outsider_key = keys[0] if keys else ""
    actor = actor_for_user(staff_user)
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        link.save()
        record("case.subject_added", actor=actor, organisation=case.organisation, case=case, role=subject.role)
        route_case(case, trigger=RECLASSIFIED, actor=actor)
        release_unavailable(case.organisation, actor=actor)
        patterns.case_joined(case)
    return link


class EventRefused(Exception):
    """A timeline entry that cannot be recorded as given; ``errors`` maps the field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


def _check_day(day: datetime.date | None, case: Case, *, field_name: str = "date", not_before_case=True) -> None:
    today = timezone.localdate()
    if day is None:
        raise EventRefused({field_name: _("Vul een datum in.")})
    if day > today:
        raise EventRefused({field_name: _("Deze datum ligt in de toekomst. Vul de datum in waarop het gebeurde.")})
    if not_before_case and day < timezone.localtime(case.received_at).date():
        raise EventRefused(
            {
                field_name: _("Deze datum ligt vóór de ontvangst van de melding (%(day)s).")
                % {"day": long_date(case.received_at)}
            }
        )


def _record_event(case: Case, kind: str, *, staff_user, audit_action: str, sealed=None, set_field="", **fields):
    actor = actor_for_user(staff_user)
    now = timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
        event = _event(locked, kind, now, actor=actor, staff_user=staff_user, sealed=sealed, **fields)
        if set_field and getattr(locked, set_field) is None:
            setattr(locked, set_field, now)
            locked.save(update_fields=[set_field])
            setattr(case, set_field, now)
            _refresh_deadlines(locked)
        record(audit_action, actor=actor, organisation=locked.organisation, case=locked)
    return event


def add_note(case: Case, text: str, *, staff_user) -> CaseEvent:
    """An internal note: for the case's handlers only, never shown to the reporter."""
    if not text.strip():
        raise EventRefused({"text": _("Schrijf de notitie.")})
    return _record_event(
        case, CaseEvent.Kind.NOTE, staff_user=staff_user, audit_action="case.note_added", sealed={"text": text.strip()}
    )


def record_hearing(case: Case, *, day: datetime.date, heard_by: str, summary: str, staff_user) -> CaseEvent:
    """Hoor en wederhoor: the accused was heard, on which day, by whom, and what they said."""
    _check_day(day, case)
    errors = {}
    if not heard_by.strip():
        errors["heard_by"] = _("Schrijf op wie de beschuldigde heeft gehoord.")
    if not summary.strip():
        errors["text"] = _("Schrijf kort op wat de beschuldigde zei.")
    if errors:
        raise EventRefused(errors)
    return _record_event(
        case,
        CaseEvent.Kind.HEARING,
        staff_user=staff_user,
        audit_action="case.hearing_recorded",
        sealed={"text": summary.strip(), "heard_by": heard_by.strip()},
        occurred_on=day,
    )


def record_conversation(
    case: Case, *, day: datetime.date, held_by: str, summary: str, is_feedback: bool, staff_user
) -> CaseEvent:
    """A conversation with a named reporter who does not use the inbox (phone, in
    person). Marked as feedback, it is the proof of substantive feedback."""
    _check_day(day, case)
    errors = {}
    if not held_by.strip():
        errors["held_by"] = _("Schrijf op wie het gesprek voerde.")
    if not summary.strip():
        errors["text"] = _("Schrijf kort op wat er besproken is.")
    if errors:
        raise EventRefused(errors)
    return _record_event(
        case,
        CaseEvent.Kind.CONVERSATION,
        staff_user=staff_user,
        audit_action="case.conversation_recorded",
        sealed={"text": summary.strip(), "held_by": held_by.strip()},
        occurred_on=day,
        detail={"feedback": bool(is_feedback)},
        set_field="feedback_given_at" if is_feedback else "",
    )


def record_aftercare_offer(case: Case, *, day: datetime.date, how: str, staff_user) -> CaseEvent:
    """The reporter was offered support (the vertrouwenspersoon, ...), on which day and how."""
    _check_day(day, case)
    if not how.strip():
        raise EventRefused(
            {"text": _("Schrijf op wat er is aangeboden en hoe (bijvoorbeeld: per bericht, de vertrouwenspersoon).")}
        )
    with transaction.atomic():
        event = _record_event(
            case,
            CaseEvent.Kind.AFTERCARE,
            staff_user=staff_user,
            audit_action="case.aftercare_offered",
            sealed={"text": how.strip()},
            occurred_on=day,
            set_field="aftercare_offered_at",
        )
        # The offer the closing step needs (``nazorg.support.offered_for_closure``).
        support.record_offer(case, event=event, staff_user=staff_user)
    return event


def record_accused_left(case: Case, *, person, reason: str, day: datetime.date | None, staff_user) -> CaseEvent:
    """An accused named in the case left their position (aftreden, einde termijn,
    ontslag, overlijden): an event on the case, never its end. The appointments
    the person held on that day end in the registry with that reason; the case
    keeps its state, its deadlines and its escalations."""
    from meldpunt.registry import actions as registry_actions
    from meldpunt.registry.models import Appointment, EndReason

    errors = {}
    if person is None or not case.subjects.filter(role=SubjectLink.Role.BESCHULDIGDE, person=person).exists():
        errors["person"] = _("Kies een beschuldigde die in deze zaak staat.")
    if reason not in EndReason.values:
        errors["reason"] = _("Kies hoe de beschuldigde vertrok: aftreden, einde termijn, ontslag of overlijden.")
    if errors:
        raise EventRefused(errors)
    # The accused may have left before the report came in (the seed's wethouder did).
    _check_day(day, case, not_before_case=False)
    held = Appointment.objects.filter(Appointment.held_on(day), person=person).select_related("position")
    with transaction.atomic():
        for appointment in held:
            appointment.end_date, appointment.end_reason = day, reason
            registry_actions.end_appointment(appointment, staff_user=staff_user)
        return _record_event(
            case,
            CaseEvent.Kind.ACCUSED_LEFT,
            staff_user=staff_user,
            audit_action="case.accused_left",
            person=person,
            occurred_on=day,
            detail={"reason": reason},
        )
