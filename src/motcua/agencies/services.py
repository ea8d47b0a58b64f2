"""Write paths of the agency tree: create and move agencies while keeping materialised paths true."""

from __future__ import annotations

from django.db import transaction

from motcua.agencies.models import AdministrativeUnit, Agency, AgencyKind
from motcua.core.errors import DomainError


def _path_for(agency_id: int, parent: Agency | None) -> str:
    prefix = parent.path if parent else "/"
    return f"{prefix}{agency_id}/"


@transaction.atomic
def add_agency(
    *,
    code: str,
    name: str,
    kind: AgencyKind | str,
    parent: Agency | None = None,
    admin_unit: AdministrativeUnit | None = None,
    short_name: str = "",
) -> Agency:
    """Create an agency under ``parent`` with its path and depth."""
    code = code.strip()
    if not code:
        raise DomainError(
            "agency_code_required",
            "Mã định danh của cơ quan không được để trống.",
            "The agency identifier code is required.",
            field="code",
        )
    agency = Agency.objects.create(
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        parent=parent,
        admin_unit=admin_unit,
        depth=(parent.depth + 1) if parent else 0,
    )
    agency.path = _path_for(agency.id, parent)
    agency.save(update_fields=["path"])
    return agency


@transaction.atomic
def move_agency(agency: Agency, new_parent: Agency | None) -> Agency:
    """Move ``agency`` (and its subtree) under ``new_parent``."""
    if new_parent is not None and new_parent.is_within(agency):
        raise DomainError(
            "agency_cycle",
            "Không thể chuyển cơ quan vào chính cơ quan cấp dưới của nó.",
            "An agency cannot be moved under its own subtree.",
            field="parent",
        )
    old_path, old_depth = agency.path, agency.depth
    new_path = _path_for(agency.id, new_parent)
    new_depth = (new_parent.depth + 1) if new_parent else 0
    for node in Agency.objects.filter(path__startswith=old_path).select_for_update():
        node.path = new_path + node.path[len(old_path) :]
        node.depth = node.depth - old_depth + new_depth
        if node.id == agency.id:
            node.parent = new_parent
        node.save(update_fields=["path", "depth", "parent"])
    agency.refresh_from_db()
    return agency
