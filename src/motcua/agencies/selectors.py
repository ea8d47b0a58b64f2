"""Reads of agencies and administrative units."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.agencies.models import Agency
from motcua.core.errors import NotFound


def agency_by_code(code: str, *, field: str = "agency") -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise NotFound(
            "agency_not_found",
            f"Không tìm thấy cơ quan có mã {code}.",
            f"No agency has the code {code}.",
            field=field,
        )
    return agency


def agencies(
    *, within: Agency | None = None, kind: str | None = None, q: str | None = None
) -> QuerySet[Agency]:
    qs = Agency.objects.select_related("parent", "admin_unit")
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("path")
