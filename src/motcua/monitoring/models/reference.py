"""Data that give the indicators their meaning: index versions, targets, published figures, imports."""

from __future__ import annotations

from django.db import models

from motcua.agencies.models import Agency, AgencyKind


class IndexVersion(models.Model):
    """A version of a scored index such as Decision 766/QĐ-TTg (addendum §A4.3): ``766-2022`` as the decision
    reads, ``DVCQG-2026`` as the national portal scores it. A corrected appendix is a new version (data)."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=255)
    legal_basis = models.CharField(max_length=500)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    #: rating bands of the total, e.g. [{"min": 90, "label_vi": "Xuất sắc", "label_en": "Excellent"}, ...]
    bands = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class IndexCriterion(models.Model):
    """One scored criterion: which indicator it reads, its group, points and threshold, where it applies."""

    version = models.ForeignKey(IndexVersion, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=20, help_text="e.g. 2.1")
    group = models.CharField(max_length=40, help_text="e.g. progress")
    group_max_points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    name_vi = models.CharField(max_length=500)
    name_en = models.CharField(max_length=500)
    indicator = models.CharField(max_length=80, blank=True, help_text="monitoring.indicators code")
    max_points = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, help_text="empty = not verified / unscored"
    )
    threshold_pct = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    applies_to_levels = models.JSONField(default=list, help_text="AgencyKind values; empty = all")
    #: what a unit the criterion does not apply to gets: "full" points or "excluded"
    not_applicable = models.CharField(max_length=10, default="excluded")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    legal_basis = models.CharField(max_length=500, blank=True)
    verified = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_criterion_code")]

    def __str__(self) -> str:
        return f"{self.version.code} {self.code}"


class PublishedIndexScore(models.Model):
    """A score the national portal published for a unit, kept beside ours to show the difference."""

    version = models.ForeignKey(IndexVersion, on_delete=models.CASCADE, related_name="published_scores")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    criterion_code = models.CharField(max_length=20, blank=True, help_text="empty = the total")
    score = models.DecimalField(max_digits=7, decimal_places=2)
    source = models.CharField(max_length=500)
    retrieved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "agency", "period_start", "period_end", "criterion_code"],
                name="unique_published_score",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.version_id} {self.criterion_code or 'total'} = {self.score}"


class Comparison(models.TextChoices):
    AT_LEAST = "gte", "≥"
    MORE_THAN = "gt", ">"
    AT_MOST = "lte", "≤"
    LESS_THAN = "lt", "<"


class Target(models.Model):
    """A target assigned to a unit or to every unit of a level, for a period (spec §5.7 DESIGN).

    Several may apply at once (national, provincial, own). Either ``agency`` (that unit, optionally its
    whole subtree) or ``agency_kind`` (every unit of that kind, optionally only under ``within``).
    """

    framework = models.CharField(max_length=255, help_text="e.g. Quyết định 1189/QĐ-UBND tỉnh Bắc Kạn")
    indicator = models.CharField(max_length=80, help_text="monitoring.indicators code")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    agency_kind = models.CharField(max_length=20, choices=AgencyKind.choices, blank=True)
    within = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField(help_text="exclusive")
    comparison = models.CharField(max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST)
    threshold = models.DecimalField(max_digits=7, decimal_places=2)
    legal_basis = models.CharField(max_length=500)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["period_start", "framework", "indicator"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=False) | ~models.Q(agency_kind=""),
                name="target_has_agency_or_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework}: {self.indicator} {self.comparison} {self.threshold}"


class PublishedFigure(models.Model):
    """A figure an authority published, kept verbatim; ``reproducible`` says whether our data reproduce it."""

    source = models.CharField(max_length=255)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agency_label = models.CharField(max_length=255)
    indicator = models.CharField(max_length=80, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    published_value = models.CharField(max_length=40, help_text="as printed, e.g. 80.06 %")
    numerator = models.BigIntegerField(null=True, blank=True)
    denominator = models.BigIntegerField(null=True, blank=True)
    reproducible = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.source} {self.agency_label} {self.indicator} {self.published_value}"


class HistoricalImport(models.Model):
    """One run of the historical import: what file, what came in, what was refused and why."""

    kind = models.CharField(max_length=20, help_text="dossiers or offerings")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    dry_run = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    #: [{"row": 12, "column": "received_at", "message_vi": ..., "message_en": ...}, ...]
    rejected = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, default="running")
    imported_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} import {self.file_name} ({self.status})"
