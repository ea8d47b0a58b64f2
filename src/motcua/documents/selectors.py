"""Reads of stored and issued documents, with their ownership checks.

A file that is not the requester's is answered exactly like a file that does not exist (``NotFound``):
nobody learns that someone else's token is valid.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from motcua.core.errors import NotFound
from motcua.documents.models import IssuedDocument, StoredDocument, StoredFile
from motcua.documents.signing import Verification, verify_pdf


def _as_uuid(token: str | uuid.UUID) -> uuid.UUID | None:
    if isinstance(token, uuid.UUID):
        return token
    try:
        return uuid.UUID(str(token))
    except ValueError:
        return None


def _file_not_found() -> NotFound:
    return NotFound(
        "file_not_found",
        "Không tìm thấy giấy tờ này trong kho dữ liệu của bạn.",
        "This document is not in your data store.",
        field="token",
    )


def store_of(owner: AbstractBaseUser) -> QuerySet[StoredDocument]:
    """``owner``'s electronic data store, newest first."""
    return (
        StoredDocument.objects.filter(owner_id=owner.pk)
        .select_related("stored_file")
        .order_by("-created_at", "-pk")
    )


def stored_document_for(owner: AbstractBaseUser, token: str | uuid.UUID) -> StoredDocument:
    """The entry of ``owner``'s store whose file has ``token``; ``NotFound`` otherwise (no leak)."""
    value = _as_uuid(token)
    entry = store_of(owner).filter(stored_file__token=value).first() if value else None
    if entry is None:
        raise _file_not_found()
    return entry


def owned_file(owner: AbstractBaseUser, token: str | uuid.UUID) -> StoredFile:
    """A file ``owner`` uploaded or was issued; ``NotFound`` otherwise (no leak)."""
    value = _as_uuid(token)
    file = StoredFile.objects.filter(owner_id=owner.pk, token=value).first() if value else None
    if file is None:
        raise _file_not_found()
    return file


def issued_document(code: str) -> IssuedDocument:
    """The document issued under ``code`` (revoked ones included); ``NotFound`` otherwise."""
    document = IssuedDocument.objects.select_related("stored_file").filter(code=code.strip()).first()
    if document is None:
        raise NotFound(
            "issued_document_not_found",
            f"Không có văn bản nào được cấp với mã {code}. Vui lòng kiểm tra lại mã in trên văn bản.",
            f"No document was issued with code {code}. Please check the code printed on the document.",
            field="code",
        )
    return document


class VerificationOutcome(StrEnum):
    AUTHENTIC = "authentic"  # the very file we issued, signature valid, not revoked
    REVOKED = "revoked"  # the code exists but the document was revoked
    DIFFERENT_FILE = "different_file"  # the file is not the one we issued under this code
    SIGNATURE_INVALID = "signature_invalid"  # our file, but its signature no longer verifies here
    NOT_CHECKED = "not_checked"  # no file given: only the record is shown


_MESSAGES: dict[VerificationOutcome, tuple[str, str]] = {
    VerificationOutcome.AUTHENTIC: (
        "Đúng là văn bản do cơ quan cấp, chữ ký số hợp lệ và văn bản chưa bị thay đổi.",
        "This is the document the agency issued; its digital signature is valid and it is unchanged.",
    ),
    VerificationOutcome.REVOKED: (
        "Văn bản với mã này đã bị thu hồi, không còn giá trị sử dụng.",
        "The document with this code has been revoked and is no longer valid.",
    ),
    VerificationOutcome.DIFFERENT_FILE: (
        "Tệp này KHÔNG phải văn bản đã cấp với mã này (nội dung khác hoặc đã bị sửa).",
        "This file is NOT the document issued under this code (different or altered content).",
    ),
    VerificationOutcome.SIGNATURE_INVALID: (
        "Nội dung trùng với văn bản đã cấp nhưng chữ ký số không kiểm tra được; vui lòng liên hệ cơ quan cấp.",
        "The content matches the issued document but its signature does not verify; please contact "
        "the issuing agency.",
    ),
    VerificationOutcome.NOT_CHECKED: (
        "Mã văn bản hợp lệ. Tải tệp PDF lên để kiểm tra đó có đúng là văn bản đã cấp không.",
        "The document code is valid. Upload the PDF to check it is the document that was issued.",
    ),
}


@dataclass(frozen=True)
class IssuedVerification:
    """The answer of the public verification page for one code and, optionally, one file."""

    document: IssuedDocument
    outcome: VerificationOutcome
    sha256_matches: bool | None
    signature: Verification | None

    @property
    def message_vi(self) -> str:
        return _MESSAGES[self.outcome][0]

    @property
    def message_en(self) -> str:
        return _MESSAGES[self.outcome][1]

    @property
    def authentic(self) -> bool:
        return self.outcome is VerificationOutcome.AUTHENTIC


def verify_issued(code: str, pdf_bytes: bytes | None) -> IssuedVerification:
    """Whether ``pdf_bytes`` is the document we issued under ``code``.

    Authentic = same SHA-256 as the recorded signed PDF *and* its signature verifies (intact, valid,
    trusted) *and* not revoked. Without a file only the record is returned. ``NotFound`` for an unknown
    code. Public: reveals only what is printed on the paper (code, title, issuer, date, revocation).
    """
    document = issued_document(code)
    if pdf_bytes is None:
        outcome = VerificationOutcome.REVOKED if document.is_revoked else VerificationOutcome.NOT_CHECKED
        return IssuedVerification(document, outcome, None, None)
    matches = hashlib.sha256(pdf_bytes).hexdigest() == document.sha256
    if not matches:
        return IssuedVerification(document, VerificationOutcome.DIFFERENT_FILE, False, None)
    signature = verify_pdf(pdf_bytes)
    if document.is_revoked:
        outcome = VerificationOutcome.REVOKED
    elif signature.bottom_line:
        outcome = VerificationOutcome.AUTHENTIC
    else:
        outcome = VerificationOutcome.SIGNATURE_INVALID
    return IssuedVerification(document, outcome, True, signature)
