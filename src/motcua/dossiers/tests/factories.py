"""Builders for the dossier tests.

- ``vn``: an aware datetime on the Hanoi wall clock; ``Ticker``: a clock that moves on at each call.
- ``Cast``: the people and agencies of the demo province (``demo.build_world``) a dossier meets, plus the
  few officers the tests need and the demo does not have (receiving officer of commune B, postal worker
  of commune A, an officer of another province).
- ``perform`` / ``drive``: do one action, or follow a route of actions, through the real services.
- ``MiniWorld``: one province, one commune, one procedure, built without the reference data; used where
  thousands of rows would be waste (the illegal pairs) or flushed anyway (transactional tests).
- ``snapshot`` / ``counts``: what a refused call must leave unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from motcua.accounts.models import Membership, Role, User, UserKind
from motcua.agencies.loaders import province_agency_code
from motcua.agencies.models import Agency, AgencyKind
from motcua.agencies.services import add_agency
from motcua.catalogue.models import (
    BoundaryFreeScope,
    Channel,
    OnlineMode,
    Procedure,
    ProcedureChannel,
    ProcedureOffering,
)
from motcua.core.clock import VN_TZ
from motcua.core.models import OutboxMessage
from motcua.dossiers import services, workflow
from motcua.dossiers.constants import Action, DeliveryMethod, LegMode, Status, StopRequester
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import Dossier, DossierCodeSequence, DossierEvent, DossierLeg

A, S = Action, Status

RESIDENCE = "1.004222"  # Đăng ký thường trú: 7 working days online and in person, no postal channel


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware datetime on the Hanoi wall clock (UTC+7, no daylight saving)."""
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


class Ticker:
    """A wall clock for a scenario: each call returns the next moment, ``step`` after the previous one."""

    def __init__(self, start: datetime, step: timedelta = timedelta(minutes=30)) -> None:
        self.current = start - step
        self.step = step

    def __call__(self) -> datetime:
        self.current += self.step
        return self.current


# --------------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------------


def make_officer(username: str, agency: Agency, *roles: Role) -> User:
    """An officer holding ``roles`` in ``agency`` (and so over every agency below it)."""
    user = User.objects.create(username=username, kind=UserKind.OFFICER, full_name=username)
    for role in roles:
        Membership.objects.create(user=user, agency=agency, role=role)
    return user


def make_citizen(username: str, full_name: str, id_number: str) -> User:
    return User.objects.create(
        username=username, kind=UserKind.CITIZEN, full_name=full_name, citizen_id_number=id_number
    )


def applicant_of(user: User) -> services.Applicant:
    return services.Applicant(
        user.full_name, user.citizen_id_number, phone="0912345678", email="nguoidan@example.vn"
    )


def other_province_officer() -> User:
    """An officer holding EVERY role on the People's Committee of Lạng Sơn (province 20), not Ninh Bình."""
    lang_son = Agency.objects.get(code=province_agency_code("20"))
    return make_officer("canbo.langson", lang_son, *Role)


# --------------------------------------------------------------------------------------------------
# The cast of the demo province
# --------------------------------------------------------------------------------------------------


@dataclass
class Cast:
    world: DemoWorld
    commune: Agency  # commune A: receives and resolves the usual dossier
    other_commune: Agency  # commune B, same province
    leg_agency: Agency  # Sở Tài chính: where a dossier is transferred
    consulted: Agency  # Sở Nông nghiệp và Môi trường: whose opinion is asked
    procedure: Procedure  # 1.004222, offered by the three demo communes, boundary-free in the province
    citizen: User  # the applicant (Nguyễn Văn An)
    other_citizen: User  # another citizen (Trần Thị Bình)
    counter: User  # motcua.xa: receiving officer of commune A
    specialist: User  # chuyenvien.xa
    leader: User  # chutich.xa: agency leader of commune A
    leg_specialist: User  # chuyenvien.taichinh
    other_commune_counter: User  # receiving officer of commune B (created here)


