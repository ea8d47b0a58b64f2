"""What a citizen sees of and does with their own dossiers, in plain words.

The timeline a citizen reads is the same event log officers and monitoring read, told without internal
detail (who appraised, which division): each event becomes a sentence in Vietnamese and English. Public
tracking by code shows only non-personal facts (procedure, agency, status, dates).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import translation

from motcua.accounts.models import User
from motcua.catalogue.forms import FormSchema, parse_schema, validate_page
from motcua.catalogue.models import Channel, Procedure, ProcedureChannel
from motcua.catalogue.selectors import online_procedure_ids
from motcua.core import outbox_topics
from motcua.core.clock import now, to_vn
from motcua.core.errors import DomainError, NotFound
from motcua.core.models import enqueue
from motcua.documents.models import StoredFile
from motcua.dossiers import deadlines, services
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import (
    AttachmentPurpose,
    Dossier,
    DossierAttachment,
    DossierEvent,
    Evaluation,
    EvaluationQuestionnaire,
)
from motcua.dossiers.workflow import TRANSITIONS


def _en() -> bool:
    return (translation.get_language() or "vi").startswith("en")


# Plain-language status for citizens: (Vietnamese, English). Internal states read as "being processed".
_PLAIN_STATUS: dict[str, tuple[str, str]] = {
    Status.DRAFT: ("Đang soạn", "Being filled in"),
    Status.SUBMITTED: ("Đã nộp, chờ cán bộ kiểm tra", "Submitted, waiting to be checked"),
    Status.REJECTED: ("Không được tiếp nhận", "Not accepted"),
    Status.SUPPLEMENT_REQUESTED: ("Cần bổ sung giấy tờ", "Documents needed from you"),
    Status.SUPPLEMENT_RECEIVED: ("Đã bổ sung, chờ kiểm tra lại", "Supplemented, waiting to be checked again"),
    Status.ACCEPTED: ("Đã tiếp nhận, đang giải quyết", "Accepted, being processed"),
    Status.PROCESSING: ("Đang giải quyết", "Being processed"),
    Status.CONSULTING: ("Đang giải quyết", "Being processed"),
    Status.TRANSFERRED: ("Đang giải quyết (liên thông nhiều cơ quan)", "Being processed by several agencies"),
    Status.PAUSED: ("Tạm dừng", "On hold"),
    Status.AWAITING_PAYMENT: ("Chờ nộp phí, lệ phí", "Waiting for your payment"),
    Status.EXTENSION_REQUESTED: (
        "Chậm so với hẹn, cơ quan đã xin lỗi và hẹn lại",
        "Late: the agency apologised and set a new date",
    ),
    Status.PENDING_APPROVAL: ("Đang giải quyết (chờ lãnh đạo ký)", "Being processed (awaiting signature)"),
    Status.APPROVED: ("Đã được phê duyệt, đang chuẩn bị kết quả", "Approved, result being prepared"),
    Status.REFUSED: ("Không được giải quyết", "Refused"),
    Status.STOPPED: ("Đã dừng giải quyết", "Processing stopped"),
    Status.WITHDRAWN: ("Đã rút hồ sơ", "Withdrawn"),
    Status.RESOLVED: ("Đã có kết quả, chờ trả", "Result ready"),
    Status.RETURNED: ("Đã trả kết quả", "Result delivered"),
}


def plain_status(status: str) -> str:
    vi, en = _PLAIN_STATUS.get(status, (status, status))
    return en if _en() else vi


_EVENT_TEXT: dict[str, tuple[str, str]] = {
    Action.SUBMIT: (
        "Hồ sơ đã được nộp và hệ thống đã nhận.",
        "The dossier was filed and received by the system.",
    ),
    Action.ACCEPT: (
        "Hồ sơ đã được tiếp nhận; thời hạn giải quyết bắt đầu tính.",
        "The dossier was accepted; the time limit started.",
    ),
    Action.REJECT: (
        "Hồ sơ không được tiếp nhận. Lý do: {reason}",
        "The dossier was not accepted. Reason: {reason}",
    ),
    Action.REQUEST_SUPPLEMENT: (
        "Cơ quan đề nghị bổ sung: {reason}",
        "The agency asks you to supplement: {reason}",
    ),
    Action.SUPPLEMENT: ("Hồ sơ đã được bổ sung.", "The dossier was supplemented."),
    Action.COMPETENT_RECEIVE: (
        "Cơ quan có thẩm quyền đã nhận hồ sơ.",
        "The competent agency received the dossier.",
    ),
    Action.TRANSFER: (
        "Hồ sơ được chuyển cho các cơ quan phối hợp giải quyết.",
        "The dossier was sent to the agencies that handle it together.",
    ),
    Action.PAUSE: ("Việc giải quyết tạm dừng. Lý do: {reason}", "Processing is on hold. Reason: {reason}"),
    Action.RESUME: ("Việc giải quyết tiếp tục.", "Processing resumed."),
    Action.REQUEST_PAYMENT: ("Cơ quan đề nghị nộp phí, lệ phí.", "The agency asks you to pay the fees."),
    Action.CONFIRM_PAYMENT: ("Đã ghi nhận khoản phí, lệ phí.", "Your payment was recorded."),
    Action.REQUEST_EXTENSION: (
        "Cơ quan xin lỗi vì chậm giải quyết và hẹn lại. Lý do: {reason}",
        "The agency apologised for the delay and set a new date. Reason: {reason}",
    ),
    Action.CONFIRM_EXTENSION: (
        "Ngày hẹn trả kết quả mới đã được cập nhật.",
        "The new return date was confirmed.",
    ),
    Action.APPROVE: ("Hồ sơ đã được phê duyệt.", "The dossier was approved."),
    Action.REFUSE: (
        "Hồ sơ không được giải quyết. Lý do: {reason}",
        "The dossier was refused. Reason: {reason}",
    ),
    Action.STOP: ("Việc giải quyết đã dừng. Lý do: {reason}", "Processing stopped. Reason: {reason}"),
    Action.RESOLVE: ("Đã có kết quả giải quyết.", "The result is ready."),
    Action.RETURN_RESULT: ("Kết quả đã được trả.", "The result was delivered."),
    Action.WITHDRAW: ("Bạn đã rút hồ sơ. Lý do: {reason}", "You withdrew the dossier. Reason: {reason}"),
}
# Internal steps a citizen does not need to see one by one.
_QUIET = {Action.ASSIGN, Action.PROCESS, Action.CONSULT, Action.CONSULTATION_DONE, Action.COMPLETE_LEG}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str
    agency: str


def citizen_timeline(dossier: Dossier) -> list[TimelineEntry]:
    entries = []
    for event in DossierEvent.objects.filter(dossier=dossier).select_related("agency").order_by("sequence"):
        if event.action in _QUIET or event.action not in _EVENT_TEXT:
            continue
        vi, en = _EVENT_TEXT[event.action]
        text = (en if _en() else vi).format(reason=event.reason or "—")
        entries.append(
            TimelineEntry(at=event.at, text=text, agency=event.agency.name if event.agency else "")
        )
    return entries


def open_supplement_request(dossier: Dossier) -> DossierEvent | None:
    """The supplement request the citizen still has to answer (Form 02 items in its payload)."""
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        return None
    return (
        DossierEvent.objects.filter(dossier=dossier, action=Action.REQUEST_SUPPLEMENT)
        .order_by("-sequence")
        .first()
    )


@transaction.atomic
def supplement_online(
    dossier: Dossier,
    *,
    actor: User,
    files: list[tuple[str, StoredFile]],
    note: str = "",
    at: datetime | None = None,
) -> Dossier:
    """The applicant answers a supplement request online with the missing documents."""
    if not files:
        raise DomainError(
            "supplement_files_required",
            "Vui lòng đính kèm ít nhất một giấy tờ được yêu cầu bổ sung.",
            "Attach at least one of the requested documents.",
            field="file",
        )
    for _label, stored in files:
        if stored.owner_id != actor.id:
            raise NotFound(
                "file_not_found", "Không tìm thấy tệp này.", "This file was not found.", field="file"
            )
    dossier = services.supplement(dossier, actor=actor, note=note, at=at)
    for label, stored in files:
        DossierAttachment.objects.create(
            dossier=dossier,
            stored_file=stored,
            label=label[:500],
            purpose=AttachmentPurpose.SUPPLEMENT,
            added_by=actor,
        )
    return dossier


def attachments_of(dossier: Dossier) -> list[DossierAttachment]:
    return list(dossier.attachments.select_related("stored_file").order_by("added_at", "id"))


def attachment_for(user: User, dossier: Dossier, token: str) -> DossierAttachment:
    """A file of ``dossier`` by its public token, for its applicant only."""
    attachment = (
        DossierAttachment.objects.select_related("stored_file")
        .filter(dossier=dossier, stored_file__token=token)
        .first()
        if dossier.applicant_id == user.id and user.is_authenticated and not user.is_officer
        else None
    )
    if attachment is None:
        raise NotFound("file_not_found", "Không tìm thấy tệp này.", "This file was not found.")
    return attachment


# --- Procedures as a citizen sees them in a list ----------------------------------------------------------


@dataclass(frozen=True)
class ProcedureCard:
    """A search or browse result: the fee of the channel shown and the return date if filed online today."""

    procedure: Procedure
    channel: ProcedureChannel | None
    expected: datetime | None
    online: bool


def procedure_cards(procedures: list[Procedure], *, start: datetime | None = None) -> list[ProcedureCard]:
    """Cards for ``procedures`` in two queries (their channels, who offers them online), whatever their number."""
    start = start or now()
    prefetch_related_objects(procedures, "channels")
    online_ids = online_procedure_ids([p.id for p in procedures])
    cards = []
    for procedure in procedures:
        channels = list(procedure.channels.all())
        chosen = next((c for c in channels if c.channel == Channel.ONLINE), None) or (
            channels[0] if channels else None
        )
        cards.append(
            ProcedureCard(
                procedure=procedure,
                channel=chosen,
                expected=deadlines.expected_due(
                    procedure, chosen.channel if chosen else Channel.ONLINE, start
                ),
                online=procedure.id in online_ids,
            )
        )
    return cards


# --- Public tracking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicStatus:
    code: str
    procedure_name: str
    agency_name: str
    status_text: str
    submitted_on: str
    due_on: str
    finished: bool


def public_status(code: str) -> PublicStatus:
    """What anyone holding a dossier code may learn: no name, no ID number, no address, no files."""
    dossier = (
        Dossier.objects.select_related("procedure", "competent_agency")
        .filter(code=(code or "").strip())
        .first()
    )
    if dossier is None:
        raise NotFound(
            "dossier_not_found",
            "Không tìm thấy hồ sơ với mã này. Vui lòng kiểm tra lại mã in trên giấy tiếp nhận.",
            "No dossier has this code. Check the code printed on your receipt.",
            field="code",
        )
    due = dossier.extended_due_at or dossier.due_at
    return PublicStatus(
        code=str(dossier.code),
        procedure_name=dossier.procedure.name,
        agency_name=dossier.competent_agency.name,
        status_text=plain_status(dossier.status),
        submitted_on=to_vn(dossier.submitted_at).strftime("%d/%m/%Y") if dossier.submitted_at else "",
        due_on=to_vn(due).strftime("%d/%m/%Y") if due else "",
        finished=dossier.finished_at is not None or dossier.status in (Status.RETURNED, Status.RESOLVED),
    )


# --- Evaluation (rating) ---------------------------------------------------------------------------------


def questionnaire() -> tuple[int, FormSchema]:
    """The newest active questionnaire. The packaged default (``dossiers/data/evaluation_questionnaire.json``)
    is recorded on first use; an administrator changes the questions by adding a newer version."""
    record = EvaluationQuestionnaire.objects.filter(active=True).order_by("-version").first()
    if record is None:
        path = resources.files("motcua.dossiers") / "data" / "evaluation_questionnaire.json"
        definition = json.loads(path.read_text(encoding="utf-8"))
        record, _ = EvaluationQuestionnaire.objects.get_or_create(
            version=int(definition["version"]), defaults={"definition": definition}
        )
    return record.version, parse_schema(record.definition)


def can_withdraw(dossier: Dossier, user: User) -> bool:
    """The applicant may withdraw while the transition table allows it in the dossier's status."""
    return (
        user.is_authenticated
        and dossier.applicant_id == user.id
        and (Status(dossier.status), Action.WITHDRAW) in TRANSITIONS
    )


