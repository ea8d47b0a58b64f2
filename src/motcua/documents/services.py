"""Use cases of the documents app: keep a file, hand it out, file it in the citizen's store, issue a paper.

None of these check who is asking: access is the caller's job (a portal view, an API endpoint or a
``dossiers`` service decides whether ``actor`` may read or add the file, then calls these functions).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import FileResponse

from motcua.core.clock import now
from motcua.core.errors import Conflict, DomainError, NotFound
from motcua.core.text import nfc
from motcua.documents import storage, uploads
from motcua.documents.models import (
    DocumentSource,
    FileKind,
    IssuedDocument,
    IssuedKind,
    StoredDocument,
    StoredFile,
)
from motcua.documents.pdf import qr_svg, render_html, render_pdf, verification_url
from motcua.documents.signing import ensure_signing_credentials, sign_pdf, verify_pdf

__all__ = [
    "add_to_store",
    "ensure_signing_credentials",
    "file_response",
    "issue_document",
    "open_stored",
    "qr_svg",
    "render_html",
    "render_pdf",
    "revoke_document",
    "sign_pdf",
    "store_upload",
    "verification_url",
    "verify_pdf",
]

_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()-]")


def _read_upload(data: bytes | UploadedFile) -> bytes:
    if isinstance(data, bytes):
        return data
    if data.size is not None:
        uploads.check_size(int(data.size))
    limit = int(settings.UPLOAD_MAX_BYTES)
    chunks: list[bytes] = []
    total = 0
    for chunk in data.chunks():
        total += len(chunk)
        if total > limit:  # the declared size lied: stop reading
            uploads.check_size(total)
        chunks.append(chunk)
    return b"".join(chunks)


def _save(
    data: bytes, *, name: str, content_type: str, owner: AbstractBaseUser | None, kind: str
) -> StoredFile:
    written = storage.write(data)
    try:
        with transaction.atomic():
            return StoredFile.objects.create(
                owner_id=owner.pk if owner is not None else None,
                kind=kind,
                original_name=uploads.sanitize_name(name, content_type),
                content_type=content_type,
                size=written.size,
                sha256=written.sha256,
                storage_key=written.storage_key,
            )
    except BaseException:
        storage.delete(written.storage_key)
        raise


def store_upload(
    data: bytes | UploadedFile, *, name: str, owner: AbstractBaseUser | None, kind: str = FileKind.UPLOAD
) -> StoredFile:
    """Check and keep a citizen's upload or a counter scan.

    Refuses (``DomainError`` on field "file") an empty file, one above ``UPLOAD_MAX_BYTES``, and anything
    whose *content* is not a readable PDF, JPEG or PNG (the name and the client's content type are
    ignored); an encrypted PDF is refused too. The bytes are written atomically under
    ``FILE_STORAGE_DIR/<yyyy>/<mm>/<random>``. Access checks are the caller's job.

    A file written for a transaction that later rolls back stays on disk without a row (harmless,
    never served); ADR 0008 notes the sweep.
    """
    if kind not in (FileKind.UPLOAD, FileKind.SCAN):
        raise ValueError(f"store_upload keeps uploads and scans, not {kind!r}")
    content = _read_upload(data)
    detected = uploads.detect(content)
    return _save(content, name=name, content_type=detected.content_type, owner=owner, kind=kind)


def open_stored(file: StoredFile) -> bytes:
    """The bytes of ``file``, checked against their SHA-256 (``StorageIntegrityError`` if not).

    Access checks are the caller's job.
    """
    return storage.read(file.storage_key, sha256=file.sha256)


def _ascii_fallback(name: str) -> str:
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _ASCII_UNSAFE.sub("_", stripped).strip() or "file"


def content_disposition(name: str, *, inline: bool = False) -> str:
    """``attachment; filename="ASCII"; filename*=UTF-8''…`` (RFC 6266 with RFC 5987 for Vietnamese)."""
    disposition = "inline" if inline else "attachment"
    fallback = _ascii_fallback(name)
    if fallback == name:
        return f'{disposition}; filename="{name}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(file: StoredFile, *, inline: bool = False) -> FileResponse:
    """Stream ``file`` with its detected type, a safe Content-Disposition and ``nosniff``.

    Attachment by default; ``inline=True`` lets a browser show a PDF or image in place. Access checks
    are the caller's job: call this only after deciding the requester may read ``file``.
    """
    path = storage.path_of(file.storage_key)
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise storage.StorageIntegrityError(f"stored file is missing: {file.storage_key}") from exc
    response = FileResponse(handle, content_type=file.content_type)
    response["Content-Length"] = str(file.size)
    response["Content-Disposition"] = content_disposition(file.original_name, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def add_to_store(
    *,
    owner: AbstractBaseUser,
    title: str,
    stored_file: StoredFile,
    source: str,
    document_type: str = "",
    source_code: str = "",
) -> StoredDocument:
    """File ``stored_file`` in ``owner``'s electronic data store (Circular 01/2023/TT-VPCP Art 24).

    Idempotent on (owner, source, source_code) when a source code is given: issuing a result twice to the
    store returns the first entry. A file belonging to someone else cannot be filed. Whether the actor may
    add to this owner's store is the caller's job.
    """
    if source not in DocumentSource.values:
        raise ValueError(f"unknown source {source!r}")
    if stored_file.owner_id is not None and stored_file.owner_id != owner.pk:
        raise DomainError(
            "store_foreign_file",
            "Không thể đưa tệp của người khác vào kho dữ liệu của bạn.",
            "A file that belongs to someone else cannot be put in your data store.",
            field="file",
            status=403,
        )
    clean_title = nfc(title)[:300]
    if not clean_title:
        raise DomainError(
            "store_title_required",
            "Vui lòng đặt tên cho giấy tờ.",
            "Please give the document a name.",
            field="title",
        )
    code = nfc(source_code)
    if code:
        existing = StoredDocument.objects.filter(owner_id=owner.pk, source=source, source_code=code).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return StoredDocument.objects.create(
                owner_id=owner.pk,
                title=clean_title,
                document_type=nfc(document_type)[:100],
                stored_file=stored_file,
                source=source,
                source_code=code,
            )
    except IntegrityError:
        # a concurrent call filed the same source code first
        return StoredDocument.objects.get(owner_id=owner.pk, source=source, source_code=code)


def _code_taken(code: str) -> Conflict:
    return Conflict(
        "document_code_taken",
        f"Mã văn bản {code} đã được cấp. Văn bản đã ký không bị thay thế; hãy cấp văn bản mới với mã khác "
        "(ví dụ số kết quả tiếp theo) và thu hồi văn bản cũ nếu cần.",
        f"Document code {code} was already issued. A signed document is never replaced; issue a new one "
        "under another code (e.g. the next result number) and revoke the old one if needed.",
        field="code",
    )


def issue_document(
    *,
    code: str,
    kind: str,
    title: str,
    template_name: str,
    context: dict[str, Any],
    owner: AbstractBaseUser | None = None,
    issuer_name: str,
    reason: str = "",
    location: str = "",
) -> IssuedDocument:
    """Render ``template_name``, sign it (PAdES B-B), store it and record it under ``code``.

    The template context also receives ``code``, ``verify_url`` (``PUBLIC_BASE_URL/xac-thuc/<code>/``),
    ``qr_svg`` (QR code of that URL only, no personal data), ``issued_at`` and ``issuer_name``.

    Not idempotent on purpose: a code already issued raises ``Conflict`` and the signed document is
    never replaced (a corrected result gets the next code, e.g. ``-KQ2``, and the old one is revoked).
    A caller retrying after an unknown outcome looks the code up first (``selectors.issued_document``).
    """
    code = code.strip()
    if not code:
        raise ValueError("an issued document needs a code")
    if kind not in IssuedKind.values:
        raise ValueError(f"unknown issued-document kind {kind!r}")
    if IssuedDocument.objects.filter(code=code).exists():
        raise _code_taken(code)
    issued_at = now()
    url = verification_url(code)
    full_context = {
        **context,
        "code": code,
        "title": context.get("title", title),
        "verify_url": url,
        "qr_svg": qr_svg(url),
        "issued_at": context.get("issued_at", issued_at),
        "issuer_name": issuer_name,
    }
    pdf = render_pdf(template_name, full_context)
    signed = sign_pdf(pdf, reason=reason or title, location=location or issuer_name)
    file_name = f"{code}.pdf"
    stored = _save(signed, name=file_name, content_type=uploads.PDF, owner=owner, kind=FileKind.ISSUED)
    try:
        with transaction.atomic():
            return IssuedDocument.objects.create(
                code=code,
                kind=kind,
                title=nfc(title)[:300],
                stored_file=stored,
                sha256=stored.sha256,
                issued_at=issued_at,
                issuer_name=nfc(issuer_name)[:300],
            )
    except IntegrityError as exc:  # a concurrent issue of the same code won
        StoredFile.objects.filter(pk=stored.pk).delete()
        storage.delete(stored.storage_key)
        raise _code_taken(code) from exc


def revoke_document(code: str, *, reason: str) -> IssuedDocument:
    """Mark the document issued under ``code`` as revoked; it stays stored and verifiable as revoked."""
    reason = nfc(reason)
    if not reason:
        raise DomainError(
            "revocation_reason_required",
            "Vui lòng ghi lý do thu hồi văn bản.",
            "Please state why the document is revoked.",
            field="reason",
        )
    with transaction.atomic():
        document = IssuedDocument.objects.select_for_update().filter(code=code.strip()).first()
        if document is None:
            raise NotFound(
                "issued_document_not_found",
                f"Không có văn bản nào được cấp với mã {code}.",
                f"No document was issued with code {code}.",
                field="code",
            )
        if document.revoked_at is None:
            document.revoked_at = now()
            document.revocation_reason = reason
            document.save(update_fields=["revoked_at", "revocation_reason"])
        return document
