"""The single source of "now", so tests and imports can pin time without monkeypatching datetime."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """Aware UTC now."""
    return timezone.now()


def to_vn(moment: datetime) -> datetime:
    """The same instant in Asia/Ho_Chi_Minh."""
    if timezone.is_naive(moment):
        raise ValueError("naive datetime: attach a timezone first")
    return moment.astimezone(VN_TZ)
