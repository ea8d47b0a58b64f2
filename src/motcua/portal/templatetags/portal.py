"""Template helpers of the citizen portal: bilingual text, dates in Vietnamese style, money."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import translation

from motcua.core.clock import to_vn

register = template.Library()


def _en() -> bool:
    return (translation.get_language() or "vi").startswith("en")


@register.simple_tag
def t(vi: str, en: str) -> str:
    """``{% t "Tìm thủ tục" "Find a procedure" %}``: Vietnamese by default, English when chosen."""
    return en if _en() else vi


@register.filter
def vndate(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_vn(value).strftime("%d/%m/%Y")
    return value.strftime("%d/%m/%Y")


@register.filter
def vndatetime(value: datetime | None) -> str:
    return to_vn(value).strftime("%H:%M %d/%m/%Y") if value else ""


@register.filter
def money(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    amount = int(Decimal(value))
    return f"{amount:,}".replace(",", ".") + " đ"


@register.filter
def get(mapping: dict[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key, "")
