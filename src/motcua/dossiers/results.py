"""Documents a dossier produces: the online receipt and the signed result (Decree 45/2020 Art 14(3)).

The receipt (giấy tiếp nhận, shape of Form 01, Circular 03/2025/TT-VPCP) is issued on first download; the
result is issued when the competent agency resolves the dossier, signed (PAdES) with a QR code of its
public verification page, and goes into the applicant's data store when it is returned online.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from motcua.accounts.models import User
from motcua.core.clock import now, to_vn
from motcua.core.errors import Conflict, DomainError, NotFound
from motcua.documents import services as documents
from motcua.documents.models import DocumentSource, IssuedDocument, IssuedKind
from motcua.dossiers import deadlines, services
from motcua.dossiers.constants import DeliveryMethod, Status
from motcua.dossiers.models import AttachmentPurpose, Dossier, DossierAttachment


def receipt_code(dossier: Dossier) -> str:
    return f"{dossier.code}-TN"


def receipt_for(dossier: Dossier) -> IssuedDocument:
    """The signed acknowledgement of an online dossier (issued once, then served again). Two first
    downloads at the same moment both try to issue it; the loser reads the winner's."""
    existing = IssuedDocument.objects.filter(code=receipt_code(dossier)).select_related("stored_file").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _issue_receipt(dossier)
    except (Conflict, IntegrityError):
        return IssuedDocument.objects.select_related("stored_file").get(code=receipt_code(dossier))


def _issue_receipt(dossier: Dossier) -> IssuedDocument:
    due = dossier.due_at or deadlines.expected_due(
        dossier.procedure, dossier.channel, dossier.system_received_at or now()
    )
    documents_received = [a.label for a in dossier.attachments.filter(purpose=AttachmentPurpose.SUBMISSION)]
    return documents.issue_document(
        code=receipt_code(dossier),
        kind=IssuedKind.RECEIPT,
        title=f"Giấy tiếp nhận hồ sơ {dossier.code}",
        template_name="documents/pdf/receipt.html",
        context={
            "agency_name": dossier.receiving_agency.name,
            "dossier_code": dossier.code,
            "procedure_name": dossier.procedure.name,
            "applicant_name": dossier.applicant_name,
            "received_at": to_vn(dossier.system_received_at or now()),
            "appointment_at": to_vn(due) if due else None,
            "documents": documents_received,
            "delivery_method": DeliveryMethod(dossier.delivery_method).label,
        },
        owner=dossier.applicant,
        issuer_name=dossier.receiving_agency.name,
    )


@transaction.atomic
def resolve_with_result(
    dossier: Dossier,
    *,
    actor: User,
    title: str,
    paragraphs: list[str],
    signer_title: str = "",
    note: str = "",
    at: datetime | None = None,
) -> Dossier:
    """Resolve the dossier and issue its signed electronic result ``<code>-KQ1`` in one transaction."""
    body = [p.strip() for p in paragraphs if p and p.strip()]
    if not title.strip() or not body:
        raise DomainError(
            "result_content_required",
            "Vui lòng nhập tiêu đề và nội dung kết quả giải quyết.",
            "Enter the title and the content of the result.",
            field="paragraphs",
        )
    dossier = services.resolve(dossier, actor=actor, note=note, at=at)
    issued = documents.issue_document(
        code=dossier.result_code,
        kind=IssuedKind.RESULT,
        title=title.strip(),
        template_name="documents/pdf/result.html",
        context={
            "agency_name": dossier.competent_agency.name,
            "title": title.strip(),
            "result_code": dossier.result_code,
            "dossier_code": dossier.code,
            "applicant": dossier.applicant_name,
            "paragraphs": body,
            "signer_title": signer_title or "Thủ trưởng cơ quan",
            "issued_at": to_vn(at or now()),
        },
        owner=dossier.applicant,
        issuer_name=dossier.competent_agency.name,
    )
    DossierAttachment.objects.create(
        dossier=dossier,
        stored_file=issued.stored_file,
        label=title.strip()[:500],
        purpose=AttachmentPurpose.RESULT,
        added_by=actor,
    )
    return dossier


@transaction.atomic
def return_online(dossier: Dossier, *, actor: User, at: datetime | None = None) -> Dossier:
    """Return the result online: the applicant downloads it and it enters their data store."""
    dossier = services.return_result(dossier, actor=actor, method=DeliveryMethod.ONLINE, at=at)
    result = result_attachment(dossier)
    if result is not None and dossier.applicant is not None:
        documents.add_to_store(
            owner=dossier.applicant,
            stored_file=result.stored_file,
            title=result.label,
            document_type=f"ket_qua:{dossier.procedure.national_code}",
            source=DocumentSource.RESULT,
            source_code=dossier.result_code,
        )
    return dossier


def result_attachment(dossier: Dossier) -> DossierAttachment | None:
    return (
        DossierAttachment.objects.select_related("stored_file")
        .filter(dossier=dossier, purpose=AttachmentPurpose.RESULT)
        .order_by("-added_at")
        .first()
    )


def downloadable_result(dossier: Dossier, user: User) -> DossierAttachment:
    """The result file, for the applicant, once it has been returned (or is ready for online return)."""
    result = result_attachment(dossier)
    if (
        result is None
        or dossier.applicant_id != user.id
        or dossier.status not in (Status.RETURNED, Status.RESOLVED)
    ):
        raise NotFound(
            "result_not_available", "Kết quả chưa sẵn sàng để tải về.", "The result is not available yet."
        )
    return result
