"""Monitoring reference data in the admin: index versions and criteria, targets, published scores and figures,
historical imports (read only). The aggregates are not editable: they are rebuilt, never hand-corrected."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.monitoring.models import (
    HistoricalImport,
    IndexCriterion,
    IndexVersion,
    PublishedFigure,
    PublishedIndexScore,
    Target,
)


class CriterionInline(admin.TabularInline):
    model = IndexCriterion
    extra = 0
    fields = (
        "position",
        "code",
        "group",
        "name_vi",
        "indicator",
        "max_points",
        "threshold_pct",
        "applies_to_levels",
        "not_applicable",
        "verified",
        "legal_basis",
    )


@admin.register(IndexVersion)
class IndexVersionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "valid_from", "valid_to")
    inlines = [CriterionInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = (
        "framework",
        "indicator",
        "agency",
        "agency_kind",
        "within",
        "period_start",
        "period_end",
        "comparison",
        "threshold",
    )
    list_filter = ("framework", "agency_kind")
    search_fields = ("framework", "indicator", "legal_basis")
    raw_id_fields = ("agency", "within")


@admin.register(PublishedIndexScore)
class PublishedIndexScoreAdmin(admin.ModelAdmin):
    list_display = ("agency", "version", "period_start", "period_end", "criterion_code", "score", "source")
    list_filter = ("version",)
    raw_id_fields = ("agency",)


@admin.register(PublishedFigure)
class PublishedFigureAdmin(admin.ModelAdmin):
    list_display = (
        "source",
        "agency_label",
        "indicator",
        "published_value",
        "numerator",
        "denominator",
        "reproducible",
    )
    list_filter = ("reproducible",)
    raw_id_fields = ("agency",)


@admin.register(HistoricalImport)
class HistoricalImportAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "kind",
        "file_name",
        "dry_run",
        "status",
        "rows_total",
        "rows_imported",
        "rows_rejected",
    )
    list_filter = ("kind", "status", "dry_run")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
