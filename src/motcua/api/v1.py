"""JSON API v1 (OpenAPI 3.1 at ``/api/v1/openapi.json``). Thin: parse, authorise, call one service."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import NinjaAPI, Query, Router, Status
from ninja.security import HttpBearer, django_auth

from motcua.accounts.models import ApiToken, User
from motcua.accounts.selectors import officer_by_username, user_for_token
from motcua.agencies.models import Agency
from motcua.agencies.selectors import agencies, agency_by_code
from motcua.api import errors, schemas
from motcua.api.monitoring import drilldown_router as monitoring_drilldown_router
from motcua.api.monitoring import router as monitoring_router
from motcua.calendar.constants import TimeUnit
from motcua.calendar.services import due_at as compute_due_at
from motcua.catalogue.models import Procedure
from motcua.catalogue.selectors import procedure_by_code, procedure_detail, search_procedures
from motcua.core.errors import DomainError, NotFound
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_for, dossiers_visible_to, timeline
from motcua.dossiers.workflow import allowed_actions

E = {status: schemas.ErrorOut for status in errors.ERROR_STATUSES}


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), django_auth]

api = NinjaAPI(
    title="motcua API",
    version="1.0.0",
    urls_namespace="api-v1",
    description="One-stop shop for administrative procedures. Errors are {code, detail, field}; "
    "send Accept-Language: vi (default) or en.",
)
errors.install(api)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- auth -----------------------------------------------------------------------------------------------
auth_router = Router(tags=["auth"])


@auth_router.post("/token", response={200: schemas.TokenOut, **E}, summary="Exchange a password for a token")
def issue_token(request: HttpRequest, body: schemas.TokenIn) -> Status:
    user = authenticate(request, username=body.username, password=body.password)
    if not isinstance(user, User):
        raise DomainError(
            "invalid_credentials",
            "Tên đăng nhập hoặc mật khẩu không đúng.",
            "Wrong username or password.",
            status=401,
        )
    token, key = ApiToken.issue(user)
    return Status(200, {"token": key, "expires_at": token.expires_at})


# --- catalogue ------------------------------------------------------------------------------------------
procedures_router = Router(tags=["procedures"])


def _procedure_summary(p: Procedure) -> dict[str, Any]:
    return {
        "national_code": p.national_code,
        "name": p.name,
        "issuing_body": p.issuing_body,
        "field": p.field.name if p.field else None,
        "implementing_levels": p.implementing_levels,
    }


@procedures_router.get("", response={200: list[schemas.ProcedureSummary], **E}, summary="Search procedures")
def search(request: HttpRequest, q: str, limit: int = 20) -> list[dict[str, Any]]:
    return [_procedure_summary(p) for p in search_procedures(q, limit=limit)]


@procedures_router.get(
    "/{code}", response={200: schemas.ProcedureOut, **E}, summary="Everything about a procedure"
)
def procedure(request: HttpRequest, code: str) -> dict[str, Any]:
    p = procedure_detail(code)
    return {
        **_procedure_summary(p),
        "decision_number": p.decision_number,
        "procedure_type": p.procedure_type,
        "applicant_types": p.applicant_types,
        "competent_agency_text": p.competent_agency_text,
        "implementing_agency_text": p.implementing_agency_text,
        "steps": p.steps,
        "conditions": p.conditions,
        "legal_basis_numbers": p.legal_basis_numbers,
        "legal_basis_text": p.legal_basis_text,
        "source_url": p.source_url,
        "channels": list(p.channels.all()),
        "documents": list(p.documents.all()),
        "results": list(p.results.all()),
        "offerings": [
            {
                "agency_code": o.agency.code,
                "agency_name": o.agency.name,
                "local_code": o.local_code,
                "online_mode": o.online_mode,
                "historical_level": o.historical_level,
                "boundary_free": o.boundary_free,
                "partial_reason": o.partial_reason,
            }
            for o in p.offerings.all()
        ],
    }


# --- agencies -------------------------------------------------------------------------------------------
agencies_router = Router(tags=["agencies"])


def _agency(a: Agency) -> dict[str, Any]:
    return {
        "code": a.code,
        "name": a.name,
        "kind": a.kind,
        "parent_code": a.parent.code if a.parent else None,
        "admin_unit_code": a.admin_unit.code if a.admin_unit else None,
        "depth": a.depth,
    }


@agencies_router.get(
    "", response={200: list[schemas.AgencyOut], **E}, summary="Agencies, optionally a subtree"
)
def list_agencies(
    request: HttpRequest,
    within: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    root = agency_by_code(within, field="within") if within else None
    limit = max(1, min(limit, 1000))
    return [_agency(a) for a in agencies(within=root, kind=kind, q=q)[:limit]]


@agencies_router.get("/{code}", response={200: schemas.AgencyOut, **E}, summary="One agency")
def get_agency(request: HttpRequest, code: str) -> dict[str, Any]:
    return _agency(agency_by_code(code))


# --- calendar -------------------------------------------------------------------------------------------
calendar_router = Router(tags=["calendar"])


class DueDateQuery(schemas.Schema):
    received_at: datetime
    limit: Decimal
    unit: TimeUnit


@calendar_router.get(
    "/due-date",
    response={200: schemas.DueDateOut, **E},
    summary="Expected return date in Vietnamese working time",
)
def due_date(request: HttpRequest, params: Query[DueDateQuery]) -> dict[str, Any]:
    if params.received_at.tzinfo is None:
        raise DomainError(
            "naive_datetime",
            "Thời điểm nộp phải có múi giờ, ví dụ 2026-02-13T09:00:00+07:00.",
            "received_at needs a time zone, e.g. 2026-02-13T09:00:00+07:00.",
            field="received_at",
        )
    return {
        "received_at": params.received_at,
        "limit": params.limit,
        "unit": params.unit.value,
        "due_at": compute_due_at(params.received_at, params.limit, params.unit),
    }


# --- dossiers -------------------------------------------------------------------------------------------
dossiers_router = Router(tags=["dossiers"], auth=AUTH)


def _summary(d: Dossier) -> dict[str, Any]:
    return {
        "code": d.code,
        "procedure_code": d.procedure.national_code,
        "procedure_name": d.procedure.name,
        "status": d.status,
        "national_status_code": d.national_status_code,
        "channel": d.channel,
        "receiving_agency_code": d.receiving_agency.code,
        "competent_agency_code": d.competent_agency.code,
        "submitted_at": d.submitted_at,
        "due_at": d.due_at,
    }


def _detail(d: Dossier) -> dict[str, Any]:
    return {
        **_summary(d),
        "applicant_name": d.applicant_name,
        "delivery_method": d.delivery_method,
        "accepted_at": d.accepted_at,
        "competent_received_at": d.competent_received_at,
        "clock_started_at": d.clock_started_at,
        "original_due_at": d.original_due_at,
        "extended_due_at": d.extended_due_at,
        "resolved_at": d.resolved_at,
        "returned_at": d.returned_at,
        "result_code": d.result_code,
        "allowed_actions": [a.value for a in allowed_actions(d.status)],
        "legs": [
            {
                "id": leg.id,
                "agency_code": leg.agency.code,
                "mode": leg.mode,
                "position": leg.position,
                "task": leg.task,
                "started_at": leg.started_at,
                "due_at": leg.due_at,
                "completed_at": leg.completed_at,
            }
            for leg in d.legs.select_related("agency")
        ],
        "timeline": [
            {
                "sequence": e.sequence,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "at": e.at,
                "reason": e.reason,
                "agency_code": e.agency.code if e.agency else None,
                "actor_roles": e.actor_roles,
            }
            for e in timeline(d)
        ],
    }


@dossiers_router.post("", response={201: schemas.DossierOut, **E}, summary="Submit a dossier")
def submit(request: HttpRequest, body: schemas.SubmitIn) -> Status:
    procedure = procedure_by_code(body.procedure_code)
    receiving = agency_by_code(body.receiving_agency_code, field="receiving_agency_code")
    competent = (
        agency_by_code(body.competent_agency_code, field="competent_agency_code")
        if body.competent_agency_code
        else None
    )
    dossier = services.submit(
        actor=_user(request),
        procedure=procedure,
        receiving_agency=receiving,
        competent_agency=competent,
        channel=body.channel,
        applicant=services.Applicant(**body.applicant.dict()),
        form_data=body.form_data,
        delivery_method=body.delivery_method,
        delivery_address=body.delivery_address,
        filed_at=body.filed_at,
    )
    return Status(201, _detail(dossier))


@dossiers_router.get("", response={200: list[schemas.DossierSummary], **E}, summary="Dossiers you may see")
def list_dossiers(
    request: HttpRequest, status: str | None = None, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    qs = dossiers_visible_to(_user(request)).order_by("-id")
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 500))
    return [_summary(d) for d in qs[max(0, offset) : max(0, offset) + limit]]


@dossiers_router.get(
    "/{code}", response={200: schemas.DossierOut, **E}, summary="A dossier with its timeline"
)
def read_dossier(request: HttpRequest, code: str) -> dict[str, Any]:
    return _detail(dossier_for(_user(request), code))


def _act(request: HttpRequest, code: str) -> tuple[User, Dossier]:
    user = _user(request)
    return user, dossier_for(user, code)


@dossiers_router.post("/{code}/accept", response={200: schemas.DossierOut, **E}, summary="Accept (Form 01)")
def accept(request: HttpRequest, code: str, body: schemas.NoteIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.accept(d, actor=user, note=body.note))


@dossiers_router.post(
    "/{code}/reject", response={200: schemas.DossierOut, **E}, summary="Refuse at reception (Form 03)"
)
def reject(request: HttpRequest, code: str, body: schemas.ReasonsIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.reject(d, actor=user, reasons=body.reasons))


@dossiers_router.post(
    "/{code}/request-supplement",
    response={200: schemas.DossierOut, **E},
    summary="Request a supplement (Form 02)",
)
def request_supplement(request: HttpRequest, code: str, body: schemas.SupplementRequestIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.request_supplement(d, actor=user, missing=[m.dict() for m in body.missing]))


@dossiers_router.post(
    "/{code}/supplement", response={200: schemas.DossierOut, **E}, summary="Hand in the supplement"
)
def supplement(request: HttpRequest, code: str, body: schemas.SupplementIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.supplement(d, actor=user, note=body.note, form_data=body.form_data))


@dossiers_router.post(
    "/{code}/competent-receive", response={200: schemas.DossierOut, **E}, summary="Competent agency receives"
)
def competent_receive(request: HttpRequest, code: str) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.competent_receive(d, actor=user))


@dossiers_router.post(
    "/{code}/assign", response={200: schemas.DossierOut, **E}, summary="Assign a specialist"
)
def assign(request: HttpRequest, code: str, body: schemas.AssignIn) -> dict[str, Any]:
    user, d = _act(request, code)
    assignee = officer_by_username(body.assignee)
    if assignee is None:
        raise NotFound("officer_not_found", "Không tìm thấy cán bộ.", "No such officer.", field="assignee")
    return _detail(services.assign(d, actor=user, assignee=assignee, note=body.note))


@dossiers_router.post(
    "/{code}/process", response={200: schemas.DossierOut, **E}, summary="Appraise, submit for approval"
)
def process(request: HttpRequest, code: str, body: schemas.OpinionIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.process(d, actor=user, opinion=body.opinion))


@dossiers_router.post(
    "/{code}/consult", response={200: schemas.DossierOut, **E}, summary="Consult another unit"
)
def consult(request: HttpRequest, code: str, body: schemas.ConsultIn) -> dict[str, Any]:
    user, d = _act(request, code)
    unit = agency_by_code(body.unit_code, field="unit_code")
    return _detail(
        services.consult(d, actor=user, unit=unit, question=body.question, working_days=body.working_days)
    )


@dossiers_router.post(
    "/{code}/consultation-done",
    response={200: schemas.DossierOut, **E},
    summary="Record the consultation answer",
)
def consultation_done(request: HttpRequest, code: str, body: schemas.AnswerIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.consultation_done(d, actor=user, answer=body.answer))


@dossiers_router.post(
    "/{code}/transfer", response={200: schemas.DossierOut, **E}, summary="Transfer to other agencies"
)
def transfer(request: HttpRequest, code: str, body: schemas.TransferIn) -> dict[str, Any]:
    user, d = _act(request, code)
    legs = [
        services.LegPlan(agency_by_code(leg.agency_code, field="legs"), leg.working_days, leg.task)
        for leg in body.legs
    ]
    return _detail(services.transfer(d, actor=user, legs=legs, mode=body.mode))


@dossiers_router.post(
    "/{code}/legs/{leg_id}/complete",
    response={200: schemas.DossierOut, **E},
    summary="Complete a transfer leg",
)
def complete_leg(request: HttpRequest, code: str, leg_id: int, body: schemas.NoteIn) -> dict[str, Any]:
    user, d = _act(request, code)
    leg = d.legs.select_related("agency").filter(pk=leg_id).first()
    if leg is None:
        raise NotFound(
            "leg_not_found", "Không tìm thấy phần liên thông.", "No such transfer leg.", field="leg_id"
        )
    return _detail(services.complete_leg(d, leg, actor=user, note=body.note))


@dossiers_router.post("/{code}/pause", response={200: schemas.DossierOut, **E}, summary="Pause")
def pause(request: HttpRequest, code: str, body: schemas.ReasonIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.pause(d, actor=user, reason=body.reason))


@dossiers_router.post("/{code}/resume", response={200: schemas.DossierOut, **E}, summary="Resume")
def resume(request: HttpRequest, code: str, body: schemas.NoteIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.resume(d, actor=user, note=body.note))


@dossiers_router.post(
    "/{code}/request-payment", response={200: schemas.DossierOut, **E}, summary="Request payment"
)
def request_payment(request: HttpRequest, code: str, body: schemas.PaymentRequestIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.request_payment(d, actor=user, amount=body.amount, reason=body.reason))


@dossiers_router.post(
    "/{code}/confirm-payment", response={200: schemas.DossierOut, **E}, summary="Confirm payment"
)
def confirm_payment(request: HttpRequest, code: str, body: schemas.PaymentConfirmIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.confirm_payment(d, actor=user, reference=body.reference))


@dossiers_router.post(
    "/{code}/request-extension",
    response={200: schemas.DossierOut, **E},
    summary="Apologise, extend (Form 04)",
)
def request_extension(request: HttpRequest, code: str, body: schemas.ExtensionIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.request_extension(d, actor=user, reason=body.reason, new_due_at=body.new_due_at))


@dossiers_router.post(
    "/{code}/confirm-extension", response={200: schemas.DossierOut, **E}, summary="Record the new return date"
)
def confirm_extension(request: HttpRequest, code: str) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.confirm_extension(d, actor=user))


@dossiers_router.post("/{code}/approve", response={200: schemas.DossierOut, **E}, summary="Approve")
def approve(request: HttpRequest, code: str, body: schemas.NoteIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.approve(d, actor=user, note=body.note))


@dossiers_router.post(
    "/{code}/refuse", response={200: schemas.DossierOut, **E}, summary="Refuse after appraisal"
)
def refuse(request: HttpRequest, code: str, body: schemas.ReasonsIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.refuse(d, actor=user, reasons=body.reasons))


@dossiers_router.post(
    "/{code}/stop", response={200: schemas.DossierOut, **E}, summary="Stop processing (Form 05)"
)
def stop(request: HttpRequest, code: str, body: schemas.StopIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(
        services.stop(
            d, actor=user, requested_by=body.requested_by, reason=body.reason, decision=body.decision
        )
    )


@dossiers_router.post("/{code}/resolve", response={200: schemas.DossierOut, **E}, summary="Result ready")
def resolve(request: HttpRequest, code: str, body: schemas.ResolveIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.resolve(d, actor=user, note=body.note, result_code=body.result_code))


@dossiers_router.post("/{code}/return", response={200: schemas.DossierOut, **E}, summary="Return the result")
def return_result(request: HttpRequest, code: str, body: schemas.ReturnIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.return_result(d, actor=user, method=body.method))


@dossiers_router.post("/{code}/withdraw", response={200: schemas.DossierOut, **E}, summary="Withdraw")
def withdraw(request: HttpRequest, code: str, body: schemas.ReasonIn) -> dict[str, Any]:
    user, d = _act(request, code)
    return _detail(services.withdraw(d, actor=user, reason=body.reason))


api.add_router("/auth", auth_router)
api.add_router("/procedures", procedures_router)
api.add_router("/agencies", agencies_router)
api.add_router("/calendar", calendar_router)
api.add_router("/dossiers", dossiers_router)
api.add_router("/indicators/dossiers", monitoring_drilldown_router, auth=AUTH)
api.add_router("", monitoring_router)