def build_cast(world: DemoWorld) -> Cast:
    other_commune = world.communes[1]
    return Cast(
        world=world,
        commune=world.communes[0],
        other_commune=other_commune,
        leg_agency=world.departments["Bộ Tài chính"],
        consulted=world.departments["Bộ Nông nghiệp và Môi trường"],
        procedure=Procedure.objects.get(national_code=RESIDENCE),
        citizen=world.citizens[0],
        other_citizen=world.citizens[1],
        counter=world.officers["motcua.xa"],
        specialist=world.officers["chuyenvien.xa"],
        leader=world.officers["chutich.xa"],
        leg_specialist=world.officers["chuyenvien.taichinh"],
        other_commune_counter=make_officer("motcua.xa2", other_commune, Role.RECEIVING_OFFICER),
    )


def file_online(
    cast: Cast,
    at: datetime,
    *,
    competent: Agency | None = None,
    procedure: Procedure | None = None,
    actor: User | None = None,
) -> Dossier:
    """``actor`` (the citizen by default) files online at commune A, for ``competent`` (commune A unless
    said otherwise). An officer filing does so for the citizen, with the citizen's identity."""
    actor = actor or cast.citizen
    return services.submit(
        actor=actor,
        procedure=procedure or cast.procedure,
        receiving_agency=cast.commune,
        competent_agency=competent or cast.commune,
        channel=Channel.ONLINE,
        applicant=applicant_of(cast.citizen if actor.is_officer else actor),
        delivery_method=DeliveryMethod.ONLINE,
        at=at,
    )


def make_draft(cast: Cast) -> Dossier:
    """A draft (the portal saves one before submission; no service makes drafts, so a plain row)."""
    return Dossier.objects.create(
        procedure=cast.procedure,
        receiving_agency=cast.commune,
        competent_agency=cast.commune,
        channel=Channel.ONLINE,
        applicant=cast.citizen,
        applicant_name=cast.citizen.full_name,
        applicant_id_number=cast.citizen.citizen_id_number,
        delivery_method=DeliveryMethod.ONLINE,
    )


# --------------------------------------------------------------------------------------------------
# One action through the real service, with the usual authorised actor
# --------------------------------------------------------------------------------------------------

MISSING = [{"document": "Giấy tờ chứng minh chỗ ở hợp pháp", "reason": "Bản chụp bị mờ, không đọc được"}]


def default_actor(cast: Cast, dossier: Dossier, action: Action) -> User:
    """Who normally performs ``action`` on a commune-A dossier (ACTION_RULES allows them)."""
    if action in (A.SUBMIT, A.SUPPLEMENT, A.WITHDRAW):
        return cast.citizen
    if action == A.REQUEST_SUPPLEMENT:
        return cast.counter if dossier.accepted_at is None else cast.specialist
    if action == A.COMPETENT_RECEIVE:
        return cast.other_commune_counter
    if action == A.COMPLETE_LEG:
        return cast.leg_specialist
    if action in (A.ACCEPT, A.REJECT, A.CONFIRM_PAYMENT, A.CONFIRM_EXTENSION, A.RETURN_RESULT):
        return cast.counter
    if action in (A.ASSIGN, A.APPROVE, A.REFUSE, A.STOP):
        return cast.leader
    return cast.specialist  # process, consult, consultation_done, transfer, pause, resume, payment, extension


def open_leg(dossier: Dossier) -> DossierLeg:
    """The started, not yet completed leg with the lowest position."""
    leg = (
        DossierLeg.objects.filter(dossier=dossier, started_at__isnull=False, completed_at__isnull=True)
        .order_by("position")
        .first()
    )
    assert leg is not None, "the dossier has no open leg"
    return leg


