"""The action forms of the dossier workspace: for each workflow action, the fields an officer fills (with the
required reason) and the one service call it makes. Parsing only; the rules live in ``dossiers.services``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import QueryDict

from motcua.accounts.models import Role, User
from motcua.agencies.models import Agency
from motcua.core.clock import VN_TZ
from motcua.core.errors import DomainError
from motcua.dossiers import officer, results, services
from motcua.dossiers.constants import Action, DeliveryMethod, LegMode, StopRequester
from motcua.dossiers.models import Dossier, DossierLeg


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, textarea, date, number, assignee, agency, rows, legs, method, requested_by, mode, leg
    label_vi: str
    label_en: str
    required: bool = True


@dataclass(frozen=True)
class ActionForm:
    action: Action
    title_vi: str
    title_en: str
    fields: tuple[Field, ...]
    run: Callable[[Dossier, User, QueryDict], Dossier]
    danger: bool = False


def _text(data: QueryDict, name: str) -> str:
    return str(data.get(name, "")).strip()[:2000]


def _agency(data: QueryDict, name: str) -> Agency:
    found = Agency.objects.filter(code=_text(data, name)).first()
    if found is None:
        raise DomainError("agency_required", "Vui lòng chọn cơ quan.", "Choose an agency.", field=name)
    return found


def _user(data: QueryDict, name: str) -> User:
    found = User.objects.filter(username=_text(data, name), kind="officer").first()
    if found is None:
        raise DomainError("assignee_required", "Vui lòng chọn cán bộ.", "Choose an officer.", field=name)
    return found


def _day(data: QueryDict, name: str) -> datetime:
    try:
        day = datetime.strptime(_text(data, name), "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError as exc:
        raise DomainError(
            "date_required", "Vui lòng chọn một ngày hợp lệ.", "Choose a valid date.", field=name
        ) from exc
    return datetime.combine(day, time(17, 0), tzinfo=VN_TZ)


def _number(data: QueryDict, name: str) -> Decimal:
    try:
        value = Decimal(_text(data, name).replace(",", "."))
    except InvalidOperation as exc:
        raise DomainError("number_required", "Vui lòng nhập một số.", "Enter a number.", field=name) from exc
    return value


def _rows(data: QueryDict) -> list[dict[str, str]]:
    documents, reasons = data.getlist("document"), data.getlist("reason")
    return [
        {"document": d.strip(), "reason": r.strip()}
        for d, r in zip(documents, reasons, strict=False)
        if d.strip()
    ]


def _legs(data: QueryDict) -> list[services.LegPlan]:
    plans = []
    for code, days, task in zip(
        data.getlist("leg_agency"), data.getlist("leg_days"), data.getlist("leg_task"), strict=False
    ):
        if not code.strip():
            continue
        agency = Agency.objects.filter(code=code.strip()).first()
        if agency is None:
            raise DomainError(
                "agency_required", "Cơ quan liên thông không hợp lệ.", "Unknown agency.", field="leg_agency"
            )
        try:
            working_days = Decimal(days.replace(",", "."))
        except InvalidOperation as exc:
            raise DomainError(
                "number_required",
                "Số ngày làm việc phải là một số.",
                "Working days must be a number.",
                field="leg_days",
            ) from exc
        plans.append(services.LegPlan(agency, working_days, task.strip()))
    return plans


def _open_leg(dossier: Dossier, actor: User) -> DossierLeg:
    leg = officer.open_leg_for(actor, dossier)
    if leg is None:
        raise DomainError(
            "no_open_leg", "Không có phần việc liên thông nào của đơn vị bạn.", "No open leg of your unit."
        )
    return leg


REASON = Field("reason", "textarea", "Lý do", "Reason")
NOTE = Field("note", "textarea", "Ghi chú", "Note", required=False)

FORMS: dict[Action, ActionForm] = {
    f.action: f
    for f in (
        ActionForm(
            Action.ACCEPT,
            "Tiếp nhận (cấp Giấy tiếp nhận – Mẫu 01)",
            "Accept (receipt – Form 01)",
            (NOTE,),
            lambda d, a, p: services.accept(d, actor=a, note=_text(p, "note")),
        ),
        ActionForm(
            Action.REQUEST_SUPPLEMENT,
            "Yêu cầu bổ sung (Mẫu 02)",
            "Request a supplement (Form 02)",
            (
                Field(
                    "rows",
                    "rows",
                    "Giấy tờ cần bổ sung và lý do (liệt kê đủ một lần)",
                    "Every missing document and why (all at once)",
                ),
            ),
            lambda d, a, p: services.request_supplement(d, actor=a, missing=_rows(p)),
        ),
        ActionForm(
            Action.REJECT,
            "Từ chối tiếp nhận (Mẫu 03)",
            "Refuse at reception (Form 03)",
            (REASON,),
            lambda d, a, p: services.reject(d, actor=a, reasons=[_text(p, "reason")]),
            danger=True,
        ),
        ActionForm(
            Action.COMPETENT_RECEIVE,
            "Cơ quan có thẩm quyền tiếp nhận",
            "Competent agency receives",
            (),
            lambda d, a, p: services.competent_receive(d, actor=a),
        ),
        ActionForm(
            Action.ASSIGN,
            "Phân công xử lý",
            "Assign",
            (Field("assignee", "assignee", "Chuyên viên", "Specialist"), NOTE),
            lambda d, a, p: services.assign(d, actor=a, assignee=_user(p, "assignee"), note=_text(p, "note")),
        ),
        ActionForm(
            Action.PROCESS,
            "Thẩm định, trình duyệt",
            "Appraise and submit for approval",
            (Field("opinion", "textarea", "Ý kiến thẩm định", "Appraisal opinion"),),
            lambda d, a, p: services.process(d, actor=a, opinion=_text(p, "opinion")),
        ),
        ActionForm(
            Action.CONSULT,
            "Lấy ý kiến đơn vị khác",
            "Consult another unit",
            (
                Field("unit", "agency", "Đơn vị được hỏi", "Unit"),
                Field("question", "textarea", "Nội dung xin ý kiến", "Question"),
                Field(
                    "working_days",
                    "number",
                    "Thời hạn trả lời (ngày làm việc)",
                    "Reply within (working days)",
                ),
            ),
            lambda d, a, p: services.consult(
                d,
                actor=a,
                unit=_agency(p, "unit"),
                question=_text(p, "question"),
                working_days=int(_number(p, "working_days")),
            ),
        ),
        ActionForm(
            Action.CONSULTATION_DONE,
            "Ghi nhận ý kiến trả lời",
            "Record the answer",
            (Field("answer", "textarea", "Ý kiến trả lời", "Answer"),),
            lambda d, a, p: services.consultation_done(d, actor=a, answer=_text(p, "answer")),
        ),
        ActionForm(
            Action.TRANSFER,
            "Chuyển liên thông",
            "Transfer to other agencies",
            (
                Field("mode", "mode", "Cách phối hợp", "How"),
                Field("legs", "legs", "Cơ quan, số ngày làm việc, phần việc", "Agency, working days, task"),
            ),
            lambda d, a, p: services.transfer(
                d, actor=a, legs=_legs(p), mode=_text(p, "mode") or LegMode.SEQUENTIAL
            ),
        ),
        ActionForm(
            Action.COMPLETE_LEG,
            "Hoàn thành phần việc liên thông",
            "Complete our leg",
            (NOTE,),
            lambda d, a, p: services.complete_leg(d, _open_leg(d, a), actor=a, note=_text(p, "note")),
        ),
        ActionForm(
            Action.PAUSE,
            "Tạm dừng",
            "Pause",
            (REASON,),
            lambda d, a, p: services.pause(d, actor=a, reason=_text(p, "reason")),
        ),
        ActionForm(
            Action.RESUME,
            "Tiếp tục giải quyết",
            "Resume",
            (NOTE,),
            lambda d, a, p: services.resume(d, actor=a, note=_text(p, "note")),
        ),
        ActionForm(
            Action.REQUEST_PAYMENT,
            "Yêu cầu nộp phí, lệ phí",
            "Request payment",
            (Field("amount", "number", "Số tiền (đồng)", "Amount (VND)"), REASON),
            lambda d, a, p: services.request_payment(
                d, actor=a, amount=_number(p, "amount"), reason=_text(p, "reason")
            ),
        ),
        ActionForm(
            Action.CONFIRM_PAYMENT,
            "Xác nhận đã nộp phí",
            "Confirm payment",
            (Field("reference", "text", "Số biên lai / mã giao dịch", "Receipt or transaction number"),),
            lambda d, a, p: services.confirm_payment(d, actor=a, reference=_text(p, "reference")),
        ),
        ActionForm(
            Action.REQUEST_EXTENSION,
            "Xin lỗi và hẹn lại (Mẫu 04)",
            "Apologise and set a new date (Form 04)",
            (REASON, Field("new_due", "date", "Ngày hẹn mới", "New date")),
            lambda d, a, p: services.request_extension(
                d, actor=a, reason=_text(p, "reason"), new_due_at=_day(p, "new_due")
            ),
        ),
        ActionForm(
            Action.CONFIRM_EXTENSION,
            "Cập nhật ngày hẹn mới",
            "Confirm the new date",
            (),
            lambda d, a, p: services.confirm_extension(d, actor=a),
        ),
        ActionForm(
            Action.APPROVE,
            "Phê duyệt",
            "Approve",
            (NOTE,),
            lambda d, a, p: services.approve(d, actor=a, note=_text(p, "note")),
        ),
        ActionForm(
            Action.REFUSE,
            "Từ chối giải quyết",
            "Refuse",
            (REASON,),
            lambda d, a, p: services.refuse(d, actor=a, reasons=[_text(p, "reason")]),
            danger=True,
        ),
        ActionForm(
            Action.STOP,
            "Dừng giải quyết (Mẫu 05)",
            "Stop processing (Form 05)",
            (Field("requested_by", "requested_by", "Ai đề nghị dừng", "Who asked"), REASON),
            lambda d, a, p: services.stop(
                d,
                actor=a,
                requested_by=_text(p, "requested_by") or StopRequester.AGENCY,
                reason=_text(p, "reason"),
            ),
            danger=True,
        ),
        ActionForm(
            Action.RESOLVE,
            "Có kết quả (ký và phát hành bản điện tử)",
            "Resolve (sign and issue the result)",
            (
                Field("title", "text", "Tên kết quả", "Title of the result"),
                Field(
                    "content",
                    "textarea",
                    "Nội dung kết quả (mỗi dòng một đoạn)",
                    "Content (one paragraph per line)",
                ),
            ),
            lambda d, a, p: results.resolve_with_result(
                d, actor=a, title=_text(p, "title"), paragraphs=_text(p, "content").splitlines()
            ),
        ),
        ActionForm(
            Action.RETURN_RESULT,
            "Trả kết quả",
            "Return the result",
            (Field("method", "method", "Hình thức trả", "How"),),
            lambda d, a, p: _return(d, a, _text(p, "method")),
        ),
        ActionForm(
            Action.WITHDRAW,
            "Rút hồ sơ theo đề nghị của người nộp",
            "Withdraw at the applicant's request",
            (REASON,),
            lambda d, a, p: services.withdraw(d, actor=a, reason=_text(p, "reason")),
            danger=True,
        ),
    )
}


def _return(dossier: Dossier, actor: User, method: str) -> Dossier:
    chosen = method or dossier.delivery_method
    if chosen == DeliveryMethod.ONLINE:
        return results.return_online(dossier, actor=actor)
    return services.return_result(dossier, actor=actor, method=chosen)


def choices_for(dossier: Dossier) -> dict[str, Any]:
    """Options the forms offer: the competent agency's specialists, agencies to consult or transfer to."""
    from motcua.accounts.models import Membership

    specialists = (
        User.objects.filter(
            memberships__agency__path__startswith=dossier.competent_agency.path,
            memberships__role__in=[Role.SPECIALIST, Role.DIVISION_HEAD],
            is_active=True,
        )
        .distinct()
        .order_by("full_name")
    )
    agency_ids = Membership.objects.values_list("agency_id", flat=True).distinct()
    agencies = (
        Agency.objects.filter(id__in=agency_ids).exclude(id=dossier.competent_agency_id).order_by("path")
    )
    return {
        "specialists": list(specialists),
        "agencies": list(agencies),
        "methods": DeliveryMethod.choices,
        "requesters": StopRequester.choices,
        "modes": LegMode.choices,
    }
