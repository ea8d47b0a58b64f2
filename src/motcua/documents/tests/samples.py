"""Sample files built on the spot (no binary fixtures): pictures with Pillow, PDFs with WeasyPrint."""

from __future__ import annotations

import io

import weasyprint
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    """A small picture in ``fmt`` ("PNG", "JPEG", "GIF"…), drawn with Pillow."""
    image = Image.new(mode, size, color="white" if mode == "RGB" else 1)
    if mode == "RGB":
        for x in range(size[0]):
            image.putpixel((x, x * size[1] // size[0]), (200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def pdf_bytes(text: str = "Giấy khai sinh — bản sao") -> bytes:
    """A one-page PDF made by WeasyPrint."""
    html = f'<html lang="vi"><body style="font-family: DejaVu Sans"><p>{text}</p></body></html>'
    return bytes(weasyprint.HTML(string=html).write_pdf())


def encrypted_pdf_bytes(user_password: bytes = b"") -> bytes:
    """``pdf_bytes()`` encrypted with AES-256 (an owner password; ``user_password`` to open it)."""
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(b"owner-secret", user_password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