def perform(
    cast: Cast, dossier: Dossier, action: Action, *, at: datetime, actor: User | None = None
) -> Dossier:
    """Perform ``action`` on ``dossier`` through its service (the workflow directly for a draft)."""
    actor = actor or default_actor(cast, dossier, action)
    match action:
        case A.SUBMIT:  # only from a draft row: services.submit creates and submits in one go
            return workflow.transition(
                dossier,
                A.SUBMIT,
                actor=actor,
                at=at,
                changes={"submitted_at": at, "system_received_at": at},
            )
        case A.ACCEPT:
            return services.accept(dossier, actor=actor, at=at)
        case A.REJECT:
            return services.reject(dossier, actor=actor, reasons=["Thủ tục không thuộc thẩm quyền"], at=at)
        case A.REQUEST_SUPPLEMENT:
            return services.request_supplement(dossier, actor=actor, missing=MISSING, at=at)
        case A.SUPPLEMENT:
            return services.supplement(dossier, actor=actor, note="Đã bổ sung bản rõ nét", at=at)
        case A.COMPETENT_RECEIVE:
            return services.competent_receive(dossier, actor=actor, at=at)
        case A.ASSIGN:
            return services.assign(dossier, actor=actor, assignee=cast.specialist, at=at)
        case A.PROCESS:
            return services.process(dossier, actor=actor, opinion="Đủ điều kiện đăng ký thường trú", at=at)
        case A.CONSULT:
            return services.consult(
                dossier, actor=actor, unit=cast.consulted, question="Xin ý kiến", working_days=3, at=at
            )
        case A.CONSULTATION_DONE:
            return services.consultation_done(dossier, actor=actor, answer="Thống nhất", at=at)
        case A.TRANSFER:
            return services.transfer(
                dossier,
                actor=actor,
                legs=[services.LegPlan(cast.leg_agency, Decimal(2), "Xác nhận nghĩa vụ tài chính")],
                mode=LegMode.SEQUENTIAL,
                at=at,
            )
        case A.COMPLETE_LEG:
            return services.complete_leg(dossier, open_leg(dossier), actor=actor, note="Đã xác nhận", at=at)
        case A.PAUSE:
            return services.pause(dossier, actor=actor, reason="Chờ xác minh thực địa", at=at)
        case A.RESUME:
            return services.resume(dossier, actor=actor, note="Đã xác minh", at=at)
        case A.REQUEST_PAYMENT:
            return services.request_payment(
                dossier, actor=actor, amount=Decimal("20000"), reason="Lệ phí đăng ký cư trú", at=at
            )
        case A.CONFIRM_PAYMENT:
            return services.confirm_payment(dossier, actor=actor, reference="BL-000123", at=at)
        case A.REQUEST_EXTENSION:
            assert dossier.due_at is not None
            return services.request_extension(
                dossier,
                actor=actor,
                reason="Cần thêm thời gian xác minh",
                new_due_at=dossier.due_at + timedelta(days=7),
                at=at,
            )
        case A.CONFIRM_EXTENSION:
            return services.confirm_extension(dossier, actor=actor, at=at)
        case A.APPROVE:
            return services.approve(dossier, actor=actor, note="Đồng ý", at=at)
        case A.REFUSE:
            return services.refuse(dossier, actor=actor, reasons=["Không đủ điều kiện"], at=at)
        case A.STOP:
            return services.stop(
                dossier,
                actor=actor,
                requested_by=StopRequester.APPLICANT,
                reason="Người dân đề nghị dừng",
                at=at,
            )
        case A.RESOLVE:
            return services.resolve(dossier, actor=actor, note="Đã cập nhật thường trú", at=at)
        case A.RETURN_RESULT:
            return services.return_result(dossier, actor=actor, at=at)
        case A.WITHDRAW:
            return services.withdraw(dossier, actor=actor, reason="Không còn nhu cầu", at=at)
    raise AssertionError(f"no performer for {action}")  # pragma: no cover


# --------------------------------------------------------------------------------------------------
# Routes: how to bring a dossier to each status
# --------------------------------------------------------------------------------------------------

