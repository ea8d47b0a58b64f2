"""Units that resolve dossiers through the real services, fast (early) or slow (late), so that the values
of the indicators, and the order of a ranking, are known by construction (rankings and monitoring API tests).

Fast: every step 30 minutes apart from Monday 2 March 2026, 08:30 — resolved the day it was received, a day
before the due day of the 7-working-day residence procedure: early. Slow: one step a week (every step on a
Monday) — resolved four weeks after receipt: late.
"""

from __future__ import annotations

from datetime import timedelta

from motcua.accounts.models import Role, User
from motcua.agencies.models import Agency, AgencyKind
from motcua.catalogue.models import BoundaryFreeScope, Channel, OnlineMode, Procedure, ProcedureOffering
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import MONDAY, RESIDENCE, Ticker, applicant_of, make_officer

FAST = timedelta(minutes=30)
SLOW = timedelta(days=7)


class Unit:
    """An agency offering the residence procedure, with a counter/leader and a specialist of its own."""

    def __init__(self, agency: Agency, tag: str) -> None:
        self.agency = agency
        self.procedure = Procedure.objects.get(national_code=RESIDENCE)
        ProcedureOffering.objects.get_or_create(
            agency=agency,
            procedure=self.procedure,
            defaults={"online_mode": OnlineMode.FULL, "boundary_free": BoundaryFreeScope.NONE},
        )
        self.boss = make_officer(f"boss.{tag}", agency, Role.RECEIVING_OFFICER, Role.AGENCY_LEADER)
        self.specialist = make_officer(f"cv.{tag}", agency, Role.SPECIALIST)

    def resolve_one(self, citizen: User, step: timedelta) -> Dossier:
        """File online, accept, assign, process, approve and resolve, one ``step`` apart."""
        clock = Ticker(MONDAY, step)
        d = services.submit(
            actor=citizen,
            procedure=self.procedure,
            receiving_agency=self.agency,
            competent_agency=self.agency,
            channel=Channel.ONLINE,
            applicant=applicant_of(citizen),
            delivery_method=DeliveryMethod.ONLINE,
            at=clock(),
        )
        d = services.accept(d, actor=self.boss, at=clock())
        d = services.assign(d, actor=self.boss, assignee=self.specialist, at=clock())
        d = services.process(d, actor=self.specialist, opinion="Đủ điều kiện", at=clock())
        d = services.approve(d, actor=self.boss, note="Đồng ý", at=clock())
        d = services.resolve(d, actor=self.specialist, note="Đã cập nhật", at=clock())
        assert d.resolved_at is not None
        assert d.due_at is not None
        if step == FAST:  # resolved on a day before the due day: early
            assert d.resolved_at.date() < d.due_at.date()
        else:  # resolved after the due date: late
            assert d.resolved_at > d.due_at
        return d


def four_communes(world: DemoWorld) -> list[Unit]:
    """The three demo communes and a fourth commune of the province, in code order, each with its staff."""
    province = world.province
    extra = (
        Agency.objects.filter(parent=province, kind=AgencyKind.COMMUNE)
        .exclude(pk__in=[c.pk for c in world.communes])
        .order_by("code")
        .first()
    )
    assert extra is not None
    return [Unit(agency, f"x{i}") for i, agency in enumerate([*world.communes, extra])]
