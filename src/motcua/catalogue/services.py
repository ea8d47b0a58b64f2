"""Changes to the catalogue that carry rules: an offering's internal process steps (quy trình nội bộ).

An agency that offers a procedure splits its time limit into steps (receive, appraise, approve, return…),
each done by one role with a share of the time limit in percent. The shares of one offering sum to at most
100 %: the steps cannot together use more time than the law gives.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from motcua.accounts.models import Role
from motcua.catalogue.models import ProcedureOffering, ProcessStep
from motcua.core.errors import DomainError

MAX_TOTAL_SHARE = Decimal(100)
_NAME_MAX = 255


@dataclass(frozen=True)
class StepPlan:
    """One step as an administrator enters it: its name (Vietnamese), the role doing it, its share in %."""

    name: str
    role: Role | str
    share_percent: Decimal | int | str


def clean_share(value: Decimal | int | str, *, field: str = "share_percent") -> Decimal:
    """A share of the time limit: a number from 0 to 100 with at most two decimals."""
    try:
        share = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        share = Decimal("NaN")
    if (
        not share.is_finite()
        or share < 0
        or share > MAX_TOTAL_SHARE
        or share != share.quantize(Decimal("0.01"))
    ):
        raise DomainError(
            "process_step_share_invalid",
            "Tỷ lệ thời gian của bước phải là một số từ 0 đến 100 (%), tối đa 2 chữ số thập phân.",
            "The step's share of the time limit must be a number from 0 to 100 (%), with at most 2 decimals.",
            field=field,
        )
    return share.quantize(Decimal("0.01"))


def check_total_share(shares: Iterable[Decimal], *, field: str = "steps") -> Decimal:
    """Refuse shares that together exceed 100 % of the time limit; return their total."""
    total = sum(shares, Decimal(0))
    if total > MAX_TOTAL_SHARE:
        raise DomainError(
            "process_steps_exceed_time_limit",
            f"Tổng tỷ lệ thời gian của các bước là {total}%, vượt quá 100% thời hạn giải quyết.",
            f"The steps together take {total}% of the time limit; they may take at most 100%.",
            field=field,
        )
    return total


def _clean_name(name: str, field: str) -> str:
    cleaned = " ".join(str(name).split())
    if not cleaned or len(cleaned) > _NAME_MAX:
        raise DomainError(
            "process_step_name_required",
            f"Mỗi bước phải có tên (tối đa {_NAME_MAX} ký tự).",
            f"Every step needs a name (at most {_NAME_MAX} characters).",
            field=field,
        )
    return cleaned


def _clean_role(role: Role | str, field: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise DomainError(
            "process_step_role_invalid",
            "Vai trò thực hiện bước không hợp lệ; chọn một vai trò trong danh sách.",
            "The role doing the step is not valid; choose one from the list.",
            field=field,
        ) from None


@transaction.atomic
def set_process_steps(offering: ProcedureOffering, steps: Sequence[StepPlan]) -> list[ProcessStep]:
    """Replace the internal process steps of ``offering`` by ``steps``, in that order (positions 1, 2, …).

    All or nothing: a step with no name, an unknown role, a share outside 0–100 % or shares that together
    exceed 100 % refuse the whole change with a ``DomainError`` naming the step (``steps[i].…``).
    An empty list removes the steps.
    """
    rows = [
        ProcessStep(
            offering=offering,
            position=i + 1,
            name=_clean_name(step.name, f"steps[{i}].name"),
            role=_clean_role(step.role, f"steps[{i}].role"),
            share_percent=clean_share(step.share_percent, field=f"steps[{i}].share_percent"),
        )
        for i, step in enumerate(steps)
    ]
    check_total_share(row.share_percent for row in rows)
    ProcessStep.objects.filter(offering=offering).delete()
    ProcessStep.objects.bulk_create(rows)
    return list(ProcessStep.objects.filter(offering=offering).order_by("position"))