Step = Action | Callable[[Cast, Dossier, datetime], Dossier]


def transfer_to_two_agencies(cast: Cast, dossier: Dossier, at: datetime) -> Dossier:
    """Transfer in sequence to Sở Tài chính, then Sở Xây dựng (two legs, the second waits)."""
    return services.transfer(
        dossier,
        actor=cast.specialist,
        legs=[
            services.LegPlan(cast.leg_agency, Decimal(2), "Xác nhận nghĩa vụ tài chính"),
            services.LegPlan(cast.world.departments["Bộ Xây dựng"], Decimal(3), "Xác nhận quy hoạch"),
        ],
        mode=LegMode.SEQUENTIAL,
        at=at,
    )


@dataclass(frozen=True)
class Route:
    start: str  # "draft", "online" (commune A for commune A) or "boundary_free" (commune A for commune B)
    steps: tuple[Step, ...]
    status: Status  # where the route ends (asserted by ``drive``)


_PROC = (A.ACCEPT, A.ASSIGN)
ROUTES: dict[str, Route] = {
    "draft": Route("draft", (), S.DRAFT),
    "submitted": Route("online", (), S.SUBMITTED),
    "rejected": Route("online", (A.REJECT,), S.REJECTED),
    "withdrawn": Route("online", (A.WITHDRAW,), S.WITHDRAWN),
    "supplement_requested": Route("online", (A.REQUEST_SUPPLEMENT,), S.SUPPLEMENT_REQUESTED),
    "supplement_received": Route("online", (A.REQUEST_SUPPLEMENT, A.SUPPLEMENT), S.SUPPLEMENT_RECEIVED),
    "accepted": Route("online", (A.ACCEPT,), S.ACCEPTED),
    "accepted_boundary_free": Route("boundary_free", (A.ACCEPT,), S.ACCEPTED),
    "processing": Route("online", _PROC, S.PROCESSING),
    "supplement_requested_after_acceptance": Route(
        "online", (*_PROC, A.REQUEST_SUPPLEMENT), S.SUPPLEMENT_REQUESTED
    ),
    "supplement_received_after_acceptance": Route(
        "online", (*_PROC, A.REQUEST_SUPPLEMENT, A.SUPPLEMENT), S.SUPPLEMENT_RECEIVED
    ),
    "consulting": Route("online", (*_PROC, A.CONSULT), S.CONSULTING),
    "transferred": Route("online", (*_PROC, A.TRANSFER), S.TRANSFERRED),
    "transferred_two_legs": Route("online", (*_PROC, transfer_to_two_agencies), S.TRANSFERRED),
    "paused": Route("online", (*_PROC, A.PAUSE), S.PAUSED),
    "awaiting_payment": Route("online", (*_PROC, A.REQUEST_PAYMENT), S.AWAITING_PAYMENT),
    "extension_requested": Route("online", (*_PROC, A.REQUEST_EXTENSION), S.EXTENSION_REQUESTED),
    "pending_approval": Route("online", (*_PROC, A.PROCESS), S.PENDING_APPROVAL),
    "approved": Route("online", (*_PROC, A.PROCESS, A.APPROVE), S.APPROVED),
    "refused": Route("online", (*_PROC, A.REFUSE), S.REFUSED),
    "stopped": Route("online", (*_PROC, A.STOP), S.STOPPED),
    "resolved": Route("online", (*_PROC, A.PROCESS, A.APPROVE, A.RESOLVE), S.RESOLVED),
    "returned": Route("online", (*_PROC, A.PROCESS, A.APPROVE, A.RESOLVE, A.RETURN_RESULT), S.RETURNED),
}

#: Default start of a scenario: Monday 2 March 2026, 08:30 in Hanoi (an ordinary working week).
MONDAY = vn(2026, 3, 2, 8, 30)


