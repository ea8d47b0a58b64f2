"""The dossier state machine: the only writer of ``Dossier.status``.

``TRANSITIONS`` lists every legal (status, action) pair and its possible targets; ``ACTION_RULES``
says who may perform each action over which agency. ``transition`` checks both, claims the change
with a conditional ``UPDATE … WHERE status = <from> AND version = <v>`` (so a concurrent second
attempt fails cleanly, on SQLite and PostgreSQL alike), recomputes deadlines, appends a
``DossierEvent`` and writes an outbox message, all in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from motcua.accounts.models import Role, User
from motcua.accounts.selectors import roles_over
from motcua.agencies.models import Agency
from motcua.core import outbox_topics
from motcua.core.clock import now
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.core.models import enqueue
from motcua.dossiers import deadlines, signals
from motcua.dossiers.constants import TERMINAL, Action, Status
from motcua.dossiers.models import Dossier, DossierEvent

S, A = Status, Action

_ACTIVE_AFTER_ACCEPT = (
    S.ACCEPTED,
    S.PROCESSING,
    S.CONSULTING,
    S.TRANSFERRED,
    S.PAUSED,
    S.AWAITING_PAYMENT,
    S.EXTENSION_REQUESTED,
    S.PENDING_APPROVAL,
)

TRANSITIONS: dict[tuple[Status, Action], frozenset[Status]] = {
    (S.DRAFT, A.SUBMIT): frozenset({S.SUBMITTED}),
    (S.SUBMITTED, A.ACCEPT): frozenset({S.ACCEPTED}),
    (S.SUPPLEMENT_RECEIVED, A.ACCEPT): frozenset({S.ACCEPTED}),
    (S.SUBMITTED, A.REJECT): frozenset({S.REJECTED}),
    (S.SUPPLEMENT_RECEIVED, A.REJECT): frozenset({S.REJECTED}),
    (S.SUBMITTED, A.REQUEST_SUPPLEMENT): frozenset({S.SUPPLEMENT_REQUESTED}),
    (S.SUPPLEMENT_RECEIVED, A.REQUEST_SUPPLEMENT): frozenset({S.SUPPLEMENT_REQUESTED}),
    (S.PROCESSING, A.REQUEST_SUPPLEMENT): frozenset({S.SUPPLEMENT_REQUESTED}),
    (S.SUPPLEMENT_REQUESTED, A.SUPPLEMENT): frozenset({S.SUPPLEMENT_RECEIVED}),
    (S.SUPPLEMENT_RECEIVED, A.RESUME): frozenset({S.PROCESSING}),
    (S.ACCEPTED, A.COMPETENT_RECEIVE): frozenset({S.ACCEPTED}),
    (S.ACCEPTED, A.ASSIGN): frozenset({S.PROCESSING}),
    (S.PROCESSING, A.ASSIGN): frozenset({S.PROCESSING}),
    (S.PENDING_APPROVAL, A.ASSIGN): frozenset({S.PROCESSING}),
    (S.PROCESSING, A.PROCESS): frozenset({S.PENDING_APPROVAL}),
    (S.PROCESSING, A.CONSULT): frozenset({S.CONSULTING}),
    (S.CONSULTING, A.CONSULTATION_DONE): frozenset({S.PROCESSING}),
    (S.PROCESSING, A.TRANSFER): frozenset({S.TRANSFERRED}),
    (S.TRANSFERRED, A.COMPLETE_LEG): frozenset({S.TRANSFERRED, S.PROCESSING}),
    (S.PROCESSING, A.PAUSE): frozenset({S.PAUSED}),
    (S.PAUSED, A.RESUME): frozenset({S.PROCESSING}),
    (S.PROCESSING, A.REQUEST_PAYMENT): frozenset({S.AWAITING_PAYMENT}),
    (S.AWAITING_PAYMENT, A.CONFIRM_PAYMENT): frozenset({S.PROCESSING}),
    (S.PROCESSING, A.REQUEST_EXTENSION): frozenset({S.EXTENSION_REQUESTED}),
    (S.PENDING_APPROVAL, A.REQUEST_EXTENSION): frozenset({S.EXTENSION_REQUESTED}),
    (S.EXTENSION_REQUESTED, A.CONFIRM_EXTENSION): frozenset({S.PROCESSING}),
    (S.PENDING_APPROVAL, A.APPROVE): frozenset({S.APPROVED}),
    (S.PROCESSING, A.REFUSE): frozenset({S.REFUSED}),
    (S.PENDING_APPROVAL, A.REFUSE): frozenset({S.REFUSED}),
    (S.APPROVED, A.RESOLVE): frozenset({S.RESOLVED}),
    (S.RESOLVED, A.RETURN_RESULT): frozenset({S.RETURNED}),
    **{(s, A.STOP): frozenset({S.STOPPED}) for s in (*_ACTIVE_AFTER_ACCEPT, S.SUPPLEMENT_REQUESTED)},
    **{
        (s, A.WITHDRAW): frozenset({S.WITHDRAWN})
        for s in (
            S.SUBMITTED,
            S.SUPPLEMENT_REQUESTED,
            S.SUPPLEMENT_RECEIVED,
            S.ACCEPTED,
            S.PROCESSING,
            S.PAUSED,
            S.AWAITING_PAYMENT,
        )
    },
}

OWNER, RECEIVING, COMPETENT, LEG = "owner", "receiving", "competent", "leg"
_PROCESSORS = frozenset({Role.SPECIALIST, Role.DIVISION_HEAD, Role.AGENCY_LEADER})
_HEADS = frozenset({Role.DIVISION_HEAD, Role.AGENCY_LEADER})
_COUNTER = frozenset({Role.RECEIVING_OFFICER})

#: Who may perform each action: a list of (scope, roles); scope OWNER means the citizen applicant.
ACTION_RULES: dict[Action, list[tuple[str, frozenset[Role]]]] = {
    A.SUBMIT: [(OWNER, frozenset()), (RECEIVING, frozenset({Role.RECEIVING_OFFICER, Role.POSTAL_WORKER}))],
    A.ACCEPT: [(RECEIVING, _COUNTER)],
    A.REJECT: [(RECEIVING, _COUNTER)],
    A.REQUEST_SUPPLEMENT: [(RECEIVING, _COUNTER), (COMPETENT, _PROCESSORS)],
    A.SUPPLEMENT: [(OWNER, frozenset()), (RECEIVING, _COUNTER)],
    A.COMPETENT_RECEIVE: [(COMPETENT, _COUNTER | _HEADS)],
    A.ASSIGN: [(COMPETENT, _HEADS)],
    A.PROCESS: [(COMPETENT, _PROCESSORS)],
    A.CONSULT: [(COMPETENT, _PROCESSORS)],
    A.CONSULTATION_DONE: [(COMPETENT, _PROCESSORS)],
    A.TRANSFER: [(COMPETENT, _PROCESSORS)],
    A.COMPLETE_LEG: [(LEG, _PROCESSORS)],
    A.PAUSE: [(COMPETENT, _PROCESSORS)],
    A.RESUME: [(COMPETENT, _PROCESSORS)],
    A.REQUEST_PAYMENT: [(COMPETENT, _PROCESSORS), (RECEIVING, _COUNTER)],
    A.CONFIRM_PAYMENT: [(RECEIVING, _COUNTER), (COMPETENT, _PROCESSORS)],
    A.REQUEST_EXTENSION: [(COMPETENT, _PROCESSORS)],
    A.CONFIRM_EXTENSION: [(RECEIVING, _COUNTER)],
    A.APPROVE: [(COMPETENT, _HEADS)],
    A.REFUSE: [(COMPETENT, _HEADS)],
    A.STOP: [(COMPETENT, _HEADS), (RECEIVING, _COUNTER)],
    A.RESOLVE: [(COMPETENT, _PROCESSORS)],
    A.RETURN_RESULT: [(RECEIVING, _COUNTER | {Role.POSTAL_WORKER})],
    A.WITHDRAW: [(OWNER, frozenset()), (RECEIVING, _COUNTER)],
}


def allowed_actions(status: str) -> list[Action]:
    return [action for (source, action) in TRANSITIONS if source == status]


def _scope_agencies(dossier: Dossier, scope: str, leg_agency: Agency | None) -> Agency | None:
    if scope == RECEIVING:
        return dossier.receiving_agency
    if scope == COMPETENT:
        return dossier.competent_agency
    if scope == LEG:
        return leg_agency
    return None


def authorise(
    actor: User, dossier: Dossier, action: Action, *, leg_agency: Agency | None = None
) -> list[str]:
    """Return the roles under which ``actor`` may perform ``action``; raise ``PermissionDenied`` if none."""
    return _authorised_scope(actor, dossier, action, leg_agency=leg_agency)[0]


def _authorised_scope(
    actor: User, dossier: Dossier, action: Action, *, leg_agency: Agency | None = None
) -> tuple[list[str], Agency | None]:
    """The roles and the agency for which ``actor`` acts (None for the applicant)."""
    for scope, roles in ACTION_RULES[action]:
        if scope == OWNER:
            if not actor.is_officer and dossier.applicant_id is not None and dossier.applicant_id == actor.id:
                return ["applicant"], None
            continue
        agency = _scope_agencies(dossier, scope, leg_agency)
        if agency is None or not actor.is_officer:
            continue
        held = roles_over(actor, agency) & {str(r) for r in roles}
        if held:
            return sorted(held), agency
    raise PermissionDenied(
        "action_not_allowed",
        "Bạn không có quyền thực hiện thao tác này đối với hồ sơ.",
        "You are not allowed to perform this action on this dossier.",
    )


def check_legal(status: str, action: Action) -> frozenset[Status]:
    targets = TRANSITIONS.get((Status(status), action))
    if targets is None:
        raise Conflict(
            "illegal_transition",
            f"Không thể '{action.label}' khi hồ sơ đang ở trạng thái '{Status(status).label}'.",
            f"Cannot perform '{action.value}' while the dossier is '{status}'.",
            status=409,
        )
    return targets


def transition(
    dossier: Dossier,
    action: Action,
    *,
    actor: User,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    to: Status | None = None,
    at: datetime | None = None,
    leg_agency: Agency | None = None,
) -> Dossier:
    """Move ``dossier`` by ``action``; returns the refreshed dossier. One transaction, all or nothing."""
    at = at or now()
    targets = check_legal(dossier.status, action)
    if to is None:
        if len(targets) != 1:
            raise ValueError(f"{action} from {dossier.status} needs an explicit target")
        (to,) = targets
    elif to not in targets:
        raise ValueError(f"{action} from {dossier.status} cannot go to {to}")
    roles, acting_for = _authorised_scope(actor, dossier, action, leg_agency=leg_agency)
    with transaction.atomic():
        values: dict[str, Any] = dict(changes or {})
        values.update(deadlines.on_transition(dossier, action, to, at, values))
        if to in TERMINAL:
            values.setdefault("finished_at", at)
        from_status, version = dossier.status, dossier.version
        claimed = Dossier.objects.filter(pk=dossier.pk, status=from_status, version=version).update(
            status=to, version=version + 1, **values
        )
        if claimed != 1:
            raise Conflict(
                "dossier_changed",
                "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại và thử lại.",
                "The dossier was just changed by someone else; reload it and try again.",
                status=409,
            )
        DossierEvent.objects.create(
            dossier=dossier,
            sequence=version + 1,
            action=action,
            from_status=from_status,
            to_status=to,
            actor=actor,
            actor_roles=roles,
            agency=acting_for or dossier.receiving_agency,
            at=at,
            reason=reason,
            payload=_jsonable(payload or {}),
        )
        enqueue(
            outbox_topics.DOSSIER_STATUS_CHANGED,
            key=str(dossier.pk),
            payload={"dossier_id": dossier.pk, "action": str(action), "from": from_status, "to": str(to)},
        )
        signals.dossier_changed.send(sender=Dossier, dossier_id=dossier.pk)
    dossier.refresh_from_db()
    return dossier


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def require(condition: bool, code: str, message_vi: str, message_en: str, field: str | None = None) -> None:
    if not condition:
        raise DomainError(code, message_vi, message_en, field=field)
