"""The audit page's reading (nhật ký truy cập và thao tác): the audit log's reads, downloads and sign-ins
merged with the dossier transitions (``DossierEvent``), newest first, within a leader's agency subtrees.

Transitions are never copied into the audit log; they are read from the event log here, so the page
shows each act exactly once. A citizen's own acts (submitting, supplementing) appear without naming them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q

from motcua.accounts import staff
from motcua.accounts.models import User
from motcua.core import audit
from motcua.core.models import AuditEntry
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import DossierEvent

REASONS: dict[str, tuple[str, str]] = {
    "bad_credentials": ("Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password"),
    "locked_out": ("Tạm khoá do nhập sai nhiều lần", "Locked out after repeated failures"),
    "not_staff": ("Không phải tài khoản cán bộ", "Not a staff account"),
    "otp_invalid": ("Mã sai, hết hạn hoặc đã dùng", "Wrong, expired or reused code"),
    "otp_throttled": ("Sai nhiều lần, phải chờ", "Too many wrong codes, must wait"),
}

ACCESS = "access"
TRANSITION = "transition"


@dataclass(frozen=True)
class TrailRow:
    """One line of the audit page, whichever log it comes from."""

    at: datetime
    kind: str  # ACCESS (audit log) or TRANSITION (dossier event)
    action: str
    action_label: str
    actor_label: str
    dossier_code: str
    agency_name: str
    ip_address: str
    path: str
    note: str


@dataclass(frozen=True)
class Trail:
    rows: list[TrailRow]
    before: datetime | None  # cursor of the next (older) page; None on the last page


def _half(label: str, english: bool) -> str:
    """``"Tiếp nhận / accept (Form 01)"`` → one language's half."""
    vi, _, en = str(label).partition(" / ")
    return (en or vi) if english else vi


def _agency_name(agency: Any) -> str:
    if agency is None:
        return ""
    return str(agency.short_name or agency.name)


def _actor_name(user: User | None, english: bool) -> str:
    if user is None:
        return "System" if english else "Hệ thống"
    if not user.is_officer and not user.is_staff:
        return "Citizen" if english else "Công dân"
    return user.get_username()


def _access_row(entry: AuditEntry, english: bool) -> TrailRow:
    reason = str((entry.detail or {}).get("reason", ""))
    if reason in REASONS:
        reason = REASONS[reason][1 if english else 0]
    detail = entry.detail or {}
    if (
        entry.object_type == "dossier_list" and not reason
    ):  # a monitoring drill-down: which counter was opened
        reason = f"{detail.get('measure', '')} {detail.get('from', '')}…{detail.get('to', '')} ({detail.get('count', '?')})"
    return TrailRow(
        at=entry.at,
        kind=ACCESS,
        action=entry.action,
        action_label=audit.action_label(entry.action, english),
        actor_label=entry.actor_label or ("(unknown account)" if english else "(tài khoản không rõ)"),
        dossier_code=entry.object_label if entry.object_type == "dossier" else "",
        agency_name=_agency_name(entry.agency),
        ip_address=entry.ip_address or "",
        path=entry.path,
        note=reason,
    )


def _transition_row(event: DossierEvent, english: bool) -> TrailRow:
    statuses = dict(Status.choices)
    actions = dict(Action.choices)
    note = ""
    if event.from_status != event.to_status:
        note = (
            f"{_half(statuses.get(event.from_status, event.from_status), english)} → "
            f"{_half(statuses.get(event.to_status, event.to_status), english)}"
        )
    return TrailRow(
        at=event.at,
        kind=TRANSITION,
        action=event.action,
        action_label=_half(actions.get(event.action, event.action), english),
        actor_label=_actor_name(event.actor, english),
        dossier_code=event.dossier.code or "",
        agency_name=_agency_name(event.agency or event.dossier.competent_agency),
        ip_address="",
        path="",
        note=note,
    )


def _events(
    *,
    agency_paths: list[str],
    dossier_code: str | None,
    actor: User | None,
    since: datetime | None,
    until: datetime | None,
    before: datetime | None,
    limit: int,
) -> list[DossierEvent]:
    within = Q()
    for path in agency_paths:
        within |= (
            Q(agency__path__startswith=path)
            | Q(dossier__competent_agency__path__startswith=path)
            | Q(dossier__receiving_agency__path__startswith=path)
        )
    events = DossierEvent.objects.filter(within)
    if dossier_code:
        events = events.filter(dossier__code=dossier_code)
    if actor is not None:
        events = events.filter(actor=actor)
    if since is not None:
        events = events.filter(at__gte=since)
    if until is not None:
        events = events.filter(at__lt=until)
    if before is not None:
        events = events.filter(at__lt=before)
    events = events.select_related("actor", "agency", "dossier", "dossier__competent_agency")
    return list(events.order_by("-at", "-id")[:limit])


def audit_page(
    *,
    agency_paths: list[str],
    dossier_code: str | None = None,
    actor: User | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: datetime | None = None,
    limit: int = 100,
    english: bool = False,
) -> Trail:
    """Reads, downloads, sign-ins and transitions within ``agency_paths``, newest first, ``limit`` rows.

    Sign-ins (which have no agency) are those of the officers of the subtrees. ``before`` pages back.
    """
    if not agency_paths:
        return Trail([], None)
    filters: dict[str, Any] = {
        "agency_paths": agency_paths,
        "dossier_code": dossier_code,
        "actor": actor,
        "since": since,
        "until": until,
        "before": before,
        "limit": limit + 1,
    }
    entries = audit.audit_trail(officer_ids=staff.officer_ids_within(agency_paths), **filters)
    events = _events(**filters)
    rows = [_access_row(e, english) for e in entries] + [_transition_row(e, english) for e in events]
    rows.sort(key=lambda row: row.at, reverse=True)
    more = len(rows) > limit
    rows = rows[:limit]
    return Trail(rows, rows[-1].at if more and rows else None)
