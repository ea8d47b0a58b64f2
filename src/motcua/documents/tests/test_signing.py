"""PAdES signing and offline verification: intact, valid, trusted — and what breaks each."""

from __future__ import annotations

import io
import os
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.test.utils import override_settings
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.core.clock import now
from motcua.documents.signing import (
    DEMO_CA_NAME,
    SigningCredentials,
    ensure_signing_credentials,
    regenerate_demo_credentials,
    sign_pdf,
    verify_pdf,
)
from motcua.documents.tests.samples import pdf_bytes


def common_name(path: Path) -> str:
    certificate = x509.load_pem_x509_certificate(path.read_bytes())
    return str(certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def signed_range(pdf: bytes) -> list[int]:
    """The /ByteRange of the (only) signature: [start1, length1, start2, length2]."""
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    return [int(v) for v in signature.sig_object["/ByteRange"]]


@pytest.fixture(scope="module")
def document() -> bytes:
    return pdf_bytes("Trích lục khai sinh — Hoàng Gia Bảo")


def test_a_signed_pdf_verifies_intact_valid_and_trusted(signer: SigningCredentials, document: bytes) -> None:
    signed = sign_pdf(document, reason="Cấp kết quả", location="Đắk Lắk")
    result = verify_pdf(signed)

    assert result.signed
    assert result.intact
    assert result.valid
    assert result.trusted
    assert result.bottom_line
    assert result.problem == ""
    assert result.signer_name == common_name(signer.cert_file) == "UBND xã Thử Nghiệm"
    assert result.signed_at is not None
    assert abs(result.signed_at - now()) < timedelta(minutes=5)
    # incremental update: the original bytes are untouched at the start of the signed file
    assert signed.startswith(document)
    start1, _length1, start2, length2 = signed_range(signed)
    assert start1 == 0
    assert start2 + length2 == len(signed)


def test_the_signature_records_reason_and_location(signer: SigningCredentials, document: bytes) -> None:
    signed = sign_pdf(document, reason="Cấp kết quả", location="Đắk Lắk")
    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    assert signature.sig_object["/Reason"] == "Cấp kết quả"
    assert signature.sig_object["/Location"] == "Đắk Lắk"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES


def test_flipping_one_byte_of_the_signed_content_fails_verification(
    signer: SigningCredentials, document: bytes
) -> None:
    signed = sign_pdf(document, reason="r", location="l")
    start1, length1, _start2, _length2 = signed_range(signed)
    # a byte inside the first stream of the original document, well within the first signed range
    inside = signed.index(b"stream\n") + 20
    assert start1 <= inside < start1 + length1
    tampered = bytearray(signed)
    tampered[inside] ^= 0x01

    result = verify_pdf(bytes(tampered))

    assert result.signed
    assert not result.intact
    assert not result.bottom_line
    assert result.problem == "the signed content was changed"


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_flipping_a_byte_anywhere_in_the_signed_ranges_never_verifies(
    signer: SigningCredentials, document: bytes, fraction: float
) -> None:
    signed = sign_pdf(document, reason="r", location="l")
    start1, length1, start2, length2 = signed_range(signed)
    positions = list(range(start1, start1 + length1)) + list(range(start2, start2 + length2))
    position = positions[int(fraction * (len(positions) - 1))]
    tampered = bytearray(signed)
    tampered[position] ^= 0x20
    assert not verify_pdf(bytes(tampered)).bottom_line


def test_a_change_appended_after_signing_is_detected(signer: SigningCredentials, document: bytes) -> None:
    signed = sign_pdf(document, reason="r", location="l")
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT (forged) Tj ET"))
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)

    result = verify_pdf(out.getvalue())

    assert result.intact
    assert result.valid
    assert not result.bottom_line  # …but the file was changed after it
    assert result.problem == "the file was changed after signing"


