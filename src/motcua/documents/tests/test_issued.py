"""Issuing signed papers and telling, by code, whether a file is the one we issued."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test.utils import override_settings

from motcua.core.errors import Conflict, NotFound
from motcua.documents.models import FileKind, IssuedDocument, IssuedKind, StoredFile
from motcua.documents.selectors import VerificationOutcome, issued_document, verify_issued
from motcua.documents.services import issue_document, open_stored, revoke_document
from motcua.documents.signing import SigningCredentials
from motcua.documents.tests import pdftext
from motcua.documents.tests.conftest import People

pytestmark = pytest.mark.django_db

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
DOSSIER = "000.00.00.H12-261122-0042"


def issue_receipt(owner: Any = None, code: str = f"{DOSSIER}-TN") -> IssuedDocument:
    return issue_document(
        code=code,
        kind=IssuedKind.RECEIPT,
        title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        template_name="receipt.html",
        context={
            "agency_name": "Ủy ban nhân dân phường Tân An",
            "dossier_code": DOSSIER,
            "procedure_name": "Đăng ký thường trú",
            "applicant_name": "Lê Văn Đức",
            "received_at": datetime(2026, 11, 22, 10, 0, tzinfo=HANOI),
            "appointment_at": datetime(2026, 12, 1, 10, 0, tzinfo=HANOI),
            "documents": ["Tờ khai thay đổi thông tin cư trú"],
            "delivery_method": "Nhận trực tuyến trên Cổng dịch vụ công",
        },
        owner=owner,
        issuer_name="Ủy ban nhân dân phường Tân An",
    )


def issue_result(owner: Any = None, number: int = 1) -> IssuedDocument:
    code = f"{DOSSIER}-KQ{number}"
    return issue_document(
        code=code,
        kind=IssuedKind.RESULT,
        title="Xác nhận thông tin về cư trú",
        template_name="result.html",
        context={
            "agency_name": "Công an phường Tân An",
            "result_code": code,
            "dossier_code": DOSSIER,
            "applicant": "Lê Văn Đức",
            "paragraphs": ["Ông Lê Văn Đức đã đăng ký thường trú tại phường Tân An."],
            "signer_title": "Trưởng Công an phường",
        },
        owner=owner,
        issuer_name="Công an phường Tân An",
    )


def test_an_issued_receipt_is_signed_stored_and_recorded(
    settings: Any, signer: SigningCredentials, people: People
) -> None:
    issued = issue_receipt(owner=people.an)

    issued.refresh_from_db()
    pdf = open_stored(issued.stored_file)
    assert issued.code == f"{DOSSIER}-TN"
    assert issued.kind == "receipt"
    assert issued.sha256 == hashlib.sha256(pdf).hexdigest() == issued.stored_file.sha256
    assert issued.stored_file.kind == FileKind.ISSUED
    assert issued.stored_file.owner == people.an
    assert issued.stored_file.content_type == "application/pdf"
    assert issued.stored_file.original_name == f"{DOSSIER}-TN.pdf"
    assert issued.revoked_at is None
    assert (
        Path(settings.FILE_STORAGE_DIR).resolve()
        in (Path(settings.FILE_STORAGE_DIR) / issued.stored_file.storage_key).resolve().parents
    )

    text = re.sub(r"\s+", " ", pdftext.text(pdf))
    assert DOSSIER in text
    assert f"https://dichvucong.example.gov.vn/xac-thuc/{DOSSIER}-TN/" in text
    assert "Lê Văn Đức" in text


def test_the_issued_file_is_authentic_by_code(signer: SigningCredentials, people: People) -> None:
    issued = issue_result(owner=people.an)
    pdf = open_stored(issued.stored_file)

    check = verify_issued(issued.code, pdf)

    assert check.outcome is VerificationOutcome.AUTHENTIC
    assert check.authentic
    assert check.sha256_matches is True
    assert check.signature is not None
    assert check.signature.trusted
    assert check.document == issued
    assert "Đúng là văn bản" in check.message_vi


def test_another_file_under_the_code_is_not_authentic(signer: SigningCredentials) -> None:
    receipt = issue_receipt()
    result = issue_result()

    # a genuine, validly signed document of ours, presented under the wrong code
    check = verify_issued(result.code, open_stored(receipt.stored_file))
    assert check.outcome is VerificationOutcome.DIFFERENT_FILE
    assert check.sha256_matches is False
    assert not check.authentic

    altered = bytearray(open_stored(result.stored_file))
    altered[len(altered) // 2] ^= 0x01
    assert verify_issued(result.code, bytes(altered)).outcome is VerificationOutcome.DIFFERENT_FILE


def test_without_a_file_only_the_record_is_returned(signer: SigningCredentials) -> None:
    issued = issue_result()
    check = verify_issued(f"  {issued.code} ", None)
    assert check.outcome is VerificationOutcome.NOT_CHECKED
    assert check.document.issuer_name == "Công an phường Tân An"
    assert check.signature is None


def test_an_unknown_code_is_not_found(signer: SigningCredentials) -> None:
    issue_result()
    with pytest.raises(NotFound):
        verify_issued(f"{DOSSIER}-KQ9", None)
    with pytest.raises(NotFound):
        issued_document("")


def test_a_revoked_document_verifies_as_revoked(signer: SigningCredentials) -> None:
    issued = issue_result()
    pdf = open_stored(issued.stored_file)

    revoke_document(issued.code, reason="Cấp nhầm thông tin; đã cấp lại kết quả KQ2")

    assert verify_issued(issued.code, pdf).outcome is VerificationOutcome.REVOKED
    assert verify_issued(issued.code, None).outcome is VerificationOutcome.REVOKED
    assert issued_document(issued.code).revocation_reason.startswith("Cấp nhầm")


def test_a_signature_that_no_longer_chains_to_our_roots_is_reported(
    signer: SigningCredentials, stranger_credentials: SigningCredentials
) -> None:
    issued = issue_result()
    pdf = open_stored(issued.stored_file)
    with override_settings(SIGNING_CHAIN_FILE=str(stranger_credentials.chain_file)):
        check = verify_issued(issued.code, pdf)
    assert check.outcome is VerificationOutcome.SIGNATURE_INVALID
    assert check.sha256_matches is True


def test_re_issuing_a_code_never_replaces_the_signed_document(signer: SigningCredentials) -> None:
    first = issue_result()
    files_before = StoredFile.objects.count()

    with pytest.raises(Conflict) as caught:
        issue_result()

    assert caught.value.code == "document_code_taken"
    assert caught.value.field == "code"
    assert IssuedDocument.objects.get(code=first.code).sha256 == first.sha256
    assert StoredFile.objects.count() == files_before
    # the correction goes under the next number
    assert issue_result(number=2).code == f"{DOSSIER}-KQ2"


def test_issuing_with_the_demo_ca_works_out_of_the_box(settings: Any) -> None:
    issued = issue_receipt()
    assert verify_issued(issued.code, open_stored(issued.stored_file)).authentic
    assert (Path(settings.VAR_DIR) / "signing" / "signer.key").is_file()