def can_evaluate(dossier: Dossier, user: User) -> bool:
    return (
        user.is_authenticated
        and dossier.applicant_id == user.id
        and dossier.status == Status.RETURNED
        and not Evaluation.objects.filter(dossier=dossier).exists()
    )


@transaction.atomic
def evaluate(dossier: Dossier, *, actor: User, raw: dict[str, str], at: datetime | None = None) -> Evaluation:
    """Record the applicant's rating of a returned dossier (once). Raises with per-field errors."""
    if dossier.applicant_id != actor.id or actor.is_officer:
        raise NotFound("dossier_not_found", "Không tìm thấy hồ sơ.", "Dossier not found.")
    if dossier.status != Status.RETURNED:
        raise DomainError(
            "evaluation_too_early",
            "Bạn có thể đánh giá sau khi nhận kết quả.",
            "You can rate the service once you have received the result.",
        )
    if Evaluation.objects.filter(dossier=dossier).exists():
        raise DomainError(
            "already_evaluated",
            "Bạn đã đánh giá hồ sơ này. Cảm ơn bạn!",
            "You have already rated this dossier. Thank you!",
        )
    version, schema = questionnaire()
    values: dict[str, Any] = {}
    for page in schema.pages:
        cleaned, errors = validate_page(page, raw, today=to_vn(at or now()).date())
        if errors:
            name, error = next(iter(errors.items()))
            raise DomainError("invalid_evaluation", error.message_vi, error.message_en, field=name)
        values.update(cleaned)
    evaluation = Evaluation.objects.create(
        dossier=dossier,
        questionnaire_version=version,
        answers=values,
        satisfaction=str(values.get("satisfaction", "")),
        agency=dossier.competent_agency,
        submitted_at=at or now(),
    )
    enqueue(
        outbox_topics.DOSSIER_EVALUATED,
        str(dossier.id),
        {
            "dossier_id": dossier.id,
            "agency": dossier.competent_agency.code,
            "satisfaction": evaluation.satisfaction,
        },
    )
    return evaluation