def test_a_pdf_signed_by_another_key_is_untrusted(
    settings: Any, signer: SigningCredentials, stranger_credentials: SigningCredentials, document: bytes
) -> None:
    with override_settings(
        SIGNING_KEY_FILE=str(stranger_credentials.key_file),
        SIGNING_CERT_FILE=str(stranger_credentials.cert_file),
        SIGNING_CHAIN_FILE=str(stranger_credentials.chain_file),
    ):
        forged = sign_pdf(document, reason="r", location="l")

    result = verify_pdf(forged)  # checked with our configuration

    assert result.intact
    assert result.valid
    assert not result.trusted
    assert not result.bottom_line
    assert result.signer_name == "Kẻ giả mạo"
    assert result.problem == "the signer is not trusted here"


def test_without_a_chain_nothing_is_trusted(
    settings: Any, signer: SigningCredentials, document: bytes
) -> None:
    signed = sign_pdf(document, reason="r", location="l")
    settings.SIGNING_CHAIN_FILE = None
    result = verify_pdf(signed)
    assert result.intact
    assert not result.trusted


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"not a pdf at all", "not a readable PDF"), (b"", "not a readable PDF")],
)
def test_unreadable_input_is_reported_not_raised(content: bytes, problem: str) -> None:
    result = verify_pdf(content)
    assert not result.signed
    assert not result.bottom_line
    assert result.problem.startswith(problem)


def test_an_unsigned_pdf_is_reported_as_unsigned(document: bytes) -> None:
    result = verify_pdf(document)
    assert not result.signed
    assert not result.bottom_line
    assert result.problem == "no signature"


# --- credentials -----------------------------------------------------------------------------------------


def test_demo_credentials_are_made_once_with_private_files(settings: Any, document: bytes) -> None:
    credentials = ensure_signing_credentials()

    folder = Path(settings.VAR_DIR) / "signing"
    assert credentials.demo
    assert credentials.key_file.parent == folder
    assert common_name(credentials.chain_file) == DEMO_CA_NAME == "motcua DEMO CA — not trusted"  # type: ignore[arg-type]
    for path in (credentials.key_file, credentials.cert_file, credentials.chain_file):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # type: ignore[arg-type]
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert not list(folder.glob("*ca*.key"))  # the CA's private key is never kept
    certificate = credentials.cert_file.read_bytes()

    assert ensure_signing_credentials().cert_file.read_bytes() == certificate  # not regenerated
    result = verify_pdf(sign_pdf(document, reason="r", location="l"))
    assert result.bottom_line
    assert result.signer_name == common_name(credentials.cert_file)


def test_replacing_the_demo_ca_keeps_earlier_documents_trusted(settings: Any, document: bytes) -> None:
    ensure_signing_credentials()
    before = sign_pdf(document, reason="r", location="l")

    regenerate_demo_credentials()
    after = sign_pdf(document, reason="r", location="l")

    assert verify_pdf(before).trusted
    assert verify_pdf(after).trusted
    assert len(list((Path(settings.VAR_DIR) / "signing" / "retired").glob("*-ca.pem"))) == 1


def test_half_a_configuration_is_refused(settings: Any, session_credentials: SigningCredentials) -> None:
    settings.SIGNING_KEY_FILE = str(session_credentials.key_file)
    with pytest.raises(ImproperlyConfigured):
        ensure_signing_credentials()


def test_a_missing_configured_file_is_refused(settings: Any, tmp_path: Path) -> None:
    settings.SIGNING_KEY_FILE = str(tmp_path / "absent.key")
    settings.SIGNING_CERT_FILE = str(tmp_path / "absent.pem")
    with pytest.raises(ImproperlyConfigured, match="not found"):
        ensure_signing_credentials()


def test_a_configured_certificate_is_used_instead_of_the_demo_ca(
    settings: Any, signer: SigningCredentials
) -> None:
    credentials = ensure_signing_credentials()
    assert not credentials.demo
    assert credentials.key_file == signer.key_file
    assert not (Path(settings.VAR_DIR) / "signing").exists()
