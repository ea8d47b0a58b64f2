"""Internal process steps of an offering (quy trình nội bộ): which role does which step with what share of
the time limit; the shares sum to at most 100 %. Also: the admin pages that manage agencies, officers,
roles (memberships) and offerings list, search and filter without error."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from motcua.accounts.models import Membership, Role, User, UserKind
from motcua.agencies.models import Agency
from motcua.catalogue.admin import ProcessStepInline
from motcua.catalogue.models import ProcedureOffering, ProcessStep
from motcua.catalogue.services import StepPlan, set_process_steps
from motcua.core.errors import DomainError
from motcua.dossiers.demo import DemoWorld

RESIDENCE = "1.004222"

USUAL = [
    StepPlan("Tiếp nhận, chuyển hồ sơ", Role.RECEIVING_OFFICER, "5"),
    StepPlan("Thẩm định hồ sơ", Role.SPECIALIST, Decimal("60")),
    StepPlan("Phê duyệt kết quả", Role.AGENCY_LEADER, "25.5"),
    StepPlan("Trả kết quả", "receiving_officer", 9),
]


def offering_of(world: DemoWorld) -> ProcedureOffering:
    return ProcedureOffering.objects.get(agency=world.communes[0], procedure__national_code=RESIDENCE)


def stored(offering: ProcedureOffering) -> list[tuple[int, str, str, Decimal]]:
    return list(
        ProcessStep.objects.filter(offering=offering)
        .order_by("position")
        .values_list("position", "name", "role", "share_percent")
    )


@pytest.mark.django_db
def test_steps_are_stored_in_order_with_their_role_and_share(demo_world: DemoWorld) -> None:
    offering = offering_of(demo_world)
    steps = set_process_steps(offering, USUAL)
    assert [s.position for s in steps] == [1, 2, 3, 4]
    assert stored(offering) == [
        (1, "Tiếp nhận, chuyển hồ sơ", "receiving_officer", Decimal("5.00")),
        (2, "Thẩm định hồ sơ", "specialist", Decimal("60.00")),
        (3, "Phê duyệt kết quả", "agency_leader", Decimal("25.50")),
        (4, "Trả kết quả", "receiving_officer", Decimal("9.00")),
    ]
    # exactly 100 % is allowed
    assert sum(s.share_percent for s in steps) == Decimal("99.50")
    set_process_steps(offering, [*USUAL[:3], StepPlan("Trả kết quả", Role.RECEIVING_OFFICER, "9.5")])
    assert sum(row[3] for row in stored(offering)) == Decimal(100)


@pytest.mark.django_db
def test_setting_steps_again_replaces_them_and_an_empty_list_removes_them(demo_world: DemoWorld) -> None:
    offering = offering_of(demo_world)
    set_process_steps(offering, USUAL)
    set_process_steps(offering, [StepPlan("  Xử lý   toàn bộ ", Role.SPECIALIST, "80")])
    assert stored(offering) == [(1, "Xử lý toàn bộ", "specialist", Decimal("80.00"))]
    set_process_steps(offering, [])
    assert stored(offering) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("steps", "code", "field"),
    [
        (
            [*USUAL, StepPlan("Lưu hồ sơ", Role.SPECIALIST, "0.51")],
            "process_steps_exceed_time_limit",
            "steps",
        ),
        (
            [StepPlan("A", Role.SPECIALIST, "70"), StepPlan("B", Role.DIVISION_HEAD, "31")],
            "process_steps_exceed_time_limit",
            "steps",
        ),
        ([StepPlan("  ", Role.SPECIALIST, "10")], "process_step_name_required", "steps[0].name"),
        (
            [StepPlan("A", Role.SPECIALIST, "10"), StepPlan("B", "mayor", "10")],
            "process_step_role_invalid",
            "steps[1].role",
        ),
        ([StepPlan("A", Role.SPECIALIST, "-1")], "process_step_share_invalid", "steps[0].share_percent"),
        ([StepPlan("A", Role.SPECIALIST, "100.01")], "process_step_share_invalid", "steps[0].share_percent"),
        ([StepPlan("A", Role.SPECIALIST, "12.345")], "process_step_share_invalid", "steps[0].share_percent"),
        ([StepPlan("A", Role.SPECIALIST, "mười")], "process_step_share_invalid", "steps[0].share_percent"),
        ([StepPlan("A", Role.SPECIALIST, "NaN")], "process_step_share_invalid", "steps[0].share_percent"),
    ],
)
def test_bad_steps_are_refused_and_change_nothing(
    demo_world: DemoWorld, steps: list[StepPlan], code: str, field: str
) -> None:
    offering = offering_of(demo_world)
    set_process_steps(offering, USUAL[:2])
    before = stored(offering)
    with pytest.raises(DomainError) as refused:
        set_process_steps(offering, steps)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.message_vi != refused.value.message_en
    assert stored(offering) == before


@pytest.mark.django_db
def test_the_database_refuses_a_share_above_100_and_a_repeated_position(demo_world: DemoWorld) -> None:
    offering = offering_of(demo_world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessStep.objects.create(
            offering=offering, position=1, name="A", role="specialist", share_percent=101
        )
    ProcessStep.objects.create(offering=offering, position=1, name="A", role="specialist", share_percent=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessStep.objects.create(
            offering=offering, position=1, name="B", role="specialist", share_percent=10
        )


@pytest.mark.django_db
def test_steps_go_with_their_offering(demo_world: DemoWorld) -> None:
    offering = offering_of(demo_world)
    set_process_steps(offering, USUAL)
    offering.delete()
    assert not ProcessStep.objects.filter(offering_id=offering.pk).exists()


# --------------------------------------------------------------------------------------------------
# Admin
# --------------------------------------------------------------------------------------------------


def _superuser() -> User:
    return User.objects.create(username="quantri", kind=UserKind.OFFICER, is_staff=True, is_superuser=True)


def _inline_formset_data(
    offering: ProcedureOffering, rows: list[tuple[int, str, str, str]]
) -> dict[str, str]:
    prefix = "process_steps"
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, (position, name, role, share) in enumerate(rows):
        data.update(
            {
                f"{prefix}-{i}-position": str(position),
                f"{prefix}-{i}-name": name,
                f"{prefix}-{i}-role": role,
                f"{prefix}-{i}-share_percent": share,
                f"{prefix}-{i}-offering": str(offering.pk),
            }
        )
    return data


@pytest.mark.django_db
def test_the_admin_inline_refuses_shares_above_100_percent(demo_world: DemoWorld) -> None:
    offering = offering_of(demo_world)
    request = RequestFactory().post("/admin/")
    request.user = _superuser()
    inline = ProcessStepInline(ProcedureOffering, admin.site)
    formset_class = inline.get_formset(request, offering)
    too_much = formset_class(
        _inline_formset_data(
            offering, [(1, "Thẩm định", "specialist", "70"), (2, "Phê duyệt", "agency_leader", "40")]
        ),
        instance=offering,
        prefix="process_steps",
    )
    assert not too_much.is_valid()
    assert "100%" in " ".join(too_much.non_form_errors())
    fine = formset_class(
        _inline_formset_data(
            offering, [(1, "Thẩm định", "specialist", "70"), (2, "Phê duyệt", "agency_leader", "30")]
        ),
        instance=offering,
        prefix="process_steps",
    )
    assert fine.is_valid(), fine.errors
    fine.save()
    assert [row[3] for row in stored(offering)] == [Decimal("70.00"), Decimal("30.00")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "query"),
    [
        (Agency, {"q": "Ninh Bình", "kind": "commune"}),
        (User, {"q": "chuyenvien", "memberships__role": "specialist", "kind": "officer"}),
        (Membership, {"q": "xa", "role": "agency_leader"}),
        (ProcedureOffering, {"q": RESIDENCE, "online_mode": "full", "agency__kind": "commune"}),
    ],
)
def test_admin_lists_search_and_filter(demo_world: DemoWorld, model: type, query: dict[str, str]) -> None:
    request = RequestFactory().get("/admin/", query)
    request.user = _superuser()
    response = admin.site._registry[model].changelist_view(request)
    response.render()
    assert response.status_code == 200
    # the filters were understood (an unknown one redirects with ?e=1) and they match something
    assert response.context_data["cl"].result_count > 0
