"""What an officer may do with a dossier now, counter intake, and bulk work.

``allowed_actions`` reads the transition table and the role rules (``workflow``): the workspace shows exactly
the actions the law allows in the dossier's status and the officer's roles allow over its agencies.
``intake`` is the one-stop counter filing on behalf of a person who walked in (or the post handing over a
dossier): the same form schema as the portal, paper documents scanned and marked digitized, and the
dossier accepted on the spot with its receipt (Form 01). ``bulk`` applies one action to many dossiers where
the law allows it (receive, assign, return), each in its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction

from motcua.accounts.models import User
from motcua.agencies.models import Agency
from motcua.calendar.services import load_calendar
from motcua.catalogue.forms import FieldError, validate_all
from motcua.catalogue.models import Channel, Procedure, RequiredDocument
from motcua.catalogue.selectors import form_schema_for
from motcua.core.clock import to_vn
from motcua.core.errors import DomainError, PermissionDenied
from motcua.documents.models import StoredFile
from motcua.dossiers import services
from motcua.dossiers.constants import Action, DeliveryMethod
from motcua.dossiers.models import AttachmentPurpose, Dossier, DossierAttachment, DossierLeg
from motcua.dossiers.workflow import TRANSITIONS, authorise


def allowed_actions(actor: User, dossier: Dossier) -> list[Action]:
    """Actions legal in the dossier's status that ``actor`` holds a role for (submission excluded)."""
    found: list[Action] = []
    for (status, action), _targets in TRANSITIONS.items():
        if status != dossier.status or action in (Action.SUBMIT, Action.SUPPLEMENT) or action in found:
            continue
        try:
            if action == Action.COMPLETE_LEG:
                if open_leg_for(actor, dossier) is None:
                    continue
            else:
                authorise(actor, dossier, action)
        except PermissionDenied:
            continue
        found.append(action)
    return found


def open_leg_for(actor: User, dossier: Dossier) -> DossierLeg | None:
    """The running transfer leg ``actor`` may complete (the workflow's leg rule decides), if any."""
    legs = DossierLeg.objects.filter(dossier=dossier, started_at__isnull=False, completed_at__isnull=True)
    for leg in legs.select_related("agency").order_by("position", "id"):
        try:
            authorise(actor, dossier, Action.COMPLETE_LEG, leg_agency=leg.agency)
        except PermissionDenied:
            continue
        return leg
    return None


@dataclass(frozen=True)
class ScannedDocument:
    label: str
    stored_file: StoredFile
    requirement_id: int | None = None


@dataclass
class IntakeProblems(Exception):
    """Everything wrong with a counter intake at once, per field (the officer fixes all in one pass)."""

    errors: dict[str, FieldError] = field(default_factory=dict)


@transaction.atomic
def intake(
    *,
    actor: User,
    procedure: Procedure,
    receiving_agency: Agency,
    competent_agency: Agency | None,
    applicant: services.Applicant,
    answers: dict[str, Any],
    scans: list[ScannedDocument],
    channel: Channel | str = Channel.IN_PERSON,
    delivery_method: DeliveryMethod | str = DeliveryMethod.COUNTER,
    delivery_address: str = "",
    filed_at: datetime | None = None,
    accept_now: bool = True,
    today: date,
) -> Dossier:
    """File a paper dossier at the counter (or a postal hand-over) and, when complete, accept it at once."""
    channel = Channel(channel)
    if channel not in (Channel.IN_PERSON, Channel.POSTAL):
        raise DomainError(
            "counter_channel",
            "Tại quầy chỉ tiếp nhận hồ sơ nộp trực tiếp hoặc qua bưu chính.",
            "The counter takes dossiers filed in person or by post.",
            field="channel",
        )
    schema = form_schema_for(procedure)
    problems = validate_all(schema, answers, today=today)
    if problems:
        raise IntakeProblems({name: error for name, (_page, error) in problems.items()})
    dossier = services.submit(
        actor=actor,
        procedure=procedure,
        receiving_agency=receiving_agency,
        competent_agency=competent_agency,
        channel=channel,
        applicant=applicant,
        form_data={"schema_version": schema.version, "answers": answers},
        delivery_method=delivery_method,
        delivery_address=delivery_address,
        filed_at=filed_at,
    )
    requirements = {r.id: r for r in RequiredDocument.objects.filter(procedure=procedure)}
    for scan in scans:
        requirement = requirements.get(scan.requirement_id) if scan.requirement_id else None
        DossierAttachment.objects.create(
            dossier=dossier,
            stored_file=scan.stored_file,
            requirement=requirement,
            label=(scan.label or (requirement.name if requirement else ""))[:500],
            purpose=AttachmentPurpose.SUBMISSION,
            digitized=True,
            added_by=actor,
        )
    if accept_now:
        dossier = services.accept(dossier, actor=actor, note="Tiếp nhận tại quầy")
    return dossier


# --- Bulk work --------------------------------------------------------------------------------------------

BULK_ACTIONS: dict[str, tuple[str, str]] = {
    Action.ACCEPT: ("Tiếp nhận", "Accept"),
    Action.ASSIGN: ("Phân công", "Assign"),
    Action.RETURN_RESULT: ("Trả kết quả", "Return the result"),
}


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def bulk(
    actor: User,
    dossiers: list[Dossier],
    action: Action | str,
    *,
    assignee: User | None = None,
    language: str = "vi",
) -> BulkResult:
    """Apply one action to many dossiers, each in its own transaction: one refusal does not undo the others.
    Only receiving, assigning and returning may be done in bulk: every other step needs a judgement per dossier."""
    action = Action(action)
    if action not in BULK_ACTIONS:
        raise DomainError(
            "bulk_not_allowed",
            "Thao tác này phải làm riêng cho từng hồ sơ.",
            "This action must be done dossier by dossier.",
            field="action",
        )
    if action == Action.ASSIGN and assignee is None:
        raise DomainError(
            "assignee_required",
            "Vui lòng chọn người được phân công.",
            "Choose who to assign.",
            field="assignee",
        )
    steps: dict[Action, Callable[[Dossier], Dossier]] = {
        Action.ACCEPT: lambda d: services.accept(d, actor=actor, note="Tiếp nhận hàng loạt"),
        Action.ASSIGN: lambda d: services.assign(d, actor=actor, assignee=assignee),  # type: ignore[arg-type]
        Action.RETURN_RESULT: lambda d: services.return_result(d, actor=actor),
    }
    result = BulkResult()
    for dossier in dossiers:
        try:
            with transaction.atomic():
                steps[action](dossier)
        except DomainError as error:
            result.failed[str(dossier.code)] = error.message(language)
        else:
            result.done.append(str(dossier.code))
    return result


@dataclass(frozen=True)
class LegUse:
    """How much of its time an agency leg used: working days from its start to its completion (or today)."""

    leg: DossierLeg
    used_working_days: int | None
    late: bool


def leg_usage(dossier: Dossier, today: date) -> list[LegUse]:
    calendar = load_calendar()
    rows = []
    for leg in dossier.legs.select_related("agency").order_by("position", "id"):
        if leg.started_at is None:
            rows.append(LegUse(leg, None, False))
            continue
        end = to_vn(leg.completed_at).date() if leg.completed_at else today
        used = calendar.working_days_between(to_vn(leg.started_at).date(), end)
        finished = leg.completed_at or datetime.combine(
            today, datetime.max.time(), tzinfo=leg.started_at.tzinfo
        )
        rows.append(LegUse(leg, used, bool(leg.due_at and finished > leg.due_at)))
    return rows