def drive(cast: Cast, route_name: str, clock: Ticker | None = None) -> Dossier:
    """Bring a new dossier along ``ROUTES[route_name]`` through the real services."""
    route = ROUTES[route_name]
    clock = clock or Ticker(MONDAY)
    if route.start == "draft":
        dossier = make_draft(cast)
    elif route.start == "boundary_free":
        dossier = file_online(cast, clock(), competent=cast.other_commune)
    else:
        dossier = file_online(cast, clock())
    for step in route.steps:
        if isinstance(step, Action):
            dossier = perform(cast, dossier, step, at=clock())
        else:
            dossier = step(cast, dossier, clock())
    assert dossier.status == route.status, f"route {route_name} ended in {dossier.status}"
    return dossier


# --------------------------------------------------------------------------------------------------
# What must stay unchanged
# --------------------------------------------------------------------------------------------------


def snapshot(dossier: Dossier) -> dict[str, Any]:
    """Every column of the dossier row, its events, legs and outbox messages, read from the database."""
    fresh = Dossier.objects.get(pk=dossier.pk)
    return {
        "row": {f.attname: getattr(fresh, f.attname) for f in Dossier._meta.concrete_fields},
        "events": list(DossierEvent.objects.filter(dossier=fresh).values_list("sequence", "action")),
        "legs": list(
            DossierLeg.objects.filter(dossier=fresh).values_list("id", "started_at", "due_at", "completed_at")
        ),
        "outbox": OutboxMessage.objects.filter(key=str(fresh.pk)).count(),
    }


def counts() -> dict[str, Any]:
    """Row counts of everything a dossier use case writes, and the code sequences."""
    return {
        "dossiers": Dossier.objects.count(),
        "events": DossierEvent.objects.count(),
        "legs": DossierLeg.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "sequences": sorted(DossierCodeSequence.objects.values_list("agency_code", "day", "last_value")),
    }


# --------------------------------------------------------------------------------------------------
# A small world without reference data
# --------------------------------------------------------------------------------------------------


@dataclass
class MiniWorld:
    province: Agency
    commune: Agency
    procedure: Procedure
    citizen: User
    counter: User  # receiving officer of the commune
    all_roles: User  # holds every role over the commune


def build_mini_world(tag: str = "Z99") -> MiniWorld:
    """A province ``000.00.00.<tag>`` with commune ``001.01.01.<tag>`` offering one online procedure
    (3 working days). Codes match the strict dossier-code pattern and clash with no real agency."""
    province = add_agency(code=f"000.00.00.{tag}", name=f"UBND tỉnh thử {tag}", kind=AgencyKind.PROVINCE)
    commune = add_agency(
        code=f"001.01.01.{tag}", name=f"UBND xã thử {tag}", kind=AgencyKind.COMMUNE, parent=province
    )
    procedure = Procedure.objects.create(
        national_code=f"9.99{tag}", name="Thủ tục thử nghiệm", implementing_levels=["commune"]
    )
    ProcedureChannel.objects.create(
        procedure=procedure, channel=Channel.ONLINE, time_limit=Decimal(3), time_unit="working_days"
    )
    ProcedureOffering.objects.create(
        agency=commune,
        procedure=procedure,
        online_mode=OnlineMode.FULL,
        boundary_free=BoundaryFreeScope.NONE,
    )
    return MiniWorld(
        province=province,
        commune=commune,
        procedure=procedure,
        citizen=make_citizen(f"citizen.{tag}", "Lê Thị Thử", "001199001234"),
        counter=make_officer(f"counter.{tag}", commune, Role.RECEIVING_OFFICER),
        all_roles=make_officer(f"all.{tag}", commune, *Role),
    )


def mini_submit(world: MiniWorld, at: datetime, actor: User | None = None) -> Dossier:
    actor = actor or world.citizen
    return services.submit(
        actor=actor,
        procedure=world.procedure,
        receiving_agency=world.commune,
        channel=Channel.ONLINE,
        applicant=services.Applicant("Lê Thị Thử", "001199001234"),
        at=at,
    )
