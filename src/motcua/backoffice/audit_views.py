"""The audit page (nhật ký truy cập và thao tác) for agency leaders and centre directors: who read or
acted on which dossier, when and from where, within the agencies they lead."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import cast
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.accounts.models import User
from motcua.accounts.selectors import memberships_of, officer_by_username
from motcua.backoffice.access import LEADER_ROLES, paths_with_roles, roles_required
from motcua.backoffice.audit_trail import audit_page
from motcua.catalogue.forms import FieldError
from motcua.core.clock import VN_TZ

PAGE_SIZE = 100


def _day(raw: str) -> date | None:
    """A date typed as ``2026-03-02`` (the date input) or ``02/03/2026``; None when it is not one."""
    for parse in (date.fromisoformat, lambda s: datetime.strptime(s, "%d/%m/%Y").date()):  # noqa: DTZ007
        try:
            return parse(raw)
        except ValueError:
            continue
    return None


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=VN_TZ)


@roles_required(LEADER_ROLES)
def audit_log(request: HttpRequest) -> HttpResponse:
    me = cast(User, request.user)
    english = (getattr(request, "LANGUAGE_CODE", "vi") or "vi").startswith("en")
    values = {name: request.GET.get(name, "").strip()[:100] for name in ("code", "officer", "from", "to")}
    errors: dict[str, FieldError] = {}

    actor = None
    if values["officer"]:
        actor = officer_by_username(values["officer"])
        if actor is None:
            errors["officer"] = FieldError(
                "Không có cán bộ với tên đăng nhập này.", "There is no officer with this username."
            )
    bounds: dict[str, date | None] = {}
    for name in ("from", "to"):
        bounds[name] = _day(values[name]) if values[name] else None
        if values[name] and bounds[name] is None:
            errors[name] = FieldError(
                "Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 02/03/2026.",
                "The date is not valid: use day/month/year, e.g. 02/03/2026.",
            )
    since_day, until_day = bounds["from"], bounds["to"]
    if since_day and until_day and since_day > until_day:
        errors["to"] = FieldError(
            "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.",
            "The end date must not be before the start date.",
        )
    before = None
    if request.GET.get("before"):
        try:
            before = datetime.fromisoformat(request.GET["before"])
        except ValueError:
            before = None
        if before is not None and before.tzinfo is None:
            before = before.replace(tzinfo=VN_TZ)

    trail = None
    next_query = ""
    if not errors:
        trail = audit_page(
            agency_paths=paths_with_roles(me, LEADER_ROLES),
            dossier_code=values["code"] or None,
            actor=actor,
            since=_start(since_day) if since_day else None,
            until=_start(until_day + timedelta(days=1)) if until_day else None,
            before=before,
            limit=PAGE_SIZE,
            english=english,
        )
        if trail.before is not None:
            kept = {k: v for k, v in values.items() if v}
            next_query = urlencode({**kept, "before": trail.before.isoformat()})
    return render(
        request,
        "backoffice/audit.html",
        {
            "values": values,
            "errors": errors,
            "trail": trail,
            "next_query": next_query,
            "paged": before is not None,
            "agencies": sorted(
                {m.agency.short_name or m.agency.name for m in memberships_of(me) if m.role in LEADER_ROLES}
            ),
        },
        status=400 if errors else 200,
    )
