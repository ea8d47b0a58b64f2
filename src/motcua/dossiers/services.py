"""Use cases of the dossier lifecycle. Each is one transaction and calls ``workflow.transition``.

Form numbers refer to Circular 03/2025/TT-VPCP Annex I (addendum §A2.3): 01 receipt and appointment,
02 supplement request, 03 refusal, 04 apology and extension request, 05 stop notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from motcua.accounts.models import Role, User
from motcua.accounts.selectors import roles_over
from motcua.accounts.validators import validate_citizen_id
from motcua.agencies.models import Agency, AgencyKind
from motcua.calendar.services import load_calendar
from motcua.catalogue.models import BoundaryFreeScope, Channel, OnlineMode, Procedure, ProcedureOffering
from motcua.core.clock import now, to_vn
from motcua.dossiers import codes, policies
from motcua.dossiers.constants import Action, DeliveryMethod, LegMode, Status, StopRequester
from motcua.dossiers.models import Dossier, DossierLeg
from motcua.dossiers.workflow import require, transition

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?\d{9,12}$")


@dataclass(frozen=True)
class Applicant:
    full_name: str
    id_number: str
    phone: str = ""
    email: str = ""
    address: str = ""


def validate_applicant(applicant: Applicant) -> Applicant:
    name = applicant.full_name.strip()
    require(
        bool(name) and len(name) <= 200,
        "applicant_name_required",
        "Vui lòng nhập họ và tên người nộp hồ sơ (tối đa 200 ký tự).",
        "Please enter the applicant's full name (at most 200 characters).",
        "applicant.full_name",
    )
    id_number = validate_citizen_id(applicant.id_number, field="applicant.id_number")
    phone = re.sub(r"[\s.-]", "", applicant.phone)
    require(
        not phone or bool(_PHONE.match(phone)),
        "invalid_phone",
        "Số điện thoại không hợp lệ (9–12 chữ số, ví dụ 0912345678).",
        "The phone number is not valid (9–12 digits, e.g. 0912345678).",
        "applicant.phone",
    )
    email = applicant.email.strip()
    require(
        not email or bool(_EMAIL.match(email)),
        "invalid_email",
        "Địa chỉ thư điện tử không hợp lệ (ví dụ ten@example.vn).",
        "The e-mail address is not valid (e.g. name@example.vn).",
        "applicant.email",
    )
    return Applicant(name, id_number, phone, email, applicant.address.strip())


def _aware(moment: datetime | None, field: str) -> None:
    require(
        moment is None or (moment.tzinfo is not None and moment.utcoffset() is not None),
        "naive_datetime",
        "Thời điểm phải có múi giờ, ví dụ 2026-02-13T09:00:00+07:00.",
        "The time needs a time zone, e.g. 2026-02-13T09:00:00+07:00.",
        field,
    )


def _province_of(agency: Agency) -> Agency | None:
    return next((a for a in agency.ancestors() if a.kind == AgencyKind.PROVINCE), None)


def _offering(procedure: Procedure, agency: Agency) -> ProcedureOffering | None:
    return ProcedureOffering.objects.filter(procedure=procedure, agency=agency).first()


def _check_reception(procedure: Procedure, receiving: Agency, competent: Agency, channel: Channel) -> bool:
    """Validate where the dossier is filed; return whether it is a boundary-free reception."""
    offering = _offering(procedure, competent)
    require(
        offering is not None,
        "procedure_not_offered",
        f"Cơ quan {competent.name} không giải quyết thủ tục {procedure.national_code}.",
        f"{competent.name} does not handle procedure {procedure.national_code}.",
        "competent_agency",
    )
    assert offering is not None
    if channel == Channel.ONLINE:
        require(
            offering.online_mode != OnlineMode.NONE,
            "procedure_not_online",
            "Thủ tục này chưa được cung cấp trực tuyến tại cơ quan đã chọn; vui lòng nộp trực tiếp hoặc qua bưu chính.",
            "This procedure is not offered online by the chosen agency; please file in person or by post.",
            "channel",
        )
    if receiving.id == competent.id or receiving.is_within(competent) or competent.is_within(receiving):
        return False
    if (
        receiving.kind == AgencyKind.SERVICE_CENTRE
        and receiving.parent
        and competent.is_within(receiving.parent)
    ):
        return False  # a public administration service centre receives for every agency of its locality
    scope = offering.boundary_free
    province = _province_of(competent)
    same_province = province is not None and province == _province_of(receiving)
    require(
        scope == BoundaryFreeScope.NATION or (scope == BoundaryFreeScope.PROVINCE and same_province),
        "boundary_free_not_allowed",
        "Thủ tục này không được tiếp nhận tại nơi đã chọn (không thuộc danh mục tiếp nhận phi địa giới).",
        "This procedure cannot be filed at the chosen place (it is not on the boundary-free list).",
        "receiving_agency",
    )
    return True


@transaction.atomic
def submit(
    *,
    actor: User,
    procedure: Procedure,
    receiving_agency: Agency,
    channel: Channel | str,
    applicant: Applicant,
    competent_agency: Agency | None = None,
    form_data: dict[str, Any] | None = None,
    delivery_method: DeliveryMethod | str = DeliveryMethod.COUNTER,
    delivery_address: str = "",
    filed_at: datetime | None = None,
    at: datetime | None = None,
) -> Dossier:
    """File a dossier (online, at the counter, by post or at a kiosk) and issue its dossier code.

    For postal dossiers ``filed_at`` is the signing of the handover record, the legal filing time
    (Decision 45/2016/QĐ-TTg Art 7(4)). The code is issued when the system receives the dossier
    (auto-acknowledgement, Decree 45/2020 as amended by Decree 310/2026).
    """
    at = at or now()
    channel = Channel(channel)
    delivery_method = DeliveryMethod(delivery_method)
    competent_agency = competent_agency or receiving_agency
    clean = validate_applicant(applicant)
    require(
        delivery_method != DeliveryMethod.POST or bool(delivery_address.strip()),
        "delivery_address_required",
        "Vui lòng nhập địa chỉ nhận kết quả qua bưu chính.",
        "Please give the address where the post should deliver the result.",
        "delivery_address",
    )
    _aware(filed_at, "filed_at")
    require(
        channel != Channel.POSTAL or filed_at is not None,
        "handover_time_required",
        "Hồ sơ qua bưu chính cần thời điểm ký biên bản bàn giao.",
        "A postal dossier needs the time the handover record was signed.",
        "filed_at",
    )
    require(
        filed_at is None or filed_at <= at,
        "filed_in_future",
        "Thời điểm nộp hồ sơ không thể ở tương lai.",
        "The filing time cannot be in the future.",
        "filed_at",
    )
    boundary_free = _check_reception(procedure, receiving_agency, competent_agency, channel)
    dossier = Dossier.objects.create(
        procedure=procedure,
        receiving_agency=receiving_agency,
        competent_agency=competent_agency,
        channel=channel,
        boundary_free=boundary_free,
        applicant=None if actor.is_officer else actor,
        submitted_by=actor if actor.is_officer else None,
        applicant_name=clean.full_name,
        applicant_id_number=clean.id_number,
        applicant_phone=clean.phone,
        applicant_email=clean.email,
        applicant_address=clean.address,
        form_data=form_data or {},
        delivery_method=delivery_method,
        delivery_address=delivery_address.strip(),
    )
    code = codes.scheme().issue(receiving_agency, to_vn(at).date())
    return transition(
        dossier,
        Action.SUBMIT,
        actor=actor,
        at=at,
        changes={"code": code, "submitted_at": filed_at or at, "system_received_at": at},
        payload={"channel": channel.value, "boundary_free": boundary_free},
    )


def accept(dossier: Dossier, *, actor: User, note: str = "", at: datetime | None = None) -> Dossier:
    """Accept a complete and valid dossier (receipt and appointment, Form 01); the clock starts."""
    require(
        dossier.accepted_at is None,
        "already_accepted",
        "Hồ sơ đã được tiếp nhận trước đó.",
        "The dossier has already been accepted.",
    )
    changes: dict[str, Any] = {}
    if not dossier.code:
        changes["code"] = codes.scheme().issue(dossier.receiving_agency, to_vn(at or now()).date())
    return transition(
        dossier, Action.ACCEPT, actor=actor, reason=note, changes=changes, at=at, payload={"form": "01"}
    )


def _reasons(reasons: list[str], field: str) -> list[str]:
    cleaned = [r.strip() for r in reasons if r and r.strip()]
    require(
        bool(cleaned),
        "reason_required",
        "Vui lòng nêu rõ lý do.",
        "Please state the reason.",
        field,
    )
    return cleaned


def reject(dossier: Dossier, *, actor: User, reasons: list[str], at: datetime | None = None) -> Dossier:
    """Refuse to accept the dossier at reception (Form 03), with reasons."""
    cleaned = _reasons(reasons, "reasons")
    return transition(
        dossier,
        Action.REJECT,
        actor=actor,
        reason="; ".join(cleaned),
        at=at,
        payload={"form": "03", "reasons": cleaned},
    )


def request_supplement(
    dossier: Dossier, *, actor: User, missing: list[dict[str, str]], at: datetime | None = None
) -> Dossier:
    """Ask for every missing or incorrect item at once (Form 02; "bổ sung một lần")."""
    items = [
        {"document": str(m.get("document", "")).strip(), "reason": str(m.get("reason", "")).strip()}
        for m in missing
    ]
    require(
        bool(items) and all(i["document"] and i["reason"] for i in items),
        "supplement_items_required",
        "Phải liệt kê đầy đủ một lần tất cả giấy tờ cần bổ sung, mỗi giấy tờ kèm lý do.",
        "List every document to supplement at once, each with its reason.",
        "missing",
    )
    return transition(
        dossier,
        Action.REQUEST_SUPPLEMENT,
        actor=actor,
        reason="; ".join(f"{i['document']}: {i['reason']}" for i in items),
        changes={"supplement_count": dossier.supplement_count + 1},
        payload={"form": "02", "missing": items, "after_acceptance": dossier.accepted_at is not None},
        at=at,
    )


def supplement(
    dossier: Dossier,
    *,
    actor: User,
    note: str = "",
    form_data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Dossier:
    """The applicant (or the counter on their behalf) hands in what was asked."""
    changes: dict[str, Any] = {}
    if form_data:
        changes["form_data"] = {**dossier.form_data, **form_data}
    return transition(dossier, Action.SUPPLEMENT, actor=actor, reason=note, changes=changes, at=at)


def competent_receive(dossier: Dossier, *, actor: User, at: datetime | None = None) -> Dossier:
    """The competent agency receives a boundary-free dossier; its clock starts now."""
    require(
        dossier.boundary_free and dossier.competent_received_at is None,
        "not_boundary_free",
        "Chỉ hồ sơ tiếp nhận phi địa giới mới cần bước này, và chỉ một lần.",
        "Only a boundary-free dossier needs this step, and only once.",
    )
    return transition(dossier, Action.COMPETENT_RECEIVE, actor=actor, at=at)


def assign(
    dossier: Dossier, *, actor: User, assignee: User, note: str = "", at: datetime | None = None
) -> Dossier:
    """Hand the dossier to a specialist of the competent agency."""
    require(
        dossier.clock_started_at is not None,
        "not_received_by_competent_agency",
        "Cơ quan có thẩm quyền chưa tiếp nhận hồ sơ.",
        "The competent agency has not received the dossier yet.",
    )
    require(
        bool(roles_over(assignee, dossier.competent_agency) & {Role.SPECIALIST, Role.DIVISION_HEAD}),
        "assignee_not_in_agency",
        "Người được phân công phải là chuyên viên của cơ quan giải quyết.",
        "The assignee must be a specialist of the competent agency.",
        "assignee",
    )
    return transition(
        dossier,
        Action.ASSIGN,
        actor=actor,
        reason=note,
        changes={"assignee": assignee},
        payload={"assignee_id": assignee.id},
        at=at,
    )


def process(dossier: Dossier, *, actor: User, opinion: str, at: datetime | None = None) -> Dossier:
    """The specialist records the appraisal and submits it for approval."""
    return transition(dossier, Action.PROCESS, actor=actor, reason=_reasons([opinion], "opinion")[0], at=at)


def consult(
    dossier: Dossier,
    *,
    actor: User,
    unit: Agency,
    question: str,
    working_days: int,
    at: datetime | None = None,
) -> Dossier:
    """Ask another unit for its opinion with a deadline (Decree 61/2018 Art 19(5))."""
    at = at or now()
    require(
        working_days > 0,
        "invalid_deadline",
        "Thời hạn phải lớn hơn 0.",
        "The deadline must be positive.",
        "working_days",
    )
    reply_by = load_calendar().add_working_days(at, working_days)
    return transition(
        dossier,
        Action.CONSULT,
        actor=actor,
        reason=_reasons([question], "question")[0],
        payload={"unit_id": unit.id, "unit_code": unit.code, "reply_by": reply_by},
        at=at,
    )


def consultation_done(dossier: Dossier, *, actor: User, answer: str, at: datetime | None = None) -> Dossier:
    return transition(
        dossier, Action.CONSULTATION_DONE, actor=actor, reason=_reasons([answer], "answer")[0], at=at
    )


@dataclass(frozen=True)
class LegPlan:
    agency: Agency
    working_days: Decimal
    task: str = ""


def transfer(
    dossier: Dossier, *, actor: User, legs: list[LegPlan], mode: LegMode | str, at: datetime | None = None
) -> Dossier:
    """Transfer to other agencies as legs, each with its own deadline (spec §2.6, Art 19(6)–(7)).

    In parallel every leg starts now; in sequence the first starts now and each next one when the
    previous completes.
    """
    at = at or now()
    mode = LegMode(mode)
    require(
        bool(legs),
        "legs_required",
        "Chọn ít nhất một cơ quan phối hợp.",
        "Choose at least one agency.",
        "legs",
    )
    require(
        all(leg.working_days > 0 for leg in legs),
        "invalid_deadline",
        "Thời hạn của mỗi cơ quan phải lớn hơn 0.",
        "Each agency's time limit must be positive.",
        "legs",
    )
    calendar = load_calendar()
    with transaction.atomic():
        for position, plan in enumerate(legs):
            starts = mode == LegMode.PARALLEL or position == 0
            DossierLeg.objects.create(
                dossier=dossier,
                agency=plan.agency,
                mode=mode,
                position=position,
                task=plan.task,
                time_limit_working_days=plan.working_days,
                started_at=at if starts else None,
                due_at=calendar.due_at(at, plan.working_days, "working_days") if starts else None,
            )
        return transition(
            dossier,
            Action.TRANSFER,
            actor=actor,
            payload={"mode": mode.value, "agencies": [leg.agency.code for leg in legs]},
            at=at,
        )


def complete_leg(
    dossier: Dossier, leg: DossierLeg, *, actor: User, note: str = "", at: datetime | None = None
) -> Dossier:
    """An agency finishes its leg; the next leg starts (in sequence) or the dossier returns to the lead."""
    at = at or now()
    require(
        leg.dossier_id == dossier.id and leg.completed_at is None and leg.started_at is not None,
        "leg_not_open",
        "Phần việc liên thông này chưa bắt đầu hoặc đã hoàn thành.",
        "This transfer leg has not started or is already complete.",
        "leg",
    )
    with transaction.atomic():
        open_legs = list(dossier.legs.filter(completed_at__isnull=True).exclude(pk=leg.pk))
        to = Status.PROCESSING if not open_legs else Status.TRANSFERRED
        updated = transition(
            dossier,
            Action.COMPLETE_LEG,
            actor=actor,
            reason=note,
            to=to,
            leg_agency=leg.agency,
            payload={"leg_id": leg.id, "agency": leg.agency.code},
            at=at,
        )
        DossierLeg.objects.filter(pk=leg.pk).update(completed_at=at)
        waiting = [other for other in open_legs if other.started_at is None]
        if waiting:
            nxt = min(waiting, key=lambda other: other.position)
            DossierLeg.objects.filter(pk=nxt.pk).update(
                started_at=at, due_at=load_calendar().due_at(at, nxt.time_limit_working_days, "working_days")
            )
        return updated


def pause(dossier: Dossier, *, actor: User, reason: str, at: datetime | None = None) -> Dossier:
    return transition(dossier, Action.PAUSE, actor=actor, reason=_reasons([reason], "reason")[0], at=at)


def resume(dossier: Dossier, *, actor: User, note: str = "", at: datetime | None = None) -> Dossier:
    return transition(dossier, Action.RESUME, actor=actor, reason=note, at=at)


def request_payment(
    dossier: Dossier, *, actor: User, amount: Decimal, reason: str, at: datetime | None = None
) -> Dossier:
    require(amount > 0, "invalid_amount", "Số tiền phải lớn hơn 0.", "The amount must be positive.", "amount")
    return transition(
        dossier,
        Action.REQUEST_PAYMENT,
        actor=actor,
        reason=_reasons([reason], "reason")[0],
        payload={"amount": str(amount)},
        at=at,
    )


def confirm_payment(dossier: Dossier, *, actor: User, reference: str, at: datetime | None = None) -> Dossier:
    return transition(
        dossier,
        Action.CONFIRM_PAYMENT,
        actor=actor,
        payload={"reference": _reasons([reference], "reference")[0]},
        at=at,
    )


def request_extension(
    dossier: Dossier, *, actor: User, reason: str, new_due_at: datetime, at: datetime | None = None
) -> Dossier:
    """Apologise and propose a new return date (Form 04); the original due date is kept.

    How many extensions and how early they must be asked are policies (default: once, at least one
    working day before the due date — Decree 61/2018 Art 19(9); 2025 wording UNVERIFIED).
    """
    at = at or now()
    policy = policies.current()
    cleaned = _reasons([reason], "reason")[0]
    _aware(new_due_at, "new_due_at")
    require(
        dossier.extension_count < policy.max_extensions,
        "extension_limit_reached",
        f"Hồ sơ chỉ được gia hạn tối đa {policy.max_extensions} lần.",
        f"A dossier may be extended at most {policy.max_extensions} time(s).",
    )
    require(
        dossier.due_at is not None, "no_due_date", "Hồ sơ chưa có hạn trả.", "The dossier has no due date."
    )
    assert dossier.due_at is not None
    calendar = load_calendar()
    latest = at
    for _ in range(policy.extension_min_working_days_before_due):
        latest = calendar.add_working_days(latest, 1)
    require(
        latest <= dossier.due_at,
        "extension_too_late",
        f"Văn bản xin lỗi và gia hạn phải gửi trước hạn trả ít nhất {policy.extension_min_working_days_before_due} ngày làm việc.",
        f"The apology and extension request must be sent at least {policy.extension_min_working_days_before_due} "
        "working day(s) before the due date.",
    )
    require(
        new_due_at > dossier.due_at,
        "extension_not_later",
        "Ngày hẹn mới phải sau ngày hẹn hiện tại.",
        "The new date must be after the current due date.",
        "new_due_at",
    )
    return transition(
        dossier,
        Action.REQUEST_EXTENSION,
        actor=actor,
        reason=cleaned,
        changes={"extended_due_at": new_due_at, "extension_count": dossier.extension_count + 1},
        payload={"form": "04", "previous_due_at": dossier.due_at, "new_due_at": new_due_at},
        at=at,
    )


def confirm_extension(dossier: Dossier, *, actor: User, at: datetime | None = None) -> Dossier:
    """The one-stop department records the new date and informs the applicant."""
    return transition(dossier, Action.CONFIRM_EXTENSION, actor=actor, at=at)


def approve(dossier: Dossier, *, actor: User, note: str = "", at: datetime | None = None) -> Dossier:
    return transition(dossier, Action.APPROVE, actor=actor, reason=note, at=at)


def refuse(dossier: Dossier, *, actor: User, reasons: list[str], at: datetime | None = None) -> Dossier:
    """Refuse after appraisal, with reasons, within the time limit (Decree 61/2018 Art 19(8))."""
    at = at or now()
    cleaned = _reasons(reasons, "reasons")
    if policies.current().refusal_after_deadline == "reject" and dossier.due_at is not None:
        require(
            at <= dossier.due_at,
            "refusal_after_deadline",
            "Đã quá hạn giải quyết: phải gửi văn bản xin lỗi và gia hạn (Mẫu 04) hoặc dừng giải quyết (Mẫu 05).",
            "The time limit has passed: send an apology and extension (Form 04) or stop processing (Form 05).",
        )
    return transition(
        dossier, Action.REFUSE, actor=actor, reason="; ".join(cleaned), payload={"reasons": cleaned}, at=at
    )


def stop(
    dossier: Dossier,
    *,
    actor: User,
    requested_by: StopRequester | str,
    reason: str,
    decision: str = "",
    at: datetime | None = None,
) -> Dossier:
    """Stop processing (Form 05), recording whether the applicant or the agency asked."""
    requested_by = StopRequester(requested_by)
    return transition(
        dossier,
        Action.STOP,
        actor=actor,
        reason=_reasons([reason], "reason")[0],
        changes={"stop_requested_by": requested_by},
        payload={"form": "05", "requested_by": requested_by.value, "decision": decision},
        at=at,
    )


def resolve(
    dossier: Dossier, *, actor: User, note: str = "", result_code: str = "", at: datetime | None = None
) -> Dossier:
    """The result is ready; its electronic code defaults to ``<dossier code>-KQ1`` (Decree 45/2020 Art 14(3))."""
    return transition(
        dossier,
        Action.RESOLVE,
        actor=actor,
        reason=note,
        changes={"result_code": result_code or f"{dossier.code}-KQ1", "result_note": note},
        at=at,
    )


def return_result(
    dossier: Dossier, *, actor: User, method: DeliveryMethod | str | None = None, at: datetime | None = None
) -> Dossier:
    method = DeliveryMethod(method or dossier.delivery_method)
    return transition(dossier, Action.RETURN_RESULT, actor=actor, payload={"method": method.value}, at=at)


def withdraw(dossier: Dossier, *, actor: User, reason: str, at: datetime | None = None) -> Dossier:
    return transition(dossier, Action.WITHDRAW, actor=actor, reason=_reasons([reason], "reason")[0], at=at)
