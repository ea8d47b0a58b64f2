"""Online submission: drafts that save every answer, then one call that files the dossier.

The steps of the online form are: where to file (receiving agency), who applies (prefilled from the
account), the procedure's own questions (its form schema, ``catalogue.forms``), how to receive the result,
the attached files, then "check your answers". Every step saves into the draft, so nothing typed is lost
when a connection drops or a session expires; ``submit_draft`` re-validates everything and calls
``services.submit`` — the only way a dossier is filed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction

from motcua.accounts.models import User
from motcua.agencies.models import Agency
from motcua.catalogue.forms import (
    FieldError,
    FormPage,
    FormSchema,
    parse_schema,
    validate_page,
)
from motcua.catalogue.forms import (
    as_raw as _as_raw,
)
from motcua.catalogue.models import Channel, OnlineMode, Procedure, ProcedureOffering, RequiredDocument
from motcua.catalogue.selectors import form_schema_for
from motcua.core import outbox_topics
from motcua.core.clock import now, to_vn
from motcua.core.errors import DomainError, NotFound
from motcua.core.models import enqueue
from motcua.documents.models import StoredFile
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod
from motcua.dossiers.models import AttachmentPurpose, Dossier, DossierAttachment, DossierDraft

APPLICANT_FIELDS = ("full_name", "id_number", "phone", "email", "address")
MAX_FILES_PER_DRAFT = 30


def start_draft(*, owner: User, procedure: Procedure) -> DossierDraft:
    """A new draft for ``procedure``; the applicant page starts from the account's details."""
    _citizen_only(owner)
    schema = form_schema_for(procedure)
    if (
        not ProcedureOffering.objects.filter(procedure=procedure)
        .exclude(online_mode=OnlineMode.NONE)
        .exists()
    ):
        raise DomainError(
            "procedure_not_online",
            "Thủ tục này chưa được cung cấp trực tuyến; vui lòng nộp trực tiếp hoặc qua bưu chính.",
            "This procedure is not offered online yet; please file in person or by post.",
            field="procedure_code",
        )
    applicant = {
        "full_name": owner.full_name,
        "id_number": owner.citizen_id_number,
        "phone": owner.phone,
        "email": owner.email,
        "address": "",
    }
    answers: dict[str, Any] = {"applicant": applicant, "form": {}, "files": {}}
    for page in schema.pages:
        for form_field in page.fields:
            if form_field.prefill:
                answers["form"][form_field.name] = applicant.get(form_field.prefill.split(".", 1)[1], "")
    return DossierDraft.objects.create(
        token=uuid.uuid4(), owner=owner, procedure=procedure, schema_version=schema.version, answers=answers
    )


def _citizen_only(owner: User) -> None:
    if owner.is_officer:
        raise DomainError(
            "officers_use_counter",
            "Cán bộ nộp hồ sơ thay công dân tại quầy tiếp nhận (trang nghiệp vụ), không qua cổng công dân.",
            "Officers file on a citizen's behalf at the counter (back office), not through the citizen portal.",
        )


def draft_for(owner: User, token: str | uuid.UUID) -> DossierDraft:
    """The owner's unsubmitted draft; anyone else gets the same "not found" (no leak)."""
    try:
        key = uuid.UUID(str(token))
    except ValueError:
        key = None
    draft = (
        DossierDraft.objects.select_related("procedure", "receiving_agency")
        .filter(token=key, owner=owner)
        .first()
        if key
        else None
    )
    if draft is None or not owner.is_authenticated:
        raise NotFound("draft_not_found", "Không tìm thấy hồ sơ nháp này.", "This draft was not found.")
    return draft


def drafts_of(owner: User) -> list[DossierDraft]:
    return list(
        DossierDraft.objects.select_related("procedure")
        .filter(owner=owner, dossier__isnull=True)
        .order_by("-updated_at")
    )


def schema_of(draft: DossierDraft) -> FormSchema:
    return form_schema_for(draft.procedure, version=draft.schema_version)


def _require_open(draft: DossierDraft) -> None:
    if draft.dossier_id is not None:
        raise DomainError(
            "draft_already_submitted",
            "Hồ sơ này đã được nộp; xem trong mục Hồ sơ của tôi.",
            "This dossier has already been submitted; see My dossiers.",
        )


def save_answers(
    draft: DossierDraft, *, section: str, values: dict[str, Any], step: str = ""
) -> DossierDraft:
    """Merge ``values`` into a section of the draft (``applicant``, ``form`` or ``delivery``)."""
    _require_open(draft)
    if section not in ("applicant", "form", "delivery"):
        raise ValueError(section)
    current = dict(draft.answers.get(section) or {})
    current.update(values)
    draft.answers = {**draft.answers, section: current}
    draft.last_step = step or draft.last_step
    draft.save(update_fields=["answers", "last_step", "updated_at"])
    return draft


def online_agencies(procedure: Procedure) -> list[Agency]:
    return [
        o.agency
        for o in ProcedureOffering.objects.select_related("agency")
        .filter(procedure=procedure)
        .exclude(online_mode=OnlineMode.NONE)
        .order_by("agency__depth", "agency__name")
    ]


