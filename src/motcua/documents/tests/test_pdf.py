"""Rendering papers: A4, the national motto, Vietnamese text that extracts as written, the QR code."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import segno

from motcua.documents.pdf import qr_svg, render_html, render_pdf, verification_url
from motcua.documents.templatetags.documents_pdf import vn_date, vn_time
from motcua.documents.tests import pdftext

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
A4_POINTS = (210 / 25.4 * 72, 297 / 25.4 * 72)
DOSSIER = "000.00.00.H12-261122-0007"


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces made single spaces (layout is not content)."""
    return re.sub(r"\s+", " ", text)


def receipt_context(**extra: Any) -> dict[str, Any]:
    code = f"{DOSSIER}-TN"
    url = verification_url(code)
    return {
        "agency_name": "Ủy ban nhân dân xã Ea Kao",
        "parent_agency_name": "Tỉnh Đắk Lắk",
        "place": "Ea Kao",
        "dossier_code": DOSSIER,
        "procedure_name": "Đăng ký khai sinh",
        "applicant_name": "Hoàng Thị Ngọc Ánh",
        "received_at": datetime(2026, 11, 22, 8, 5, tzinfo=HANOI),
        "appointment_at": datetime(2026, 11, 25, 16, 30, tzinfo=HANOI),
        "documents": ["Tờ khai đăng ký khai sinh", {"name": "Giấy chứng sinh", "form": "Bản chính"}],
        "delivery_method": "Trả kết quả qua dịch vụ bưu chính công ích",
        "code": code,
        "verify_url": url,
        "qr_svg": qr_svg(url),
        "issued_at": datetime(2026, 11, 22, 8, 6, tzinfo=HANOI),
        "issuer_name": "Ủy ban nhân dân xã Ea Kao",
        **extra,
    }


@pytest.fixture(scope="module")
def receipt_pdf() -> bytes:
    from django.test.utils import override_settings

    with override_settings(PUBLIC_BASE_URL="https://dichvucong.example.gov.vn/"):
        return render_pdf("receipt.html", receipt_context())


def test_the_receipt_is_one_a4_page(receipt_pdf: bytes) -> None:
    assert receipt_pdf.startswith(b"%PDF-")
    assert pdftext.page_count(receipt_pdf) == 1
    width, height = pdftext.media_box(receipt_pdf)
    assert width == pytest.approx(A4_POINTS[0], abs=0.5)
    assert height == pytest.approx(A4_POINTS[1], abs=0.5)


def test_the_receipt_text_extracts_in_vietnamese_with_code_and_verification_url(receipt_pdf: bytes) -> None:
    text = flat(pdftext.text(receipt_pdf))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert DOSSIER in text
    assert "Hoàng Thị Ngọc Ánh" in text
    assert "Đăng ký khai sinh" in text
    assert "Giấy chứng sinh" in text
    assert "ỦY BAN NHÂN DÂN XÃ EA KAO" in text
    assert "https://dichvucong.example.gov.vn/xac-thuc/000.00.00.H12-261122-0007-TN/" in text
    # received 08:05 on 22/11/2026, result due 16:30 on 25/11/2026 (Hanoi time)
    assert "08 giờ 05 phút, ngày 22 tháng 11 năm 2026" in text
    assert "16 giờ 30 phút, ngày 25 tháng 11 năm 2026" in text


def test_the_verification_url_is_built_from_public_base_url(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://dvc.daklak.gov.vn/"
    assert verification_url("H12-KQ1") == "https://dvc.daklak.gov.vn/xac-thuc/H12-KQ1/"
    assert verification_url("a/b c") == "https://dvc.daklak.gov.vn/xac-thuc/a%2Fb%20c/"


def test_the_qr_code_is_inline_svg_of_the_url_only() -> None:
    url = "https://dichvucong.example.gov.vn/xac-thuc/000.00.00.H12-261122-0007-KQ1/"
    svg = qr_svg(url)
    root = ET.fromstring(svg)  # noqa: S314 (our own generated SVG)
    assert root.tag.endswith("svg")
    assert not svg.startswith("<?xml")
    # The symbol is segno's encoding of exactly this URL at level M: no other data is in it.
    expected = segno.make(url, error="m", boost_error=False)
    size = (expected.symbol_size(scale=4, border=2))[0]
    assert root.get("width") == str(size)


def test_the_receipt_puts_the_qr_of_the_verification_url_in_the_page() -> None:
    context = receipt_context()
    html = render_html("receipt.html", context)
    assert qr_svg(context["verify_url"]) in html
    assert context["applicant_name"] not in context["verify_url"]


def test_the_result_lists_its_paragraphs_and_codes(settings: Any) -> None:
    code = f"{DOSSIER}-KQ1"
    url = verification_url(code)
    pdf = render_pdf(
        "result.html",
        {
            "agency_name": "Ủy ban nhân dân xã Ea Kao",
            "title": "Trích lục khai sinh",
            "result_code": code,
            "dossier_code": DOSSIER,
            "applicant": "Hoàng Thị Ngọc Ánh",
            "paragraphs": ["Họ, chữ đệm, tên: Hoàng Gia Bảo", "Ngày sinh: 01/11/2026; nơi sinh: Đắk Lắk"],
            "signer_title": "Chủ tịch",
            "signer_name": "Y Khu Niê",
            "code": code,
            "verify_url": url,
            "qr_svg": qr_svg(url),
            "issued_at": datetime(2026, 11, 24, 9, 0, tzinfo=HANOI),
            "issuer_name": "Ủy ban nhân dân xã Ea Kao",
        },
    )
    text = flat(pdftext.text(pdf))
    assert "TRÍCH LỤC KHAI SINH" in text
    assert "Họ, chữ đệm, tên: Hoàng Gia Bảo" in text
    assert "CHỦ TỊCH" in text
    assert code in text
    assert url in text
    assert "ngày 24 tháng 11 năm 2026" in text


def test_rendering_fetches_nothing_from_the_network(settings: Any, tmp_path: Any) -> None:
    import weasyprint

    from motcua.documents.pdf import _no_network_fetcher

    fetcher = _no_network_fetcher()
    for url in ("http://127.0.0.1:9/x.png", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    html = '<img src="http://127.0.0.1:9/tracker.png">'
    with pytest.raises(weasyprint.urls.FatalURLFetchingError):
        weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (date(2026, 1, 31), "ngày 31 tháng 01 năm 2026"),
        (date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
        (date(2026, 11, 22), "ngày 22 tháng 11 năm 2026"),
        # 20:30 UTC on 31 March is 03:30 on 1 April in Hanoi
        (datetime(2026, 3, 31, 20, 30, tzinfo=ZoneInfo("UTC")), "ngày 01 tháng 4 năm 2026"),
    ],
)
def test_dates_are_written_as_in_state_documents(value: date, expected: str) -> None:
    assert vn_date(value) == expected


def test_times_are_written_in_hanoi_time() -> None:
    assert vn_time(datetime(2026, 3, 31, 20, 30, tzinfo=ZoneInfo("UTC"))) == "03 giờ 30 phút"
    assert vn_time(datetime(2026, 3, 31, 20, 30, tzinfo=ZoneInfo("UTC")) + timedelta(minutes=5)) == (
        "03 giờ 35 phút"
    )
    assert vn_time(date(2026, 3, 31)) == ""
