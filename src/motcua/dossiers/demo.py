"""Demo data: one province (Ninh Bình, which absorbed Hà Nam and Nam Định on 1 July 2025) with its
service centre, departments and communes, officers for each role, two citizens, the 25 common
procedures offered online, and dossiers in every status, all made through the real services.

Used by ``manage.py seed_demo`` (``make run``) and by the tests. Requires ``load_reference_data``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from motcua.accounts.models import Membership, Role, User, UserKind
from motcua.agencies.loaders import province_agency_code
from motcua.agencies.models import Agency, AgencyKind
from motcua.agencies.services import add_agency
from motcua.calendar.services import load_calendar
from motcua.catalogue.models import BoundaryFreeScope, Channel, OnlineMode, Procedure, ProcedureOffering
from motcua.core.clock import VN_TZ, now
from motcua.core.errors import DomainError
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod, LegMode, Status, StopRequester
from motcua.dossiers.models import Dossier

DEMO_PROVINCE = "37"
DEMO_PASSWORD = "motcua-demo"  # noqa: S105 - documented demo credential, created only by seed_demo
COMMON_FILE = Path(__file__).resolve().parents[1] / "catalogue" / "data" / "common_procedures.json"
DEPARTMENTS = {
    "Bộ Tư pháp": ("01", "Sở Tư pháp tỉnh Ninh Bình"),
    "Bộ Xây dựng": ("02", "Sở Xây dựng tỉnh Ninh Bình"),
    "Bộ Nông nghiệp và Môi trường": ("03", "Sở Nông nghiệp và Môi trường tỉnh Ninh Bình"),
    "Bộ Tài chính": ("04", "Sở Tài chính tỉnh Ninh Bình"),
    "Bộ Công an": ("05", "Công an tỉnh Ninh Bình"),
}
PARTIAL = {
    "id_card_14_plus": "Phải có mặt để thu nhận ảnh chân dung, vân tay (Luật Căn cước 2023).",
    "passport_provincial": "Phải có mặt để thu nhận ảnh chân dung, vân tay (Luật Xuất cảnh, nhập cảnh 2019).",
    "vehicle_registration_first_time": "Phải kiểm tra thực tế phương tiện (Thông tư 79/2024/TT-BCA).",
    "land_dispute_mediation": "Các bên phải có mặt để hòa giải (Luật Đất đai 2024).",
}


@dataclass
class DemoReport:
    officers: list[str] = field(default_factory=list)
    citizens: list[str] = field(default_factory=list)
    offerings: int = 0
    dossiers_by_status: dict[str, int] = field(default_factory=dict)


def _user(username: str, full_name: str, kind: UserKind, **extra: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"kind": kind, "full_name": full_name, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _officer(username: str, full_name: str, agency: Agency, role: Role) -> User:
    user = _user(username, full_name, UserKind.OFFICER)
    Membership.objects.get_or_create(user=user, agency=agency, role=role)
    return user


@dataclass
class DemoWorld:
    province: Agency
    centre: Agency
    departments: dict[str, Agency]
    communes: list[Agency]
    officers: dict[str, User]
    citizens: list[User]
    offerings: list[ProcedureOffering]


@transaction.atomic
def build_world() -> DemoWorld:
    """Agencies, people and offerings of the demo province (idempotent)."""
    province = Agency.objects.get(code=province_agency_code(DEMO_PROVINCE))

    def child(code: str, name: str, kind: AgencyKind, parent: Agency) -> Agency:
        return Agency.objects.filter(code=code).first() or add_agency(
            code=code, name=name, kind=kind, parent=parent
        )

    centre = child(
        f"000.99.00.H{DEMO_PROVINCE}",
        "Trung tâm Phục vụ hành chính công tỉnh Ninh Bình",
        AgencyKind.SERVICE_CENTRE,
        province,
    )
    departments = {
        ministry: child(f"000.{num}.00.H{DEMO_PROVINCE}", name, AgencyKind.DEPARTMENT, province)
        for ministry, (num, name) in DEPARTMENTS.items()
    }
    communes = list(Agency.objects.filter(parent=province, kind=AgencyKind.COMMUNE).order_by("code")[:3])
    o: dict[str, User] = {
        "motcua.tinh": _officer("motcua.tinh", "Trần Thị Mai", centre, Role.RECEIVING_OFFICER),
        "buudien": _officer("buudien", "Lê Văn Bưu", centre, Role.POSTAL_WORKER),
        "giamdoc.trungtam": _officer("giamdoc.trungtam", "Phạm Quốc Hùng", centre, Role.CENTRE_DIRECTOR),
        "lanhdao.tinh": _officer("lanhdao.tinh", "Nguyễn Văn Tỉnh", province, Role.AGENCY_LEADER),
        "motcua.xa": _officer("motcua.xa", "Đỗ Thị Hoa", communes[0], Role.RECEIVING_OFFICER),
        "chuyenvien.xa": _officer("chuyenvien.xa", "Vũ Minh Tuấn", communes[0], Role.SPECIALIST),
        "chutich.xa": _officer("chutich.xa", "Hoàng Văn Xã", communes[0], Role.AGENCY_LEADER),
    }
    for ministry, agency in departments.items():
        slug = {"01": "tuphap", "02": "xaydung", "03": "nnmt", "04": "taichinh", "05": "congan"}[
            DEPARTMENTS[ministry][0]
        ]
        o[f"chuyenvien.{slug}"] = _officer(
            f"chuyenvien.{slug}", f"Chuyên viên {agency.name}", agency, Role.SPECIALIST
        )
        o[f"truongphong.{slug}"] = _officer(
            f"truongphong.{slug}", f"Trưởng phòng {agency.name}", agency, Role.DIVISION_HEAD
        )
        o[f"giamdoc.{slug}"] = _officer(
            f"giamdoc.{slug}", f"Lãnh đạo {agency.name}", agency, Role.AGENCY_LEADER
        )
    admin = _user("admin", "Quản trị hệ thống", UserKind.OFFICER)
    if not admin.is_superuser:
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
    citizens = [
        _user("an.nguyen@example.vn", "Nguyễn Văn An", UserKind.CITIZEN, citizen_id_number="037090001234"),
        _user(
            "0912345678",
            "Trần Thị Bình",
            UserKind.CITIZEN,
            citizen_id_number="037195004321",
            phone="0912345678",
        ),
    ]
    offerings = []
    for record in json.loads(COMMON_FILE.read_text(encoding="utf-8")):
        procedure = Procedure.objects.filter(national_code=record["ma_thu_tuc"]).first()
        if procedure is None:
            continue
        reason = PARTIAL.get(record["demo_tag"], "")
        mode = OnlineMode.PARTIAL if reason else OnlineMode.FULL
        commune_level = "Cấp xã" in record["cap_thuc_hien"]
        targets = communes if commune_level else [departments[record["bo_nganh"]]]
        for agency in targets:
            offering, _ = ProcedureOffering.objects.get_or_create(
                agency=agency,
                procedure=procedure,
                defaults={
                    "local_code": f"{procedure.national_code}.H{DEMO_PROVINCE}",
                    "online_mode": mode,
                    "partial_reason": reason,
                    "partial_legal_basis": reason.split("(")[-1].rstrip(").") if reason else "",
                    "boundary_free": BoundaryFreeScope.PROVINCE if commune_level else BoundaryFreeScope.NONE,
                },
            )
            offerings.append(offering)
    return DemoWorld(province, centre, departments, communes, o, citizens, offerings)


# Each path lists the statuses a demo dossier passes through after submission.
TARGETS: list[Status] = [s for s in Status if s != Status.DRAFT]


def seed_demo(n_dossiers: int = 300, *, seed: int = 2026) -> DemoReport:
    """Build the demo world and ``n_dossiers`` dossiers spread over every status."""
    world = build_world()
    rng = random.Random(seed)
    report = DemoReport(
        officers=sorted(world.officers),
        citizens=[c.username for c in world.citizens],
        offerings=len(world.offerings),
    )
    calendar = load_calendar()
    start = now() - timedelta(days=75)
    for i in range(n_dossiers):
        target = TARGETS[i % len(TARGETS)]
        offering = world.offerings[rng.randrange(len(world.offerings))]
        t0 = start + timedelta(days=rng.randrange(0, 45), hours=rng.randrange(0, 8))
        moment = calendar.add_working_days(t0.astimezone(VN_TZ).replace(hour=8, minute=30), 0) + timedelta(
            minutes=rng.randrange(0, 420)
        )
        dossier = _drive(world, offering, target, moment, rng, i)
        report.dossiers_by_status[dossier.status] = report.dossiers_by_status.get(dossier.status, 0) + 1
    for _ in range(max(1, n_dossiers // 50)):
        offering = world.offerings[rng.randrange(len(world.offerings))]
        Dossier.objects.create(
            procedure=offering.procedure,
            receiving_agency=offering.agency,
            competent_agency=offering.agency,
            channel=Channel.ONLINE,
            applicant=world.citizens[0],
            applicant_name=world.citizens[0].full_name,
            applicant_id_number=world.citizens[0].citizen_id_number,
            delivery_method=DeliveryMethod.ONLINE,
        )
        report.dossiers_by_status[Status.DRAFT] = report.dossiers_by_status.get(Status.DRAFT, 0) + 1
    return report


def _staff(world: DemoWorld, agency: Agency) -> tuple[User, User, User]:
    """(specialist, head, leader) of ``agency``."""
    people = {m.role: m.user for m in Membership.objects.filter(agency=agency).select_related("user")}
    return (
        people[Role.SPECIALIST],
        people.get(Role.DIVISION_HEAD, people[Role.AGENCY_LEADER]),
        people[Role.AGENCY_LEADER],
    )


def _drive(
    world: DemoWorld, offering: ProcedureOffering, target: Status, at: datetime, rng: random.Random, i: int
) -> Dossier:
    competent = offering.agency
    if competent.kind == AgencyKind.COMMUNE and competent != world.communes[0]:
        competent = world.communes[0]  # only the first commune has officers in the demo
    at_commune = competent.kind == AgencyKind.COMMUNE
    counter = world.officers["motcua.xa" if at_commune else "motcua.tinh"]
    receiving = competent if at_commune else world.centre
    citizen = world.citizens[i % 2]
    online = offering.online_mode != OnlineMode.NONE and i % 3 != 0
    step = timedelta(hours=1)
    d = services.submit(
        actor=citizen if online else counter,
        procedure=offering.procedure,
        receiving_agency=receiving,
        competent_agency=competent,
        channel=Channel.ONLINE if online else Channel.IN_PERSON,
        applicant=services.Applicant(
            citizen.full_name, citizen.citizen_id_number, phone="0912345678", email="demo@example.vn"
        ),
        form_data={"demo": True},
        delivery_method=DeliveryMethod.ONLINE if online else DeliveryMethod.COUNTER,
        at=at,
    )
    if target == Status.SUBMITTED:
        return d
    if target == Status.REJECTED:
        return services.reject(d, actor=counter, reasons=["Thủ tục không thuộc thẩm quyền"], at=at + step)
    if target == Status.WITHDRAWN:
        return services.withdraw(
            d, actor=citizen if online else counter, reason="Không còn nhu cầu", at=at + step
        )
    if target in (Status.SUPPLEMENT_REQUESTED, Status.SUPPLEMENT_RECEIVED):
        d = services.request_supplement(
            d,
            actor=counter,
            missing=[{"document": "Bản sao giấy tờ tùy thân", "reason": "Ảnh mờ"}],
            at=at + step,
        )
        if target == Status.SUPPLEMENT_REQUESTED:
            return d
        return services.supplement(
            d, actor=citizen if online else counter, note="Đã bổ sung", at=at + 2 * step
        )
    d = services.accept(d, actor=counter, at=at + step)
    if target == Status.ACCEPTED:
        return d
    specialist, head, leader = _staff(world, competent)
    t = at + 2 * step
    d = services.assign(d, actor=head, assignee=specialist, at=t)
    if target == Status.PROCESSING:
        return d
    simple = {
        Status.CONSULTING: lambda: services.consult(
            d,
            actor=specialist,
            unit=world.departments["Bộ Nông nghiệp và Môi trường"],
            question="Xin ý kiến",
            working_days=3,
            at=t + step,
        ),
        Status.PAUSED: lambda: services.pause(
            d, actor=specialist, reason="Chờ xác minh thực địa", at=t + step
        ),
        Status.AWAITING_PAYMENT: lambda: services.request_payment(
            d, actor=specialist, amount=Decimal("50000"), reason="Lệ phí", at=t + step
        ),
        Status.STOPPED: lambda: services.stop(
            d,
            actor=leader,
            requested_by=StopRequester.APPLICANT,
            reason="Người dân đề nghị dừng",
            at=t + step,
        ),
        Status.REFUSED: lambda: services.refuse(d, actor=leader, reasons=["Không đủ điều kiện"], at=t + step),
    }
    if target in simple:
        return simple[target]()
    if target == Status.TRANSFERRED:
        other = world.departments["Bộ Tài chính"]
        return services.transfer(
            d,
            actor=specialist,
            legs=[services.LegPlan(other, Decimal(2), "Xác nhận nghĩa vụ tài chính")],
            mode=LegMode.SEQUENTIAL,
            at=t + step,
        )
    if target == Status.EXTENSION_REQUESTED and d.due_at is not None:
        try:
            return services.request_extension(
                d,
                actor=specialist,
                reason="Cần thêm thời gian xác minh",
                new_due_at=d.due_at + timedelta(days=5),
                at=t + step,
            )
        except DomainError:  # a 1-working-day procedure cannot be extended one working day ahead
            return d
    d = services.process(d, actor=specialist, opinion="Đủ điều kiện", at=t + step)
    if target == Status.PENDING_APPROVAL:
        return d
    d = services.approve(d, actor=leader, at=t + 2 * step)
    if target == Status.APPROVED:
        return d
    d = services.resolve(d, actor=specialist, note="Đã có kết quả", at=t + 3 * step)
    if target == Status.RESOLVED:
        return d
    return services.return_result(d, actor=counter, at=t + 4 * step)
