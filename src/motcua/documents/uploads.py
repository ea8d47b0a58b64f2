"""What an uploaded file really is: decided from its bytes, never from its name or the client's type.

Only PDF, JPEG and PNG are accepted. The magic bytes choose the candidate type; a real parse confirms it
(Pillow for images, pyHanko's PDF reader for PDFs). Every refusal is a ``DomainError`` on field "file"
with a message a citizen can act on.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from PIL import Image, ImageFile
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.core.errors import DomainError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

EXTENSIONS: dict[str, tuple[str, ...]] = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",)}
_LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}

# An image is decoded to check it; cap its pixels so a small file cannot claim gigapixels
# (a 600 dpi A3 scan is about 70 million pixels).
MAX_IMAGE_PIXELS = 80_000_000
NAME_MAX_LENGTH = 200
_FALLBACK_NAME = "tep-tin"
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")
_EXTENSION = re.compile(r"\.[a-z0-9]{1,5}")


@dataclass(frozen=True)
class Detected:
    content_type: str

    @property
    def label(self) -> str:
        return _LABELS[self.content_type]


def limit_text(limit_bytes: int) -> tuple[str, str]:
    """The upload limit in megabytes, Vietnamese (decimal comma) and English."""
    mb = limit_bytes / (1024 * 1024)
    text = f"{mb:.1f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} MB", f"{text} MB"


def check_size(size: int) -> None:
    """Refuse an empty file or one above ``UPLOAD_MAX_BYTES``."""
    if size <= 0:
        raise DomainError(
            "upload_empty",
            "Tệp bạn chọn không có nội dung (0 byte). Vui lòng chọn lại đúng tệp cần nộp.",
            "The file you chose is empty (0 bytes). Please choose the right file again.",
            field="file",
        )
    limit = int(settings.UPLOAD_MAX_BYTES)
    if size > limit:
        vi, en = limit_text(limit)
        raise DomainError(
            "upload_too_large",
            f"Tệp quá lớn. Mỗi tệp được nộp tối đa {vi}; vui lòng giảm độ phân giải khi quét "
            "hoặc tách tệp thành nhiều phần.",
            f"The file is too large. Each file may be at most {en}; please scan at a lower resolution "
            "or split it into several files.",
            field="file",
        )


def _damaged(label: str) -> DomainError:
    return DomainError(
        "upload_damaged",
        f"Tệp {label} bị hỏng hoặc không đọc được. Vui lòng quét hoặc xuất lại tệp rồi nộp lại.",
        f"The {label} file is damaged or cannot be read. Please scan or export it again and resubmit.",
        field="file",
    )


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _image_too_large() -> DomainError:
    return DomainError(
        "upload_image_too_large",
        "Ảnh có quá nhiều điểm ảnh để xử lý. Vui lòng chụp hoặc quét lại với độ phân giải thấp hơn "
        "(khoảng 300 dpi là đủ).",
        "The image has too many pixels to process. Please take or scan it again at a lower resolution "
        "(about 300 dpi is enough).",
        field="file",
    )


_DECODING_LOCK = threading.Lock()


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Make Pillow fail on truncated images while we check one.

    WeasyPrint sets ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the whole process when imported,
    which would let half a JPEG through. The flag is a module global read at decode time, so it is
    switched off only around our own decoding (serialised by a lock) and restored afterwards.
    """
    with _DECODING_LOCK:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _check_image(data: bytes, content_type: str) -> None:
    expected_format = "JPEG" if content_type == JPEG else "PNG"
    label = _LABELS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != expected_format:
                    raise _damaged(label)
                width, height = probe.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _image_too_large()
                probe.verify()  # structure and checksums (PNG CRCs)
            with Image.open(io.BytesIO(data)) as image, _strict_decoding():
                image.load()  # decodes every pixel: a truncated JPEG fails here
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _image_too_large() from exc
    except Exception as exc:  # Pillow raises many types for bad input: all mean "not a readable image"
        raise _damaged(label) from exc


def _check_pdf(data: bytes) -> None:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        encrypted = reader.encrypt_dict is not None
    except Exception as exc:  # the reader raises many types for bad input: all mean "not a readable PDF"
        raise _damaged("PDF") from exc
    if encrypted:
        raise DomainError(
            "upload_encrypted",
            "Tệp PDF đang được đặt mật khẩu hoặc mã hoá nên cơ quan không mở và xử lý được. "
            "Vui lòng gỡ mật khẩu (hoặc in ra PDF mới) rồi nộp lại.",
            "The PDF is password-protected or encrypted, so the agency cannot open and process it. "
            "Please remove the password (or print it to a new PDF) and submit it again.",
            field="file",
        )
    try:
        pages = reader.root["/Pages"]
        count = int(pages["/Count"])
        if count < 1:
            raise ValueError("no pages")
        first = reader.find_page_for_modification(0)[0].get_object()
        if not isinstance(first, generic.DictionaryObject):
            raise ValueError("first page is not a dictionary")
    except Exception as exc:
        raise _damaged("PDF") from exc


def detect(data: bytes) -> Detected:
    """The type of ``data`` (PDF, JPEG or PNG) after a real parse, or a ``DomainError`` saying what is wrong."""
    check_size(len(data))
    content_type = _sniff(data)
    if content_type is None:
        raise DomainError(
            "upload_type_not_allowed",
            "Chỉ nhận tệp PDF hoặc ảnh JPEG, PNG. Nội dung tệp bạn chọn không thuộc các loại này "
            "(đổi đuôi tên tệp không làm thay đổi loại tệp).",
            "Only PDF files and JPEG or PNG images are accepted. The content of the file you chose is none "
            "of these (renaming the file does not change its type).",
            field="file",
        )
    if content_type == PDF:
        _check_pdf(data)
    else:
        _check_image(data, content_type)
    return Detected(content_type)


def sanitize_name(name: str, content_type: str) -> str:
    """A display name that is safe in headers and on disk-less downloads, ending in the detected type.

    Keeps Vietnamese letters (NFC); drops folders, control and reserved characters, leading dots;
    replaces an extension that does not match the detected type; at most 200 characters.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").split("/")[-1]
    text = _UNSAFE_NAME_CHARS.sub("_", text)
    text = _SPACES.sub(" ", text).strip().lstrip(".").strip()
    path = PurePosixPath(text or _FALLBACK_NAME)
    stem, suffix = path.stem, path.suffix.lower()
    allowed = EXTENSIONS[content_type]
    if suffix not in allowed:
        # "scan.docx" → "scan.pdf"; "v1.2 bản sao" keeps its words → "v1.2 bản sao.pdf"
        stem = path.stem if _EXTENSION.fullmatch(suffix) else path.name
        suffix = allowed[0]
    stem = stem.strip() or _FALLBACK_NAME
    return stem[: NAME_MAX_LENGTH - len(suffix)].rstrip() + suffix
