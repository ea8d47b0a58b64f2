"""The one-stop forms (biểu mẫu một cửa) 01–07 of Circular 03/2025/TT-VPCP Annex I as printable PDFs.

The forms are data. ``data/forms_circular_03_2025.json`` names each form, its titles, its template under
``documents/templates/documents/pdf/forms/``, its legal basis and the record it documents
(``builds_from``): one kind of event of the dossier's timeline (accept → 01, request_supplement → 02,
reject or refuse → 03, request_extension → 04, stop → 05), the whole timeline (``timeline`` → 06) or an
agency's dossiers over a period (``tracking_book`` → 07). A new circular is a new data file and new
templates; code changes only when a form documents a new *kind* of record.

Per-dossier forms are signed and recorded by ``documents.issue_document`` under the code
``<dossier code>-M<number>-<event sequence>`` (for 06, the sequence of the last event shown), so issuing
the same event again returns the same document, and a later event (a second supplement request) gets a
new one. Dates are printed dd/mm/yyyy on the Hanoi wall clock. The printed fields of the 2025 forms are
UNVERIFIED (addendum §A2.3): the layout follows Circular 01/2018/TT-VPCP Forms 01–06.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from motcua.accounts.models import Role, User
from motcua.agencies.models import Agency
from motcua.catalogue.models import Channel
from motcua.core.clock import VN_TZ, now, to_vn
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from motcua.documents import services as documents
from motcua.documents.models import IssuedDocument, IssuedKind
from motcua.dossiers import deadlines, selectors
from motcua.dossiers.constants import Action, DeliveryMethod, LegMode, Status, StopRequester
from motcua.dossiers.models import AttachmentPurpose, Dossier, DossierEvent, DossierLeg

__all__ = [
    "FORMS",
    "FORMS_FILE",
    "BookEntry",
    "FormTemplate",
    "book_entries",
    "form_code",
    "form_context",
    "issue_form",
    "load_forms",
    "tracking_book",
]

FORMS_FILE = Path(__file__).resolve().parent / "data" / "forms_circular_03_2025.json"

#: ``builds_from`` values that are not an event action.
TIMELINE = "timeline"
TRACKING_BOOK = "tracking_book"


@dataclass(frozen=True)
class FormTemplate:
    """One form of a circular's annex, as declared in the data file."""

    number: str
    title_vi: str
    title_en: str
    template_name: str
    legal_basis: str
    #: The event action it documents (e.g. "request_supplement"), "timeline" or "tracking_book".
    builds_from: str
    #: Other event actions the same form documents (Form 03: refusal after appraisal too).
    also_from: tuple[str, ...] = ()
    issued_kind: str = IssuedKind.NOTICE
    #: Internal papers (06, 07) are printed for officers only and go to nobody's data store.
    internal: bool = False
    note: str = ""
    circular: str = ""
    annex: str = ""

    @property
    def from_event(self) -> bool:
        return self.builds_from not in (TIMELINE, TRACKING_BOOK)

    @property
    def actions(self) -> tuple[str, ...]:
        """The event actions this form documents (empty for 06 and 07)."""
        return (self.builds_from, *self.also_from) if self.from_event else ()


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def _vi(label: str) -> str:
    """The Vietnamese half of a "Tiếng Việt / English" choice label."""
    return str(label).split(" / ")[0]


def _local(moment: datetime | None) -> datetime | None:
    return to_vn(moment) if moment is not None else None


def _parse_moment(value: Any) -> datetime | None:
    """A datetime kept in an event payload (ISO 8601 text, see ``workflow._jsonable``)."""
    if isinstance(value, datetime):
        return to_vn(value)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value)
        return to_vn(parsed) if timezone.is_aware(parsed) else None
    return None


def _number_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")  # Vietnamese decimal comma: 1,5 ngày


