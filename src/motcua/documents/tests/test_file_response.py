"""Handing a stored file out: detected type, safe Content-Disposition (RFC 6266/5987), nosniff."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest

from motcua.documents.services import content_disposition, file_response, store_upload
from motcua.documents.tests.conftest import People
from motcua.documents.tests.samples import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def filename_star(header: str) -> str:
    """The RFC 5987 ``filename*`` value of ``header``, decoded."""
    match = re.search(r"filename\*=UTF-8''([^;\s]+)", header)
    assert match, header
    return unquote(match[1], encoding="utf-8")


def test_a_vietnamese_name_is_sent_as_rfc5987_with_an_ascii_fallback(people: People) -> None:
    content = pdf_bytes()
    file = store_upload(content, name="Giấy khai sinh của Đặng Thị Ưng.pdf", owner=people.an)

    response = file_response(file)

    header = response["Content-Disposition"]
    assert header.startswith("attachment;")
    assert filename_star(header) == "Giấy khai sinh của Đặng Thị Ưng.pdf"
    assert header.isascii()
    # a client that ignores filename* still gets a readable plain name
    fallback = re.search(r'filename="([^"]*)"', header)
    assert fallback
    assert fallback[1] == "Giay khai sinh cua Dang Thi Ung.pdf"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(content))
    assert "no-store" in response["Cache-Control"]
    assert body_of(response) == content


def test_the_detected_type_is_sent_whatever_the_name_said(people: People) -> None:
    content = image_bytes("JPEG")
    file = store_upload(content, name="anh.png", owner=people.an)
    response = file_response(file, inline=True)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="anh.jpg"'
    assert body_of(response) == content


@pytest.mark.parametrize(
    "name",
    ['a"; filename="evil.html', "tệp\r\nSet-Cookie: x=1.pdf", "Đơn;xin.pdf", "100% hợp lệ.pdf"],
)
def test_the_header_cannot_be_broken_by_the_name(name: str) -> None:
    header = content_disposition(name)
    assert "\r" not in header
    assert "\n" not in header
    assert header.isascii()
    assert header.count('"') == 2  # only the fallback's own quotes
    if "filename*=" in header:
        assert filename_star(header) == name
