"""Issued papers as PDF: Django templates rendered by WeasyPrint, with a verification QR code (segno).

Templates live in ``templates/documents/pdf/`` and extend ``base.html`` (A4, the national motto header,
the QR code of the verification URL at the top left with the URL printed in clear under it). The QR
code carries only that URL: no personal data.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import segno
import weasyprint  # type: ignore[import-untyped]
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

# WeasyPrint reports each layout step at INFO; one line per step per document drowns the logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

TEMPLATE_DIR = "documents/pdf/"
# Document PDFs are archived: PDF/A-2b (ISO 19005-2) embeds fonts and the colour profile.
PDF_VARIANT = "pdf/a-2b"


def verification_url(code: str) -> str:
    """Where anyone can check a document we issued: ``PUBLIC_BASE_URL/xac-thuc/<code>/``."""
    base = str(settings.PUBLIC_BASE_URL).rstrip("/")
    return f"{base}/xac-thuc/{quote(code, safe='')}/"


def qr_svg(text: str) -> str:
    """An inline SVG QR code (ISO/IEC 18004, error correction M) of ``text``; no XML declaration."""
    qr = segno.make(text, error="m", micro=False, boost_error=False)
    return str(qr.svg_inline(scale=4, border=2, dark="#000", light="#fff", title="QR"))


def _no_network_fetcher() -> weasyprint.URLFetcher:
    # Everything a document needs is in the template (fonts come from the system through fontconfig,
    # the QR code is inline). Refusing other URLs keeps rendering offline and deterministic.
    return weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def render_html(template_name: str, context: dict[str, Any]) -> str:
    """The HTML of ``documents/pdf/<template_name>`` rendered in Vietnamese."""
    name = template_name if template_name.startswith(TEMPLATE_DIR) else TEMPLATE_DIR + template_name
    with translation.override("vi"):
        return render_to_string(name, context)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``documents/pdf/<template_name>`` with ``context`` to an A4 PDF (fonts embedded)."""
    html = render_html(template_name, context)
    document = weasyprint.HTML(string=html, url_fetcher=_no_network_fetcher())
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    assert isinstance(pdf, bytes)
    return pdf
