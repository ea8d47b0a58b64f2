"""Request and response schemas of API v1."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema


class ErrorOut(Schema):
    """Every error: a stable code, a message in the language asked for, the field at fault if any."""

    code: str
    detail: str
    field: str | None = None


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=256)


class TokenOut(Schema):
    token: str
    expires_at: datetime


class ChannelOut(Schema):
    channel: str
    time_limit: Decimal | None
    time_unit: str
    fee_text: str
    fee_amount: Decimal | None
    currency: str
    description: str


class DocumentOut(Schema):
    group: str
    name: str
    form_name: str
    originals: int
    copies: int


class ResultOut(Schema):
    name: str
    code: str


class OfferingOut(Schema):
    agency_code: str
    agency_name: str
    local_code: str
    online_mode: str
    historical_level: int | None
    boundary_free: str
    partial_reason: str


class ProcedureSummary(Schema):
    national_code: str
    name: str
    issuing_body: str
    field: str | None
    implementing_levels: list[str]


class ProcedureOut(ProcedureSummary):
    decision_number: str
    procedure_type: str
    applicant_types: str
    competent_agency_text: str
    implementing_agency_text: str
    steps: str
    conditions: str
    legal_basis_numbers: list[str]
    legal_basis_text: str
    source_url: str
    channels: list[ChannelOut]
    documents: list[DocumentOut]
    results: list[ResultOut]
    offerings: list[OfferingOut]


class AgencyOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None
    admin_unit_code: str | None
    depth: int


class DueDateOut(Schema):
    received_at: datetime
    limit: Decimal
    unit: str
    due_at: datetime


class ApplicantIn(Schema):
    full_name: str = Field(..., max_length=200)
    id_number: str = Field(..., max_length=20)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=500)


class SubmitIn(Schema):
    procedure_code: str = Field(..., max_length=40)
    receiving_agency_code: str = Field(..., max_length=32)
    competent_agency_code: str | None = Field(None, max_length=32)
    channel: str = Field("online", pattern="^(online|in_person|postal|kiosk)$")
    applicant: ApplicantIn
    form_data: dict[str, object] = Field(default_factory=dict)
    delivery_method: str = Field("online", pattern="^(online|counter|post)$")
    delivery_address: str = Field("", max_length=500)
    filed_at: datetime | None = None


class EventOut(Schema):
    sequence: int
    action: str
    from_status: str
    to_status: str
    at: datetime
    reason: str
    agency_code: str | None
    actor_roles: list[str]


class LegOut(Schema):
    id: int
    agency_code: str
    mode: str
    position: int
    task: str
    started_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None


class DossierSummary(Schema):
    code: str | None
    procedure_code: str
    procedure_name: str
    status: str
    national_status_code: int | None
    channel: str
    receiving_agency_code: str
    competent_agency_code: str
    submitted_at: datetime | None
    due_at: datetime | None


class DossierOut(DossierSummary):
    applicant_name: str
    delivery_method: str
    accepted_at: datetime | None
    competent_received_at: datetime | None
    clock_started_at: datetime | None
    original_due_at: datetime | None
    extended_due_at: datetime | None
    resolved_at: datetime | None
    returned_at: datetime | None
    result_code: str
    allowed_actions: list[str]
    legs: list[LegOut]
    timeline: list[EventOut]


class NoteIn(Schema):
    note: str = Field("", max_length=4000)


class ReasonsIn(Schema):
    reasons: list[str] = Field(..., min_length=1)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=4000)


class MissingItem(Schema):
    document: str = Field(..., max_length=500)
    reason: str = Field(..., max_length=2000)


class SupplementRequestIn(Schema):
    missing: list[MissingItem] = Field(..., min_length=1)


class SupplementIn(Schema):
    note: str = Field("", max_length=4000)
    form_data: dict[str, object] = Field(default_factory=dict)


class AssignIn(Schema):
    assignee: str = Field(..., description="username of the specialist")
    note: str = Field("", max_length=4000)


class OpinionIn(Schema):
    opinion: str = Field(..., min_length=1, max_length=4000)


class ConsultIn(Schema):
    unit_code: str
    question: str = Field(..., min_length=1, max_length=4000)
    working_days: int = Field(..., gt=0, le=365)


class AnswerIn(Schema):
    answer: str = Field(..., min_length=1, max_length=4000)


class LegIn(Schema):
    agency_code: str
    working_days: Decimal = Field(..., gt=0, le=365)
    task: str = Field("", max_length=500)


class TransferIn(Schema):
    mode: str = Field(..., pattern="^(sequential|parallel)$")
    legs: list[LegIn] = Field(..., min_length=1)


class PaymentRequestIn(Schema):
    amount: Decimal = Field(..., gt=0)
    reason: str = Field(..., min_length=1, max_length=1000)


class PaymentConfirmIn(Schema):
    reference: str = Field(..., min_length=1, max_length=200)


class ExtensionIn(Schema):
    reason: str = Field(..., min_length=1, max_length=4000)
    new_due_at: datetime


class StopIn(Schema):
    requested_by: str = Field(..., pattern="^(applicant|agency)$")
    reason: str = Field(..., min_length=1, max_length=4000)
    decision: str = Field("", max_length=500)


class ResolveIn(Schema):
    note: str = Field("", max_length=4000)
    result_code: str = Field("", max_length=80)


class ReturnIn(Schema):
    method: str | None = Field(None, pattern="^(online|counter|post)$")