def choose_agency(draft: DossierDraft, agency: Agency) -> DossierDraft:
    _require_open(draft)
    if agency not in online_agencies(draft.procedure):
        raise DomainError(
            "procedure_not_online",
            "Cơ quan đã chọn không nhận thủ tục này trực tuyến; vui lòng chọn cơ quan trong danh sách.",
            "The chosen agency does not take this procedure online; choose one from the list.",
            field="agency",
        )
    draft.receiving_agency = agency
    draft.save(update_fields=["receiving_agency", "updated_at"])
    return draft


def attach(
    draft: DossierDraft,
    *,
    stored_file: StoredFile,
    requirement_id: int | None,
    label: str,
    reused: bool = False,
) -> DossierDraft:
    """Record an uploaded (or reused) file against a required document of the draft."""
    _require_open(draft)
    if stored_file.owner_id != draft.owner_id:
        raise NotFound("file_not_found", "Không tìm thấy tệp này.", "This file was not found.", field="file")
    files = dict(draft.answers.get("files") or {})
    if sum(len(v) for v in files.values()) >= MAX_FILES_PER_DRAFT:
        raise DomainError(
            "too_many_files",
            f"Mỗi hồ sơ đính kèm tối đa {MAX_FILES_PER_DRAFT} tệp.",
            f"A dossier can have at most {MAX_FILES_PER_DRAFT} files.",
            field="file",
        )
    key = str(requirement_id or "other")
    files[key] = [*files.get(key, []), {"token": str(stored_file.token), "label": label, "reused": reused}]
    draft.answers = {**draft.answers, "files": files}
    draft.save(update_fields=["answers", "updated_at"])
    return draft


def detach(draft: DossierDraft, *, token: str) -> DossierDraft:
    _require_open(draft)
    files = {
        key: [f for f in entries if f["token"] != token]
        for key, entries in (draft.answers.get("files") or {}).items()
    }
    draft.answers = {**draft.answers, "files": {k: v for k, v in files.items() if v}}
    draft.save(update_fields=["answers", "updated_at"])
    return draft


@dataclass(frozen=True)
class DraftProblem:
    step: str
    field: str
    error: FieldError


def problems(draft: DossierDraft, *, today: date | None = None) -> list[DraftProblem]:
    """Everything that still stops the draft from being filed, with the step to fix it on."""
    today = today or to_vn(now()).date()
    found: list[DraftProblem] = []
    if draft.receiving_agency_id is None:
        found.append(
            DraftProblem(
                "agency",
                "agency",
                FieldError("Vui lòng chọn nơi nộp hồ sơ.", "Choose where to file the dossier."),
            )
        )
    pages: list[tuple[str, str, FormPage]] = [("applicant", "applicant", APPLICANT_PAGE)]
    pages += [("form", f"q-{page.id}", page) for page in schema_of(draft).pages]
    pages.append(("delivery", "delivery", DELIVERY_PAGE))
    for section, step, page in pages:
        answers = draft.answers.get(section) or {}
        raw = {f.name: _as_raw(answers.get(f.name)) for f in page.fields}
        for name, problem in validate_page(page, raw, today=today)[1].items():
            found.append(DraftProblem(step, name, problem))
    delivery = draft.answers.get("delivery") or {}
    method = delivery.get("method", "")
    if method == DeliveryMethod.POST and not str(delivery.get("address", "")).strip():
        found.append(
            DraftProblem(
                "delivery",
                "address",
                FieldError(
                    "Vui lòng nhập địa chỉ nhận kết quả qua bưu chính.",
                    "Enter the address where the post should deliver the result.",
                ),
            )
        )
    return found


@transaction.atomic
def submit_draft(draft: DossierDraft, *, actor: User, at: datetime | None = None) -> Dossier:
    """File the draft as an online dossier: validate everything again, then ``services.submit``."""
    draft = (
        DossierDraft.objects.select_for_update(of=("self",))  # receiving_agency is a nullable (outer) join
        .select_related("procedure", "receiving_agency")
        .get(pk=draft.pk)
    )
    _require_open(draft)
    if draft.owner_id != actor.id:
        raise NotFound("draft_not_found", "Không tìm thấy hồ sơ nháp này.", "This draft was not found.")
    found = problems(draft)
    if found:
        first = found[0]
        raise DomainError(
            "draft_incomplete",
            f"Hồ sơ chưa đầy đủ: {first.error.message_vi}",
            f"The dossier is not complete: {first.error.message_en}",
            field=first.field,
        )
    assert draft.receiving_agency is not None
    applicant = draft.answers["applicant"]
    delivery = draft.answers["delivery"]
    dossier = services.submit(
        actor=actor,
        procedure=draft.procedure,
        receiving_agency=draft.receiving_agency,
        channel=Channel.ONLINE,
        applicant=services.Applicant(**{k: str(applicant.get(k, "")) for k in APPLICANT_FIELDS}),
        form_data={"schema_version": draft.schema_version, "answers": draft.answers.get("form") or {}},
        delivery_method=delivery["method"],
        delivery_address=str(delivery.get("address", "")),
        at=at,
    )
    requirements = {r.id: r for r in RequiredDocument.objects.filter(procedure=draft.procedure)}
    tokens = [f["token"] for entries in (draft.answers.get("files") or {}).values() for f in entries]
    stored = {str(f.token): f for f in StoredFile.objects.filter(token__in=tokens, owner=actor)}
    for key, entries in (draft.answers.get("files") or {}).items():
        requirement = requirements.get(int(key)) if key.isdigit() else None
        for entry in entries:
            file = stored.get(entry["token"])
            if file is None:
                continue
            DossierAttachment.objects.create(
                dossier=dossier,
                stored_file=file,
                requirement=requirement,
                label=entry.get("label") or (requirement.name[:500] if requirement else ""),
                purpose=AttachmentPurpose.SUBMISSION,
                reused=bool(entry.get("reused")),
                added_by=actor,
            )
    draft.dossier = dossier
    draft.save(update_fields=["dossier", "updated_at"])
    enqueue(outbox_topics.NOTIFY_RECEIPT, str(dossier.code), {"dossier_id": dossier.id, "code": dossier.code})
    return dossier


