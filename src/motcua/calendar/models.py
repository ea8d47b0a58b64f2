"""The official working calendar as data: yearly announcements and ad-hoc closures, editable in the admin.

The Labour Code 2019 (Art. 111–112) fixes the holidays; the Prime Minister decides each year the Tết
break, day swaps and make-up Saturdays for civil servants. Those decisions change every year, so they
are rows here, not code. ``motcua.calendar.workingdays`` turns them into a calculator.
"""

from __future__ import annotations

from django.db import models


class DayKind(models.TextChoices):
    """What an official calendar day is."""

    HOLIDAY = "holiday", "Ngày nghỉ lễ, Tết / public holiday"
    COMPENSATORY_DAY_OFF = "compensatory_day_off", "Nghỉ bù / compensatory day off"
    SWAPPED_DAY_OFF = "swapped_day_off", "Nghỉ hoán đổi / swapped day off"
    MAKE_UP_WORKING_DAY = "make_up_working_day", "Làm bù / make-up working day"
    WEEKEND_IN_BREAK = "weekend_in_break", "Cuối tuần trong kỳ nghỉ / weekend inside a break"
    CLOSURE = "closure", "Tạm ngừng làm việc / ad-hoc closure"


class DayStatus(models.TextChoices):
    """How firm the row is. Only ``proposed`` rows are ignored by the calculator."""

    OFFICIAL = "official", "Chính thức / officially announced"
    DERIVED_FROM_LAW = "derived_from_law", "Tính theo luật / derived from the Labour Code"
    PROPOSED = "proposed", "Đề xuất / proposed, not in force"


# Kinds that make a weekday a day off, and the kind that makes a weekend day a working day.
# ``weekend_in_break`` is informational: the day is a weekly rest day anyway.
NON_WORKING_KINDS = frozenset(
    {DayKind.HOLIDAY, DayKind.COMPENSATORY_DAY_OFF, DayKind.SWAPPED_DAY_OFF, DayKind.CLOSURE}
)
WORKING_KINDS = frozenset({DayKind.MAKE_UP_WORKING_DAY})


class CalendarYear(models.Model):
    """A year whose official calendar (lịch nghỉ lễ, Tết chính thức) is fully entered in the database.

    When ``authoritative`` is set the calculator uses only weekends and the year's ``CalendarDay`` rows;
    otherwise it falls back to the ``holidays`` library's statutory holidays plus those rows.
    """

    year = models.PositiveSmallIntegerField(unique=True)
    authoritative = models.BooleanField(
        default=False,
        help_text="The database holds the complete official calendar of this year; do not fall back.",
    )
    legal_basis = models.TextField(blank=True, help_text="Căn cứ pháp lý / legal basis of the year's data.")
    source = models.TextField(blank=True, help_text="Where the data came from (file, notice, URL).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}{' (authoritative)' if self.authoritative else ''}"


class CalendarDay(models.Model):
    """One official calendar day: a holiday (ngày nghỉ lễ, Tết), a compensatory day off (nghỉ bù), a
    swapped day off (nghỉ hoán đổi), a make-up working day (làm bù), a weekend inside a break, or an
    ad-hoc closure (tạm ngừng làm việc: storm, epidemic).

    Unique on (date, kind), so a closure can be recorded on a day that is also a holiday and re-importing
    the official file updates rows instead of duplicating them.
    """

    date = models.DateField()
    kind = models.CharField(max_length=32, choices=DayKind.choices)
    name = models.CharField(max_length=255)
    legal_basis = models.TextField(blank=True, help_text="Căn cứ pháp lý / legal basis as quoted.")
    source_url = models.TextField(
        blank=True, help_text="URL(s) of the source, separated by ' ; ', or a citation when there is no URL."
    )
    status = models.CharField(max_length=20, choices=DayStatus.choices, default=DayStatus.OFFICIAL)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "kind"]
        constraints = [models.UniqueConstraint(fields=["date", "kind"], name="calendar_day_date_kind_uniq")]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()}: {self.name}"