def _timeliness(at: datetime | None, due: datetime | None) -> str:
    """Trước hạn / Đúng hạn / Quá hạn, as Form 06 asks: before the due day, on it, or after the due moment."""
    if at is None or due is None:
        return ""
    if to_vn(at).date() < to_vn(due).date():
        return "Trước hạn"
    if at <= due:
        return "Đúng hạn"
    return "Quá hạn"


def _person(user: User | None, agency: Agency | None) -> str:
    name = (user.full_name or user.username) if user is not None else ""
    if agency is None:
        return name
    return f"{name} ({agency.name})" if name else agency.name


def _time_limit_text(dossier: Dossier) -> str:
    limit = deadlines.time_limit_for(dossier)
    if limit is None:
        return ""
    value, unit = limit
    return f"{_number_text(value)} {_vi(unit.label).lower()}"


def _agency_header(agency: Agency) -> dict[str, Any]:
    parent = agency.parent
    return {"agency_name": agency.name, "parent_agency_name": parent.name if parent is not None else ""}


def _dossier_facts(dossier: Dossier) -> dict[str, Any]:
    """What every per-dossier form prints about the dossier and its applicant."""
    attachments = dossier.attachments.filter(purpose=AttachmentPurpose.SUBMISSION).order_by("added_at", "id")
    documents_filed = [
        {
            "name": a.label,
            "form": "Dữ liệu khai thác lại" if a.reused else ("Bản số hoá" if a.digitized else "Bản điện tử"),
        }
        for a in attachments
    ]
    return {
        "dossier_code": dossier.code,
        "procedure_name": dossier.procedure.name,
        "procedure_code": dossier.procedure.national_code,
        "applicant_name": dossier.applicant_name,
        "applicant_address": dossier.applicant_address,
        "applicant_phone": dossier.applicant_phone,
        "applicant_email": dossier.applicant_email,
        "channel": _vi(Channel(dossier.channel).label),
        "delivery_method": _vi(DeliveryMethod(dossier.delivery_method).label),
        "delivery_address": dossier.delivery_address,
        "receiving_agency_name": dossier.receiving_agency.name,
        "competent_agency_name": dossier.competent_agency.name,
        "submitted_at": _local(dossier.submitted_at),
        "system_received_at": _local(dossier.system_received_at),
        "accepted_at": _local(dossier.accepted_at),
        "original_due_at": _local(dossier.original_due_at),
        "due_at": _local(dossier.due_at),
        "extended_due_at": _local(dossier.extended_due_at),
        "time_limit": _time_limit_text(dossier),
        "documents": documents_filed,
        "status": _vi(Status(dossier.status).label),
    }


#: The title printed over the signature, after the highest role the actor held when acting.
SIGNER_TITLES: tuple[tuple[str, str], ...] = (
    (Role.AGENCY_LEADER, "Thủ trưởng cơ quan"),
    (Role.CENTRE_DIRECTOR, "Giám đốc trung tâm"),
    (Role.DIVISION_HEAD, "Lãnh đạo phòng chuyên môn"),
    (Role.SPECIALIST, "Chuyên viên xử lý"),
    (Role.RECEIVING_OFFICER, "Người tiếp nhận hồ sơ"),
)


def _signer_title(roles: list[str]) -> str:
    return next((title for role, title in SIGNER_TITLES if role in roles), "Người lập")


def _event_facts(event: DossierEvent, dossier: Dossier) -> dict[str, Any]:
    agency = event.agency or dossier.receiving_agency
    return {
        **_agency_header(agency),
        "event_sequence": event.sequence,
        "event_at": to_vn(event.at),
        "officer_name": (event.actor.full_name or event.actor.username) if event.actor else "",
        "signer_title": _signer_title([str(r) for r in event.actor_roles]),
        "reason": event.reason,
    }


# --------------------------------------------------------------------------------------------------
# One context builder per kind of source record
# --------------------------------------------------------------------------------------------------


