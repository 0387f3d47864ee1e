"""Every change to a case, as a named action.

Each action takes the actor, does its work in one transaction and writes
the audit event in that same transaction: either all of it is stored or
nothing is. Slow work (argon2, encryption) happens before the transaction
starts, so no lock is held while it runs.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.audit.log import actor_for_user, record
from meldpunt.cases import deadlines
from meldpunt.cases.models import Attachment, Case, CaseCounter, Channel, Kind, Message, State, SubjectLink
from meldpunt.cases.receipts import ReceiptCode
from meldpunt.cases.workflow import MessageNotAllowed, check_message, check_transition, reopens
from meldpunt.crypto import CaseKey
from meldpunt.dates import long_date, long_datetime
from meldpunt.notifications import service as notification_service
from meldpunt.notifications.models import CaseAttention
from meldpunt.protocol.service import RECLASSIFIED, REOPENED, route_case
from meldpunt.protocol.snapshot import registry_view
from meldpunt.protocol.versions import current_version

REPORTER = "melder"


@dataclass
class SubjectInput:
    role: str
    person: object = None  # a registry Person, already checked to belong to the organisation
    name: str = ""
    function: str = ""


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
        received_at=now,
        registered_by=registered_by,
        receipt_hash=code.secret_hash(),
    )
    # Online reports are acknowledged the moment they arrive.
    case.acknowledged_at = now if channel == Channel.ONLINE else None
    case.acknowledgement_due = deadlines.acknowledgement_due(now)
    case.feedback_due = deadlines.feedback_due(now, case.acknowledged_at)
    key, case.key_id, case.wrapped_key = CaseKey.create(case.key_context)
    case.__dict__["key"] = key
    case.sealed_content = key.seal_json("content", report.sealed_fields())

    # The child rows are built afresh for every attempt (a failed attempt
    # leaves them pointing at a row that was rolled back); what is sealed is
    # sealed once, since its associated data names only the case's and the
    # row's public ids, which stay the same on a retry.
    subjects = []
    for subject in report.subjects:
        public_id = uuid.uuid4()
        sealed = None
        if subject.person is None:
            sealed = key.seal_json(f"subject:{public_id}", {"name": subject.name, "function": subject.function})
        subjects.append((public_id, subject, sealed))
    attachments = [
        _seal_attachment(case, key, f, REPORTER if not registered_by else "behandelaar", now) for f in report.files
    ]
    actor = actor_for_user(registered_by) if registered_by else REPORTER

    for _attempt in range(LOOKUP_ATTEMPTS):
        case.pk = None
        case._state.adding = True
        case.receipt_lookup = code.lookup
        try:
            with transaction.atomic():
                # Everything that does not need the case number first, under a
                # provisional reference (unique: it carries the case's public id),
                # so the per-organisation counter row and the audit chain's head,
                # which every submission of the organisation waits for, are
                # locked only for the short serial tail below.
                case.reference = f"~{case.public_id}"
                case.save()
                if on_stored is not None:
                    on_stored(case, code)
                SubjectLink.objects.bulk_create(
                    SubjectLink(case=case, role=s.role, person=s.person, public_id=public_id, sealed_description=sealed)
                    for public_id, s, sealed in subjects
                )
                Attachment.objects.bulk_create(_copy(attachment, case=case) for attachment in attachments)
                if case.acknowledged_at:
                    _sealed_message(case, key, Message.Author.SYSTEEM, acknowledgement_text(case), now).save()
                # What routing reads (the registry, the protocol in force) is read here too.
                registry, version = registry_view(organisation), current_version(organisation)
                # The serial tail: number, audit event, routing (which writes its
                # own audit event and the case's recipients) and the notifications
                # to those recipients, then commit.
                case.reference = _next_reference(organisation, now)
                Case.objects.filter(pk=case.pk).update(reference=case.reference)
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
                route_case(case, trigger="submitted", actor=actor, registry=registry, version=version)
                notification_service.case_submitted(case)
            return case, code
        except IntegrityError as error:
            if not _violates(error, Case, "case_receipt_lookup_unique"):
                raise
            # Another case of the organisation has this look-up part. Nothing
            # was stored; try again with a new one (the secret stays).
            code = ReceiptCode(lookup=ReceiptCode.generate().lookup, secret=code.secret)
    raise RuntimeError("could not allocate a receipt code")


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


def _next_reference(organisation, now) -> str:
    year = timezone.localtime(now).year
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(organisation=organisation, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:04d}"


def post_message(case: Case, author: str, body: str, *, staff_user=None, files: list[FileInput] = ()) -> Message:
    now = timezone.now()
    key = case.key
    message = _sealed_message(case, key, author, body, now, staff_user=staff_user)
    attachments = [_seal_attachment(case, key, f, author, now, message=message) for f in files]
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
        if author == Message.Author.BEHANDELAAR and locked.acknowledged_at is None:
            # A report registered on someone's behalf is acknowledged by the
            # handler's first message to the reporter.
            locked.acknowledged_at = now
            locked.feedback_due = deadlines.feedback_due(locked.received_at, now)
            locked.save(update_fields=["acknowledged_at", "feedback_due"])
            case.acknowledged_at, case.feedback_due = locked.acknowledged_at, locked.feedback_due
        record(
            "message.sent",
            actor=actor_for_user(staff_user) if staff_user else REPORTER,
            organisation=case.organisation,
            case=case,
            author=author,
            attachments=len(attachments),
        )
        if author == Message.Author.MELDER:
            kind = CaseAttention.Kind.ATTACHMENT if attachments else CaseAttention.Kind.MESSAGE
            notification_service.reporter_activity(case, kind)
    return message


class ClosedForReporter(Exception):
    """The case is withdrawn or closed; the reporter can no longer add to it."""


def change_state(case: Case, target: str, *, actor: str) -> Case:
    """Move the case to ``target``, or raise ``TransitionNotAllowed`` (decided on
    the locked row, so a view's earlier look at the state never decides).
    Reopening a case routes it again by today's registry and protocol."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        check_transition(locked.state, target, by_reporter=actor == REPORTER)
        previous, locked.state = locked.state, target
        locked.save(update_fields=["state"])
        record(
            "case.state_changed",
            actor=actor,
            organisation=case.organisation,
            case=case,
            **{"from": previous, "to": target},
        )
        case.state = target
        if reopens(previous, target):
            route_case(locked, trigger=REOPENED, actor=actor)
    return case


def withdraw(case: Case) -> Case:
    with transaction.atomic():
        change_state(case, State.INGETROKKEN, actor=REPORTER)
        notification_service.reporter_activity(case, CaseAttention.Kind.WITHDRAWN)
    return case


def record_read(staff_user, case: Case, what: str = "case") -> None:
    record("case.read", actor=actor_for_user(staff_user), organisation=case.organisation, case=case, what=what)


def add_subject(case: Case, subject: SubjectInput, *, staff_user) -> SubjectLink:
    """Re-classify a case: name another person. Routing runs again at once;
    whoever is now excluded loses access in the same transaction."""
    link = SubjectLink(case=case, role=subject.role, person=subject.person)
    if subject.person is None:
        link.sealed_description = case.key.seal_json(
            f"subject:{link.public_id}", {"name": subject.name, "function": subject.function}
        )
    actor = actor_for_user(staff_user)
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        link.save()
        record("case.subject_added", actor=actor, organisation=case.organisation, case=case, role=subject.role)
        route_case(case, trigger=RECLASSIFIED, actor=actor)
    return link