def _common_page(page: dict[str, Any]) -> FormPage:
    schema = parse_schema(
        {
            "procedure": "*common",
            "version": 1,
            "title_vi": "Thông tin chung",
            "title_en": "Common details",
            "pages": [page],
        }
    )
    return schema.pages[0]


# The common pages every online dossier has, written in the same schema language as the procedures' own.
APPLICANT_PAGE = _common_page(
    {
        "id": "applicant",
        "title_vi": "Người nộp hồ sơ",
        "title_en": "Who is applying",
        "intro_vi": "Thông tin lấy từ tài khoản của bạn; sửa nếu cần.",
        "intro_en": "Taken from your account; correct them if needed.",
        "fields": [
            {
                "name": "full_name",
                "type": "text",
                "required": True,
                "max_length": 200,
                "label_vi": "Họ và tên",
                "label_en": "Full name",
                "hint_vi": "Như trên thẻ căn cước, ví dụ Nguyễn Văn An",
                "hint_en": "As on your ID card, e.g. Nguyễn Văn An",
                "autocomplete": "name",
            },
            {
                "name": "id_number",
                "type": "citizen_id",
                "required": True,
                "label_vi": "Số định danh cá nhân",
                "label_en": "Personal identification number",
                "hint_vi": "12 chữ số in trên thẻ căn cước, ví dụ 037090001234",
                "hint_en": "The 12 digits printed on your ID card, e.g. 037090001234",
            },
            {
                "name": "phone",
                "type": "phone",
                "required": True,
                "label_vi": "Số điện thoại",
                "label_en": "Phone number",
                "hint_vi": "Để cơ quan báo khi có kết quả, ví dụ 0912345678",
                "hint_en": "So the agency can tell you when the result is ready, e.g. 0912345678",
            },
            {
                "name": "email",
                "type": "email",
                "label_vi": "Thư điện tử",
                "label_en": "E-mail",
                "hint_vi": "Nhận giấy tiếp nhận và thông báo qua thư",
                "hint_en": "To receive the receipt and notices by e-mail",
            },
            {
                "name": "address",
                "type": "text",
                "required": True,
                "max_length": 500,
                "label_vi": "Địa chỉ liên hệ",
                "label_en": "Contact address",
                "hint_vi": "Số nhà, thôn/tổ, xã/phường, tỉnh/thành phố",
                "hint_en": "House number, hamlet, commune, province",
                "autocomplete": "street-address",
            },
        ],
    }
)
DELIVERY_PAGE = _common_page(
    {
        "id": "delivery",
        "title_vi": "Cách nhận kết quả",
        "title_en": "How to receive the result",
        "fields": [
            {
                "name": "method",
                "type": "choice",
                "required": True,
                "label_vi": "Bạn muốn nhận kết quả thế nào?",
                "label_en": "How do you want to receive the result?",
                "choices": [
                    {
                        "value": "online",
                        "label_vi": "Trực tuyến: tải bản điện tử có chữ ký số",
                        "label_en": "Online: download the digitally signed result",
                    },
                    {
                        "value": "counter",
                        "label_vi": "Tại bộ phận một cửa nơi nộp hồ sơ",
                        "label_en": "At the counter where the dossier was filed",
                    },
                    {
                        "value": "post",
                        "label_vi": "Qua bưu chính công ích (có thể mất phí chuyển phát)",
                        "label_en": "By public post (delivery may cost a fee)",
                    },
                ],
            },
            {
                "name": "address",
                "type": "text",
                "max_length": 500,
                "label_vi": "Địa chỉ nhận qua bưu chính",
                "label_en": "Address for delivery by post",
                "hint_vi": "Chỉ cần khi chọn nhận qua bưu chính",
                "hint_en": "Only needed for delivery by post",
                "autocomplete": "street-address",
            },
        ],
    }
)
