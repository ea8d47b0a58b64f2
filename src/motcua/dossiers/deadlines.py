"""Deadline rules of a dossier, applied by ``workflow.transition`` and nowhere else.

- The clock starts when the dossier is accepted complete and valid (receipt, Form 01), or for
  boundary-free reception when the competent agency receives it (Decree 118/2025 Art 17(3) as amended
  by Decree 309/2026; addendum §A2.2).
- The time limit and its unit come from the procedure's channel (catalogue); a bare number uses the
  ``unspecified_time_unit`` policy.
- A completed supplement restarts or pauses the clock (policy ``supplement_clock``).
- A pause (and, by policy, waiting for payment) pushes the due date back by the time paused.
- An extension (Form 04) sets ``extended_due_at``; ``original_due_at`` is never changed by it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from motcua.calendar.constants import TimeUnit
from motcua.calendar.services import load_calendar
from motcua.catalogue.models import Channel, Procedure, ProcedureChannel
from motcua.core.clock import to_vn
from motcua.dossiers import policies
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier

_CHANNEL_FALLBACK = {Channel.KIOSK: Channel.ONLINE}


def time_limit_for(dossier: Dossier) -> tuple[Decimal, TimeUnit] | None:
    """The published time limit of the dossier's procedure for its channel (or any channel)."""
    return limit_of(dossier.procedure_id, dossier.channel)


def limit_of(procedure_id: int, channel: str) -> tuple[Decimal, TimeUnit] | None:
    """The published time limit of a procedure for ``channel`` (or its fallback, or any channel)."""
    return limit_among(list(ProcedureChannel.objects.filter(procedure_id=procedure_id)), channel)


def limit_among(channels: list[ProcedureChannel], channel: str) -> tuple[Decimal, TimeUnit] | None:
    """``limit_of`` over channels already loaded (e.g. prefetched for a list of procedures)."""
    timed = [c for c in channels if c.time_limit]
    wanted = [channel, _CHANNEL_FALLBACK.get(Channel(channel), channel)]
    chosen = next((c for w in wanted for c in timed if c.channel == w), None) or (timed[0] if timed else None)
    if chosen is None or chosen.time_limit is None:
        return None
    unit = chosen.time_unit or policies.current().unspecified_time_unit
    return chosen.time_limit, TimeUnit(unit)


def expected_due(procedure: Procedure, channel: str, start: datetime) -> datetime | None:
    """When a dossier filed now would be due if accepted at ``start`` (shown before filing; the real
    appointment is set when the dossier is accepted). Uses the procedure's prefetched channels if any."""
    limit = limit_among(list(procedure.channels.all()), channel)
    if limit is None:
        return None
    return load_calendar().due_at(start, limit[0], limit[1])


def due_from(start: datetime, dossier: Dossier) -> datetime | None:
    limit = time_limit_for(dossier)
    if limit is None:
        return None
    return load_calendar().due_at(start, limit[0], limit[1])


def shift_by_pause(due: datetime, paused_at: datetime, resumed_at: datetime, dossier: Dossier) -> datetime:
    """Push ``due`` back by the time the clock stood still (whole working days for working-day limits)."""
    limit = time_limit_for(dossier)
    unit = limit[1] if limit else TimeUnit.WORKING_DAYS
    if unit == TimeUnit.WORKING_DAYS:
        calendar = load_calendar()
        day, end, paused_days = to_vn(paused_at).date(), to_vn(resumed_at).date(), 0
        while day < end:
            if calendar.is_working_day(day):
                paused_days += 1
            day += timedelta(days=1)
        return calendar.add_working_days(due, paused_days) if paused_days else due
    return due + (resumed_at - paused_at)


def _start_clock(dossier: Dossier, at: datetime) -> dict[str, Any]:
    due = due_from(at, dossier)
    return {"clock_started_at": at, "original_due_at": due, "due_at": due, "extended_due_at": None}


def on_transition(
    dossier: Dossier, action: Action, to: Status, at: datetime, changes: dict[str, Any]
) -> dict[str, Any]:
    """The deadline fields that change when ``dossier`` moves by ``action`` at ``at``."""
    policy = policies.current()
    updates: dict[str, Any] = {}
    if action == Action.ACCEPT:
        updates["accepted_at"] = at
        boundary_free = changes.get("boundary_free", dossier.boundary_free)
        if not boundary_free:
            updates.update(_start_clock(dossier, at))
    elif action == Action.COMPETENT_RECEIVE:
        updates["competent_received_at"] = at
        updates.update(_start_clock(dossier, at))
    elif action == Action.REQUEST_SUPPLEMENT:
        updates["paused_at"] = at
    elif action == Action.SUPPLEMENT and dossier.clock_started_at is not None:
        if policy.supplement_clock == "restart":
            updates.update(_start_clock(dossier, at))
        elif dossier.due_at and dossier.paused_at:
            updates["due_at"] = shift_by_pause(dossier.due_at, dossier.paused_at, at, dossier)
        updates["paused_at"] = None
    elif action == Action.SUPPLEMENT:
        updates["paused_at"] = None
    elif action == Action.PAUSE or (action == Action.REQUEST_PAYMENT and policy.payment_wait_stops_clock):
        updates["paused_at"] = at
    elif action in (Action.RESUME, Action.CONFIRM_PAYMENT) and dossier.paused_at is not None:
        stops = policy.pause_stops_clock if action == Action.RESUME else policy.payment_wait_stops_clock
        if stops and dossier.due_at and dossier.status != Status.SUPPLEMENT_RECEIVED:
            updates["due_at"] = shift_by_pause(dossier.due_at, dossier.paused_at, at, dossier)
        updates["paused_at"] = None
    elif action == Action.CONFIRM_EXTENSION:
        updates["due_at"] = dossier.extended_due_at
    elif action == Action.RESOLVE:
        updates["resolved_at"] = at
    elif action == Action.RETURN_RESULT:
        updates["returned_at"] = at
    return updates
