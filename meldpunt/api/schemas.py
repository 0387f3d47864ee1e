"""What the API answers, as schemas (the OpenAPI reference is generated from these)."""

import datetime
import uuid

from ninja import Schema
from pydantic import Field

from meldpunt.maatregelen.api import MeasureOut


class FieldProblem(Schema):
    field: str = Field(description="The field that was wrong; empty for the input as a whole.")
    detail: str


class Problem(Schema):
    """RFC 9457 problem details (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


class AttachmentOut(Schema):
    id: uuid.UUID
    name: str
    content_type: str
    size: int


class MessageOut(Schema):
    id: uuid.UUID
    author: str = Field(description="melder, behandelaar or systeem")
    sent_at: datetime.datetime
    body: str
    attachments: list[AttachmentOut]


class Deadlines(Schema):
    acknowledgement_due: datetime.datetime = Field(description="First contact with the reporter at the latest.")
    feedback_due: datetime.datetime = Field(description="Feedback on what was done with the report at the latest.")
    acknowledged_at: datetime.datetime | None


class Submitted(Schema):
    receipt_code: str = Field(description="Shown once: the reporter's only key to their inbox. Never stored.")
    received_at: datetime.datetime
    deadlines: Deadlines


class InboxLogin(Schema):
    code: str = Field(description="The receipt code (28 digits, or 24 for a code from before December 2026).")


class InboxSessionOut(Schema):
    token: str = Field(description="Bearer token for the inbox endpoints; ends after idle_seconds without a request.")
    idle_seconds: int


class InboxOut(Schema):
    state: str
    state_label: str
    explanation: str = Field(description="Where the report stands, in plain words (as the inbox page says it).")
    can_write: bool
    received_at: datetime.datetime
    deadlines: Deadlines
    description: str = Field(description="The report as the reporter sent it.")
    messages: list[MessageOut]


class Done(Schema):
    detail: str


class SubjectOut(Schema):
    role: str
    name: str
    function: str = ""
    registry_id: int | None = None


class CaseSummary(Schema):
    reference: str
    kind: str
    channel: str
    state: str
    received_at: datetime.datetime
    deadlines: Deadlines


class StepOut(Schema):
    name: str
    label: str
    needs: list[str] = Field(description="What the step needs: reason, outcome, referred_to, investigation, ...")


class CaseOut(CaseSummary):
    relation: str
    anonymous: bool
    wishes: list[str]
    content: dict[str, str] = Field(description="The report's text fields as the reporter filled them in.")
    subjects: list[SubjectOut]
    attachments: list[AttachmentOut]
    next_steps: list[StepOut] = Field(description="The lifecycle steps you may take now (handlers only).")
    measures: list[MeasureOut] = Field(description="The measures register of the case (read-only here).")


class StepIn(Schema):
    step: str = Field(description="A step from next_steps, for example beoordelen, besluiten, afsluiten.")
    reason: str = ""
    outcome: str = Field("", description="When closing: gegrond, ongegrond or niet_vast_te_stellen.")
    referred_to: str = ""
    investigation: str = Field("", description="When starting an investigation: intern or extern.")


class NotificationOut(Schema):
    id: int
    kind: str
    reason: str
    case: str | None = Field(description="The case reference, when the notification is about a case.")
    created_at: datetime.datetime
    read: bool
