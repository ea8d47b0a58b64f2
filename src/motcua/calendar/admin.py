"""Admin screens for the yearly official calendar and ad-hoc closures."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.calendar.models import CalendarDay, CalendarYear


class YearFilter(admin.SimpleListFilter):
    """Filter calendar days by year."""

    title = "year"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> QuerySet[CalendarDay]:
        value = self.value()
        return queryset.filter(date__year=int(value)) if value and value.isdigit() else queryset


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "authoritative", "source", "updated_at"]
    list_filter = ["authoritative"]
    search_fields = ["year", "legal_basis", "source"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "status", "updated_at"]
    list_filter = ["kind", "status", YearFilter]
    search_fields = ["name", "legal_basis", "note"]
    date_hierarchy = "date"
    ordering = ["-date", "kind"]
