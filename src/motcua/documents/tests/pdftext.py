"""Text of a PDF page for tests, read with pyHanko's parser (``pdftotext`` is not installed here).

Enough for WeasyPrint output: Type0 fonts with a ``/ToUnicode`` CMap (bfchar/bfrange), text shown
with ``Tj``/``TJ``; each text positioning operator starts a new line. Not a general extractor.
"""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

_TOKENS = re.compile(
    rb"(?P<font>/[^\s/\[\]<>()]+)\s+[-\d.]+\s+Tf"
    rb"|(?P<array>\[(?:<[0-9a-fA-F\s]*>|[^\]])*\])\s*TJ"
    rb"|(?P<hex><[0-9a-fA-F\s]*>)\s*Tj"
    rb"|(?P<newline>\b(?:Tm|Td|TD|T\*|ET)\b)"
)
_HEX = re.compile(rb"<([0-9a-fA-F\s]*)>")
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be")


def _cmap(font: Any) -> dict[int, str]:
    mapping: dict[int, str] = {}
    if "/ToUnicode" not in font:
        return mapping
    data = font["/ToUnicode"].data
    for block in _BFCHAR.findall(data):
        pairs = _HEX.findall(block)
        for source, target in zip(pairs[::2], pairs[1::2], strict=True):
            mapping[int(source, 16)] = _utf16(target)
    for block in _BFRANGE.findall(data):
        for line in block.strip().splitlines():
            values = _HEX.findall(line)
            if len(values) == 3:
                low, high, start = int(values[0], 16), int(values[1], 16), values[2]
                first = _utf16(start)
                for offset, code in enumerate(range(low, high + 1)):
                    mapping[code] = first[:-1] + chr(ord(first[-1]) + offset)
    return mapping


def _decode(hex_text: bytes, cmap: dict[int, str]) -> str:
    raw = bytes.fromhex(re.sub(rb"\s", b"", hex_text).decode())
    codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
    return "".join(cmap.get(code, "\ufffd") for code in codes)


def _contents(page: generic.DictionaryObject) -> bytes:
    contents = page["/Contents"]
    if isinstance(contents, generic.ArrayObject):
        return b"\n".join(item.get_object().data for item in contents)
    return bytes(contents.data)


def _pages(pdf: bytes) -> list[generic.DictionaryObject]:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    pages: list[generic.DictionaryObject] = []

    def walk(node: generic.DictionaryObject) -> None:
        if node.get("/Type") == "/Pages":
            for kid in node["/Kids"]:
                walk(kid.get_object())
        else:
            pages.append(node)

    walk(reader.root["/Pages"])
    return pages


def page_texts(pdf: bytes) -> list[str]:
    """One string per page, lines separated by newlines, NFC."""
    texts = []
    for page in _pages(pdf):
        resources = page["/Resources"]
        fonts = resources["/Font"] if "/Font" in resources else generic.DictionaryObject()
        cmaps = {str(name): _cmap(fonts[name]) for name in fonts}
        current: dict[int, str] = {}
        lines: list[str] = []
        line = ""
        for match in _TOKENS.finditer(_contents(page)):
            if match["font"]:
                current = cmaps.get(match["font"].decode(), {})
            elif match["array"]:
                line += "".join(_decode(h, current) for h in _HEX.findall(match["array"]))
            elif match["hex"]:
                line += _decode(_HEX.match(match["hex"])[1], current)  # type: ignore[index]
            elif line:
                lines.append(line)
                line = ""
        if line:
            lines.append(line)
        texts.append(unicodedata.normalize("NFC", "\n".join(lines)))
    return texts


def text(pdf: bytes) -> str:
    """All pages' text."""
    return "\n".join(page_texts(pdf))


def page_count(pdf: bytes) -> int:
    return len(_pages(pdf))


def media_box(pdf: bytes, index: int = 0) -> tuple[float, float]:
    """Width and height of page ``index`` in points."""
    page = _pages(pdf)[index]
    box = [float(v) for v in page["/MediaBox"]]
    return box[2] - box[0], box[3] - box[1]
