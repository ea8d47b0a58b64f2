"""Template filters for issued papers: dates written the way Vietnamese state documents write them."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from motcua.core.clock import VN_TZ

register = template.Library()


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return value.astimezone(VN_TZ)
    return value


@register.filter
def vn_date(value: date | datetime | None) -> str:
    """``ngày 05 tháng 02 năm 2026``, ``ngày 15 tháng 11 năm 2026`` (Decree 30/2020 Annex I: days
    below 10 and months 1 and 2 take a leading zero)."""
    if value is None or value == "":
        return ""
    moment = _local(value)
    month = f"{moment.month:02d}" if moment.month < 3 else str(moment.month)
    return f"ngày {moment.day:02d} tháng {month} năm {moment.year}"


@register.filter
def vn_time(value: date | datetime | None) -> str:
    """``14 giờ 05 phút`` in Asia/Ho_Chi_Minh; empty for a bare date."""
    if not isinstance(value, datetime):
        return ""
    moment = value.astimezone(VN_TZ) if timezone.is_aware(value) else value
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút"
