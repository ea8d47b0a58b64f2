"""Uploads: what is refused (and what the citizen is told), what is kept, and where it lands."""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core.errors import DomainError
from motcua.documents import uploads
from motcua.documents.models import FileKind, StoredFile
from motcua.documents.services import store_upload
from motcua.documents.storage import StorageIntegrityError
from motcua.documents.tests.conftest import People
from motcua.documents.tests.samples import encrypted_pdf_bytes, image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def refused(data: Any, name: str = "giay-to.pdf", owner: Any = None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        store_upload(data, name=name, owner=owner)
    assert caught.value.field == "file"
    assert caught.value.message_vi
    assert caught.value.message_en
    assert caught.value.message_vi != caught.value.message_en
    return caught.value


def docx_bytes() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# --- refusals -------------------------------------------------------------------------------------------


def test_an_empty_file_is_refused_and_nothing_is_written(settings: Any) -> None:
    error = refused(b"")
    assert error.code == "upload_empty"
    assert "0 byte" in error.message_vi
    assert not StoredFile.objects.exists()
    assert not Path(settings.FILE_STORAGE_DIR).exists() or not any(Path(settings.FILE_STORAGE_DIR).rglob("*"))


def test_an_empty_uploaded_file_is_refused() -> None:
    assert (
        refused(SimpleUploadedFile("trong.pdf", b"", content_type="application/pdf")).code == "upload_empty"
    )


@pytest.mark.parametrize(("limit_mb", "vi_text", "en_text"), [(2, "2 MB", "2 MB"), (2.5, "2,5 MB", "2.5 MB")])
def test_a_file_over_the_limit_is_refused_with_the_limit_in_megabytes(
    settings: Any, limit_mb: float, vi_text: str, en_text: str
) -> None:
    settings.UPLOAD_MAX_BYTES = int(limit_mb * 1024 * 1024)
    error = refused(b"%PDF-1.7\n" + b"0" * settings.UPLOAD_MAX_BYTES)
    assert error.code == "upload_too_large"
    assert vi_text in error.message_vi
    assert en_text in error.message_en


def test_the_limit_itself_is_accepted_in_size(settings: Any) -> None:
    png = image_bytes("PNG")
    settings.UPLOAD_MAX_BYTES = len(png)
    assert store_upload(png, name="anh.png", owner=None).size == len(png)


def test_an_uploaded_file_over_the_limit_is_refused_before_being_read(settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024

    class Exploding(SimpleUploadedFile):
        def chunks(self, chunk_size: int | None = None) -> Any:
            raise AssertionError("read although its declared size is over the limit")

    big = Exploding("to.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024), content_type="application/pdf")
    assert refused(big).code == "upload_too_large"


def test_an_uploaded_file_that_lies_about_its_size_is_stopped_while_reading(settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    liar = SimpleUploadedFile(
        "nho.pdf", b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024), content_type="application/pdf"
    )
    liar.size = 10
    assert refused(liar).code == "upload_too_large"


@pytest.mark.parametrize(
    ("content", "name", "client_type"),
    [
        (b"<html><script>alert(1)</script></html>", "ho-so.pdf", "application/pdf"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "anh.png", "image/png"),
        (b"Ho ten: Nguyen Van An\n", "to-khai.pdf", "application/pdf"),
        (b"MZ\x90\x00\x03" + b"\x00" * 100, "scan.jpg", "image/jpeg"),
    ],
    ids=["html-named-pdf", "svg-named-png", "plain-text", "executable-named-jpg"],
)
def test_content_that_is_not_pdf_jpeg_or_png_is_refused_whatever_its_name_and_client_type(
    content: bytes, name: str, client_type: str
) -> None:
    error = refused(SimpleUploadedFile(name, content, content_type=client_type), name=name)
    assert error.code == "upload_type_not_allowed"
    assert "PDF" in error.message_vi
    assert "JPEG" in error.message_vi
    assert "PNG" in error.message_vi


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "WEBP"])
def test_other_image_formats_are_refused(fmt: str) -> None:
    assert refused(image_bytes(fmt), name=f"anh.{fmt.lower()}").code == "upload_type_not_allowed"


def test_a_word_document_is_refused() -> None:
    assert refused(docx_bytes(), name="don.docx").code == "upload_type_not_allowed"


def test_a_pdf_header_on_garbage_is_refused_as_damaged() -> None:
    error = refused(b"%PDF-1.7\n" + os.urandom(4096))
    assert error.code == "upload_damaged"
    assert "PDF" in error.message_vi


def test_a_truncated_pdf_is_refused_as_damaged() -> None:
    document = pdf_bytes()
    assert refused(document[: len(document) // 3]).code == "upload_damaged"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_truncated_image_is_refused_as_damaged(fmt: str) -> None:
    picture = image_bytes(fmt, size=(400, 300))
    error = refused(picture[: len(picture) // 2], name="anh")
    assert error.code == "upload_damaged"
    assert fmt in error.message_vi


def test_a_png_with_a_broken_checksum_is_refused_as_damaged() -> None:
    picture = bytearray(image_bytes("PNG"))
    data_at = picture.index(b"IDAT") + 6
    picture[data_at] ^= 0xFF
    assert refused(bytes(picture), name="anh.png").code == "upload_damaged"


@pytest.mark.parametrize("user_password", [b"", b"mat-khau"], ids=["restrictions-only", "password-to-open"])
def test_an_encrypted_pdf_is_refused_with_a_clear_message(user_password: bytes) -> None:
    error = refused(encrypted_pdf_bytes(user_password))
    assert error.code == "upload_encrypted"
    assert "mật khẩu" in error.message_vi
    assert "password" in error.message_en


def test_an_image_with_too_many_pixels_is_refused() -> None:
    side = int(uploads.MAX_IMAGE_PIXELS**0.5) + 1  # 1-bit white picture: tiny file, huge pixel count
    bomb = image_bytes("PNG", size=(side, side), mode="1")
    assert len(bomb) < 1024 * 1024
    assert refused(bomb, name="anh.png").code == "upload_image_too_large"


# --- accepted files ------------------------------------------------------------------------------------


def jpeg() -> bytes:
    return image_bytes("JPEG")


def png() -> bytes:
    return image_bytes("PNG")


@pytest.mark.parametrize(
    ("build", "name", "expected_type", "expected_name"),
    [
        (pdf_bytes, "Giấy khai sinh.pdf", "application/pdf", "Giấy khai sinh.pdf"),
        (jpeg, "CCCD mặt trước.jpeg", "image/jpeg", "CCCD mặt trước.jpeg"),
        (png, "so-ho-khau.PNG", "image/png", "so-ho-khau.png"),
        (jpeg, "ảnh chụp.png", "image/jpeg", "ảnh chụp.jpg"),
        (pdf_bytes, "to-khai.docx", "application/pdf", "to-khai.pdf"),
        (png, "scan", "image/png", "scan.png"),
    ],
    ids=["pdf", "jpeg", "png", "jpeg-named-png", "pdf-named-docx", "no-extension"],
)
def test_pdf_jpeg_and_png_are_kept_with_the_detected_type(
    settings: Any,
    people: People,
    build: Callable[[], bytes],
    name: str,
    expected_type: str,
    expected_name: str,
) -> None:
    content = build()
    file = store_upload(content, name=name, owner=people.an)
    file.refresh_from_db()
    assert file.content_type == expected_type
    assert file.original_name == expected_name
    assert file.size == len(content)
    assert file.sha256 == hashlib.sha256(content).hexdigest()
    assert file.owner == people.an
    assert file.kind == FileKind.UPLOAD
    assert (Path(settings.FILE_STORAGE_DIR) / file.storage_key).read_bytes() == content


def test_the_client_content_type_is_ignored(people: People) -> None:
    upload = SimpleUploadedFile("anh.jpg", image_bytes("PNG"), content_type="image/jpeg")
    assert store_upload(upload, name=upload.name or "", owner=people.an).content_type == "image/png"


def test_a_counter_scan_is_kept_as_such(people: People) -> None:
    assert store_upload(pdf_bytes(), name="scan.pdf", owner=people.an, kind=FileKind.SCAN).kind == "scan"


def test_files_land_under_file_storage_dir_not_under_static_root_and_without_user_text(
    settings: Any, people: People
) -> None:
    file = store_upload(image_bytes("PNG"), name="../../static/Nguyễn Văn An.png", owner=people.an)
    path = (Path(settings.FILE_STORAGE_DIR) / file.storage_key).resolve()
    storage_dir = Path(settings.FILE_STORAGE_DIR).resolve()
    static_root = Path(settings.STATIC_ROOT).resolve()

    assert storage_dir in path.parents
    assert static_root not in path.parents
    assert not any(static_root.rglob("*"))
    assert re.fullmatch(r"\d{4}/\d{2}/[0-9a-f]{32}", file.storage_key)
    assert file.original_name == "Nguyễn Văn An.png"
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind


def test_the_public_token_is_random_and_not_the_database_id(people: People) -> None:
    first = store_upload(image_bytes("PNG"), name="a.png", owner=people.an)
    second = store_upload(image_bytes("PNG"), name="a.png", owner=people.an)
    assert first.token != second.token
    assert str(first.pk) not in str(first.token).split("-")
    assert first.storage_key != second.storage_key


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("C:\\Users\\an\\Giấy khai sinh.PDF", "Giấy khai sinh.pdf"),
        ("/etc/passwd", "passwd.pdf"),
        (".htaccess", "htaccess.pdf"),
        ('bản "sao"\x00\r\n<1>.pdf', "bản _sao_____1_.pdf"),
        ("v1.2 bản sao", "v1.2 bản sao.pdf"),
        ("", "tep-tin.pdf"),
        ("Gia\u0301y to\u031b\u0300.pdf", "Giáy tờ.pdf"),  # NFD in, NFC out
    ],
)
def test_names_are_sanitised(name: str, expected: str) -> None:
    assert uploads.sanitize_name(name, uploads.PDF) == expected


def test_a_long_name_is_cut_to_200_characters_keeping_the_extension() -> None:
    name = uploads.sanitize_name("Đơn đề nghị " * 40 + ".pdf", uploads.PDF)
    assert len(name) <= 200
    assert name.endswith(".pdf")
    assert name.startswith("Đơn đề nghị")


def test_a_stored_file_whose_bytes_changed_on_disk_is_reported(settings: Any, people: People) -> None:
    from motcua.documents.services import open_stored

    content = pdf_bytes()
    file = store_upload(content, name="a.pdf", owner=people.an)
    assert open_stored(file) == content
    path = Path(settings.FILE_STORAGE_DIR) / file.storage_key
    path.write_bytes(content + b"%")
    with pytest.raises(StorageIntegrityError):
        open_stored(file)
    path.unlink()
    with pytest.raises(StorageIntegrityError):
        open_stored(file)


def test_a_storage_key_cannot_leave_the_storage_folder(people: People) -> None:
    from motcua.documents.services import open_stored

    file = store_upload(pdf_bytes(), name="a.pdf", owner=people.an)
    file.storage_key = "../../../etc/passwd"
    with pytest.raises(StorageIntegrityError):
        open_stored(file)
