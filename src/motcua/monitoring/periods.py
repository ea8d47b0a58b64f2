"""Reporting periods: half-open intervals of local dates [start, end) (spec §5.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from motcua.core.errors import DomainError


@dataclass(frozen=True)
class Period:
    """Days ``start`` up to but not including ``end`` (Asia/Ho_Chi_Minh local dates)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise DomainError(
                "invalid_period",
                "Ngày kết thúc phải sau ngày bắt đầu.",
                "The end date must be after the start date.",
                field="to",
            )

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        """From ``first`` to ``last``, both included (how people write periods)."""
        return cls(first, last + timedelta(days=1))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = date(year, month, 1)
        end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return cls(start, end)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise ValueError("quarter must be 1..4")
        first = Period.month(year, 3 * quarter - 2)
        return cls(first.start, Period.month(year, 3 * quarter).end)

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        if half not in (1, 2):
            raise ValueError("half must be 1 or 2")
        return cls(
            date(year, 1, 1) if half == 1 else date(year, 7, 1),
            date(year, 7, 1) if half == 1 else date(year + 1, 1, 1),
        )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year + 1, 1, 1))

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def months(self) -> list[Period]:
        """The calendar months this period touches, clipped to it."""
        out: list[Period] = []
        cursor = self.start
        while cursor < self.end:
            month = Period.month(cursor.year, cursor.month)
            out.append(Period(cursor, min(month.end, self.end)))
            cursor = month.end
        return out

    @property
    def label_vi(self) -> str:
        if self == Period.year(self.start.year):
            return f"Năm {self.start.year}"
        if self == Period.month(self.start.year, self.start.month):
            return f"Tháng {self.start.month:02d}/{self.start.year}"
        for q in (1, 2, 3, 4):
            if self == Period.quarter(self.start.year, q):
                return f"Quý {q}/{self.start.year}"
        return f"Từ {self.start:%d/%m/%Y} đến {self.last:%d/%m/%Y}"

    @property
    def label_en(self) -> str:
        if self == Period.year(self.start.year):
            return f"Year {self.start.year}"
        if self == Period.month(self.start.year, self.start.month):
            return f"{self.start:%B %Y}"
        for q in (1, 2, 3, 4):
            if self == Period.quarter(self.start.year, q):
                return f"Q{q} {self.start.year}"
        return f"{self.start:%d/%m/%Y} to {self.last:%d/%m/%Y}"