def _reception(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """Form 01: the dossier accepted complete and valid; the time limit counts from here."""
    return {
        "received_at": to_vn(event.at),
        "appointment_at": _local(dossier.original_due_at or dossier.due_at),
        "boundary_free": dossier.boundary_free,
        "receiving_officer": _event_facts(event, dossier)["officer_name"],
    }


def _supplement_request(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """Form 02: every missing or incorrect item, each with its reason, asked at once."""
    missing = [
        {"document": str(item.get("document", "")), "reason": str(item.get("reason", ""))}
        for item in event.payload.get("missing", [])
        if isinstance(item, dict)
    ]
    return {
        "missing": missing,
        "after_acceptance": bool(event.payload.get("after_acceptance")),
        "requested_at": to_vn(event.at),
    }


def _refusal(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """Form 03: refused at reception (reject) or after appraisal (refuse), with the reasons."""
    reasons = [str(r) for r in event.payload.get("reasons", []) if str(r).strip()]
    if not reasons and event.reason:
        reasons = [part.strip() for part in event.reason.split(";") if part.strip()]
    return {
        "reasons": reasons,
        "stage": "reception" if event.action == Action.REJECT else "appraisal",
        "refused_at": to_vn(event.at),
    }


def _extension(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """Form 04: apology with the reason, the original appointment and the proposed new date."""
    return {
        "previous_due_at": _parse_moment(event.payload.get("previous_due_at")),
        "new_due_at": _parse_moment(event.payload.get("new_due_at")),
        "original_due_at": _local(dossier.original_due_at),
        "requested_at": to_vn(event.at),
    }


def _stop(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """Form 05: processing stopped: who asked (applicant or agency), why, and the decision."""
    requested_by = str(event.payload.get("requested_by") or dossier.stop_requested_by or "")
    return {
        "requested_by": requested_by,
        "requested_by_label": _vi(StopRequester(requested_by).label) if requested_by else "",
        "requested_by_applicant": requested_by == StopRequester.APPLICANT,
        "decision": str(event.payload.get("decision", "")),
        "stopped_at": to_vn(event.at),
    }


EventBuilder = Callable[[Dossier, DossierEvent], dict[str, Any]]

#: How to read each kind of event into a form's context. A form in the data file names one of these.
EVENT_BUILDERS: dict[str, EventBuilder] = {
    Action.ACCEPT: _reception,
    Action.REQUEST_SUPPLEMENT: _supplement_request,
    Action.REJECT: _refusal,
    Action.REFUSE: _refusal,
    Action.REQUEST_EXTENSION: _extension,
    Action.STOP: _stop,
}


@dataclass(frozen=True)
class Handover:
    """One row of Form 06: who handed the dossier to whom, when, with what result."""

    sequence: int
    at: datetime
    action: str
    giver: str
    receiver: str
    status: str
    result: str
    note: str


@dataclass(frozen=True)
class LegLine:
    position: int
    agency_name: str
    mode: str
    task: str
    time_limit: str
    started_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    result: str


def _handovers(dossier: Dossier, events: list[DossierEvent], legs: dict[int, DossierLeg]) -> list[Handover]:
    user_ids = [e.payload.get("assignee_id") for e in events if e.action == Action.ASSIGN]
    users = User.objects.in_bulk([int(i) for i in user_ids if isinstance(i, int)])
    codes: set[str] = set()
    for e in events:
        codes.update(str(c) for c in e.payload.get("agencies", []))
        if e.payload.get("unit_code"):
            codes.add(str(e.payload["unit_code"]))
    agencies = {a.code: a.name for a in Agency.objects.filter(code__in=codes)}
    applicant = dossier.applicant_name
    receiving, competent = dossier.receiving_agency.name, dossier.competent_agency.name
    consulted = ""
    rows: list[Handover] = []
    for e in events:
        actor = _person(e.actor, e.agency)
        action = Action(e.action)
        due: datetime | None = (
            dossier.due_at if dossier.clock_started_at and e.at >= dossier.clock_started_at else None
        )
        giver, receiver = actor, ""
        if action == Action.SUBMIT:
            giver, receiver = applicant, receiving
        elif action in (Action.ACCEPT, Action.SUPPLEMENT):
            giver, receiver = applicant, actor if e.actor and e.actor.is_officer else receiving
        elif action == Action.COMPETENT_RECEIVE:
            giver, receiver = receiving, actor
        elif action == Action.ASSIGN:
            assignee = users.get(e.payload.get("assignee_id"))
            receiver = _person(assignee, dossier.competent_agency) if assignee else competent
        elif action == Action.PROCESS:
            receiver = f"Lãnh đạo {competent} (trình phê duyệt)"
        elif action == Action.CONSULT:
            consulted = agencies.get(str(e.payload.get("unit_code", "")), "")
            receiver = consulted
            due = _parse_moment(e.payload.get("reply_by"))
        elif action == Action.CONSULTATION_DONE:
            giver, receiver = consulted or actor, actor
            due = None
        elif action == Action.TRANSFER:
            receiver = ", ".join(agencies.get(str(c), str(c)) for c in e.payload.get("agencies", []))
        elif action == Action.COMPLETE_LEG:
            receiver = competent
            leg = legs.get(int(e.payload.get("leg_id", 0) or 0))
            due = leg.due_at if leg is not None else None
        elif action in (Action.APPROVE, Action.PAUSE, Action.RESUME, Action.REQUEST_PAYMENT):
            receiver = competent
        elif action == Action.RESOLVE:
            receiver = f"Bộ phận một cửa — {receiving}"
        elif action in (
            Action.REQUEST_SUPPLEMENT,
            Action.REJECT,
            Action.REFUSE,
            Action.STOP,
            Action.REQUEST_EXTENSION,
            Action.CONFIRM_EXTENSION,
            Action.RETURN_RESULT,
        ):
            receiver = applicant
        elif action == Action.WITHDRAW:
            giver, receiver = applicant, receiving
        rows.append(
            Handover(
                sequence=e.sequence,
                at=to_vn(e.at),
                action=_vi(action.label),
                giver=giver,
                receiver=receiver,
                status=_vi(Status(e.to_status).label),
                result=_timeliness(e.at, due),
                note=e.reason,
            )
        )
    return rows


def _leg_lines(legs: list[DossierLeg]) -> list[LegLine]:
    lines = []
    for leg in legs:
        if leg.completed_at is not None:
            result = _timeliness(leg.completed_at, leg.due_at)
        elif leg.started_at is None:
            result = "Chờ phần việc trước"
        elif leg.due_at is not None and now() > leg.due_at:
            result = "Quá hạn, đang giải quyết"
        else:
            result = "Đang giải quyết"
        lines.append(
            LegLine(
                position=leg.position + 1,
                agency_name=leg.agency.name,
                mode=_vi(LegMode(leg.mode).label),
                task=leg.task,
                time_limit=f"{_number_text(leg.time_limit_working_days)} ngày làm việc",
                started_at=_local(leg.started_at),
                due_at=_local(leg.due_at),
                completed_at=_local(leg.completed_at),
                result=result,
            )
        )
    return lines


def _control_slip(dossier: Dossier) -> tuple[int, dict[str, Any]]:
    """Form 06: every hand-over of the timeline and each agency leg's due and completion dates."""
    events = list(selectors.timeline(dossier))
    if not events:
        raise DomainError(
            "form_source_missing",
            "Hồ sơ chưa có bước xử lý nào để lập phiếu kiểm soát quá trình giải quyết.",
            "The dossier has no processing step yet to put on a processing control slip.",
            field="number",
        )
    legs = list(DossierLeg.objects.filter(dossier=dossier).select_related("agency").order_by("position"))
    last = events[-1]
    context = {
        **_agency_header(dossier.receiving_agency),
        "handovers": _handovers(dossier, events, {leg.id: leg for leg in legs}),
        "legs": _leg_lines(legs),
        "coordinating_agencies": list(dict.fromkeys(leg.agency.name for leg in legs)),  # in leg order
        "event_sequence": last.sequence,
        "event_at": to_vn(last.at),
        "finished_at": _local(dossier.finished_at),
        "resolved_at": _local(dossier.resolved_at),
        "returned_at": _local(dossier.returned_at),
        "outcome": _timeliness(dossier.resolved_at or dossier.finished_at, dossier.due_at),
    }
    return last.sequence, context


# --------------------------------------------------------------------------------------------------
# The registry, loaded from data
# --------------------------------------------------------------------------------------------------


def load_forms(path: Path) -> dict[str, FormTemplate]:
    """Read a circular's forms from ``path``; refuse a form whose source no builder knows."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    known = {*EVENT_BUILDERS, TIMELINE, TRACKING_BOOK}
    forms: dict[str, FormTemplate] = {}
    for item in raw["forms"]:
        form = FormTemplate(
            number=str(item["number"]),
            title_vi=item["title_vi"],
            title_en=item["title_en"],
            template_name=item["template"],
            legal_basis=item["legal_basis"],
            builds_from=item["builds_from"],
            also_from=tuple(item.get("also_from", ())),
            issued_kind=item.get("issued_kind", IssuedKind.NOTICE),
            internal=bool(item.get("internal", False)),
            note=item.get("note", ""),
            circular=raw.get("circular", ""),
            annex=raw.get("annex", ""),
        )
        unknown = {form.builds_from, *form.also_from} - known
        if unknown:
            raise ImproperlyConfigured(
                f"{path.name}: form {form.number} builds from unknown {sorted(unknown)}"
            )
        if form.issued_kind not in IssuedKind.values:
            raise ImproperlyConfigured(f"{path.name}: form {form.number} has kind {form.issued_kind!r}")
        if form.number in forms:
            raise ImproperlyConfigured(f"{path.name}: form {form.number} is declared twice")
        forms[form.number] = form
    return forms


FORMS: dict[str, FormTemplate] = load_forms(FORMS_FILE)


def available_forms(dossier: Dossier) -> list[FormTemplate]:
    """The per-dossier forms its history can produce: 06 always, the others once their step happened."""
    done = set(dossier.events.values_list("action", flat=True))
    return [
        form
        for _number, form in sorted(FORMS.items())
        if form.builds_from == TIMELINE or (form.from_event and done & set(form.actions))
    ]


def _form(number: str) -> FormTemplate:
    key = str(number).strip()
    form = FORMS.get(key) or (FORMS.get(key.zfill(2)) if key.isdigit() else None)
    if form is None:
        known = ", ".join(sorted(FORMS))
        raise DomainError(
            "form_unknown",
            f"Không có biểu mẫu số {number}. Các mẫu hiện có: {known}.",
            f"There is no form number {number}. The forms are: {known}.",
            field="number",
        )
    return form


def _book_form() -> FormTemplate:
    form = next((f for f in FORMS.values() if f.builds_from == TRACKING_BOOK), None)
    if form is None:
        raise ImproperlyConfigured("no form builds from the tracking book")
    return form


def _source_event(dossier: Dossier, form: FormTemplate, sequence: int | None) -> DossierEvent:
    events = DossierEvent.objects.filter(dossier=dossier, action__in=form.actions).select_related(
        "actor", "agency"
    )
    event = (
        events.filter(sequence=sequence) if sequence is not None else events.order_by("-sequence")
    ).first()
    if event is None:
        raise DomainError(
            "form_source_missing",
            f"Không thể lập {form.title_vi} (mẫu số {form.number}): hồ sơ {dossier.code or ''} chưa có "
            "bước xử lý tương ứng.",
            f"Cannot make the {form.title_en.lower()} (form {form.number}): dossier {dossier.code or ''} "
            "has no matching step.",
            field="number",
        )
    return event


def _prepare(dossier: Dossier, form: FormTemplate, sequence: int | None) -> tuple[int, dict[str, Any]]:
    if not form.from_event and form.builds_from != TIMELINE:
        raise DomainError(
            "form_is_a_report",
            f"{form.title_vi} (mẫu số {form.number}) là sổ theo dõi của cơ quan, không lập cho từng hồ sơ.",
            f"The {form.title_en.lower()} (form {form.number}) is an agency's register, not a paper of one "
            "dossier.",
            field="number",
        )
    context: dict[str, Any] = {"form": form, **_dossier_facts(dossier)}
    if form.builds_from == TIMELINE:
        seq, specific = _control_slip(dossier)
    else:
        event = _source_event(dossier, form, sequence)
        seq, specific = (
            event.sequence,
            {**_event_facts(event, dossier), **EVENT_BUILDERS[event.action](dossier, event)},
        )
    return seq, {**context, **specific}


def form_context(dossier: Dossier, number: str, *, sequence: int | None = None) -> dict[str, Any]:
    """The template context of form ``number`` for ``dossier``: the dossier and applicant facts plus
    what the source record says (the latest matching event, or event ``sequence``; the timeline for 06).

    Raises ``DomainError`` for an unknown number, for the tracking book (see ``tracking_book``) and when
    the dossier has no such event (e.g. Form 04 for a dossier never extended).
    """
    return _prepare(dossier, _form(number), sequence)[1]


def form_code(dossier: Dossier, number: str, sequence: int) -> str:
    """``<dossier code>-M<number>-<event sequence>``, e.g. ``000.00.01.H37-260302-0001-M02-3``."""
    return f"{dossier.code}-M{_form(number).number}-{sequence}"


def _check_reader(actor: User, dossier: Dossier, form: FormTemplate) -> None:
    if not selectors.dossiers_visible_to(actor).filter(pk=dossier.pk).exists():
        raise NotFound(
            "dossier_not_found",
            f"Không tìm thấy hồ sơ {dossier.code} trong phạm vi bạn được xem.",
            f"No dossier {dossier.code} within what you may see.",
            field="code",
        )
    if form.internal and not actor.is_officer:
        raise PermissionDenied(
            "form_internal",
            f"{form.title_vi} là giấy tờ nội bộ của cơ quan giải quyết.",
            f"The {form.title_en.lower()} is an internal paper of the agencies.",
            field="number",
        )


def issue_form(dossier: Dossier, number: str, *, actor: User, sequence: int | None = None) -> IssuedDocument:
    """Issue form ``number`` of ``dossier`` as a signed PDF with the QR code of its verification page.

    Idempotent per source event: the code is ``<dossier code>-M<number>-<event sequence>`` and an
    already issued code is returned as it is (two first issues at the same moment: the loser reads the
    winner's). ``actor`` must be able to see the dossier; Form 06 is for officers only.
    """
    form = _form(number)
    _check_reader(actor, dossier, form)
    seq, context = _prepare(dossier, form, sequence)
    code = form_code(dossier, form.number, seq)
    existing = IssuedDocument.objects.filter(code=code).select_related("stored_file").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic(), timezone.override(VN_TZ):
            return documents.issue_document(
                code=code,
                kind=form.issued_kind,
                title=f"{form.title_vi} — {dossier.code}",
                template_name=form.template_name,
                context={**context, "printed_by": actor.full_name or actor.username},
                owner=None if form.internal else dossier.applicant,
                issuer_name=str(context["agency_name"]),
                reason=form.title_vi,
            )
    except (Conflict, IntegrityError):
        return IssuedDocument.objects.select_related("stored_file").get(code=code)


# --------------------------------------------------------------------------------------------------
# Form 07: the tracking book of an agency subtree for a period
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookEntry:
    """One line of the tracking book (sổ theo dõi hồ sơ)."""

    number: int
    code: str
    procedure_name: str
    procedure_code: str
    applicant_name: str
    applicant_contact: str
    competent_agency_name: str
    received_at: datetime | None
    due_at: datetime | None
    transferred_at: datetime | None
    resolved_at: datetime | None
    returned_at: datetime | None
    notes: list[str] = field(default_factory=list)

    @property
    def note(self) -> str:
        return "; ".join(self.notes)


def _period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    if start > end:
        raise DomainError(
            "invalid_period",
            "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc của kỳ theo dõi.",
            "The start of the period must be on or before its end.",
            field="start",
        )
    return (
        datetime.combine(start, time.min, tzinfo=VN_TZ),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=VN_TZ),
    )


def _notes(dossier: Dossier) -> list[str]:
    notes: list[str] = []
    if dossier.status not in (Status.RETURNED, Status.RESOLVED):
        notes.append(_vi(Status(dossier.status).label))
    if dossier.extended_due_at is not None and dossier.original_due_at is not None:
        notes.append(f"Xin lỗi, gia hạn (hẹn ban đầu {to_vn(dossier.original_due_at):%d/%m/%Y})")
    if dossier.supplement_count:
        notes.append(f"Yêu cầu bổ sung {dossier.supplement_count} lần")
    done = dossier.resolved_at or dossier.finished_at
    if dossier.due_at is not None and done is not None and done > dossier.due_at:
        notes.append("Quá hạn")
    return notes


def book_entries(agency: Agency, start: date, end: date) -> list[BookEntry]:
    """The dossiers received (by the system) from ``start`` to ``end`` inclusive, Hanoi days, whose
    receiving or competent agency is ``agency`` or below it, in order of reception.

    "Transferred" is the first hand-over outside the receiving agency: the competent agency's reception
    of a boundary-free dossier or the first inter-agency transfer, whichever came first.
    """
    since, until = _period_bounds(start, end)
    if not agency.path:
        raise ValueError("the agency has no tree path")
    subtree = Q(receiving_agency__path__startswith=agency.path) | Q(
        competent_agency__path__startswith=agency.path
    )
    dossiers = (
        Dossier.objects.filter(subtree, system_received_at__gte=since, system_received_at__lt=until)
        .exclude(code__isnull=True)
        .select_related("procedure", "competent_agency")
        .annotate(first_transfer_at=Min("events__at", filter=Q(events__action=Action.TRANSFER)))
        .order_by("system_received_at", "code")
    )
    entries = []
    for number, d in enumerate(dossiers, start=1):
        moments = [m for m in (d.competent_received_at, d.first_transfer_at) if m is not None]
        contact = ", ".join(part for part in (d.applicant_address, d.applicant_phone) if part)
        entries.append(
            BookEntry(
                number=number,
                code=str(d.code),
                procedure_name=d.procedure.name,
                procedure_code=d.procedure.national_code,
                applicant_name=d.applicant_name,
                applicant_contact=contact,
                competent_agency_name=d.competent_agency.name,
                received_at=_local(d.system_received_at),
                due_at=_local(d.due_at),
                transferred_at=_local(min(moments)) if moments else None,
                resolved_at=_local(d.resolved_at),
                returned_at=_local(d.returned_at),
                notes=_notes(d),
            )
        )
    return entries


def tracking_book(agency: Agency, start: date, end: date) -> bytes:
    """Form 07 as an A4 landscape PDF over ``book_entries(agency, start, end)``.

    A report, not a signed paper: its QR code carries only the book's reference (agency code and period),
    nothing personal. Who may print it is the caller's job (an officer over ``agency``).
    """
    form = _book_form()
    entries = book_entries(agency, start, end)
    reference = f"{agency.code}:{start:%Y%m%d}-{end:%Y%m%d}"
    with timezone.override(VN_TZ):
        return documents.render_pdf(
            form.template_name,
            {
                "form": form,
                **_agency_header(agency),
                "code": f"SO-THEO-DOI {reference}",
                "qr_svg": documents.qr_svg(f"motcua:so-theo-doi:{reference}"),
                "start": start,
                "end": end,
                "entries": entries,
                "printed_at": to_vn(now()),
            },
        )
