"""Administrative units (đơn vị hành chính) and agencies (cơ quan) with their tree.

Since 1 July 2025 local government has two levels: 34 provinces (tỉnh, thành phố trực thuộc trung ương)
and 3,321 communes (xã, phường, đặc khu); the district level is gone (Resolution 202/2025/QH15,
Law 72/2025/QH15). Units carry validity dates and successor links so that pre-2025 data can be rolled
up "as was" or "as is".

An agency is an organisation that receives or resolves dossiers: a ministry, a provincial People's
Committee, a provincial department (sở), a commune People's Committee, a public administration
service centre (Trung tâm Phục vụ hành chính công). Agencies form a tree; ``path`` is a materialised
path, so "this agency and everything under it" is one indexed prefix query.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q, QuerySet


class UnitLevel(models.TextChoices):
    PROVINCE = "province", "Tỉnh / Province"
    COMMUNE = "commune", "Xã / Commune"


class AdministrativeUnit(models.Model):
    """A province or commune as listed by the General Statistics Office (mã đơn vị hành chính).

    Codes are reused across eras (the 2025 commune ``00004`` is not the old ``00004``), so a unit is
    identified by ``(level, code, valid_from)``.
    """

    level = models.CharField(max_length=16, choices=UnitLevel.choices)
    code = models.CharField(max_length=8)
    name = models.CharField(max_length=200)
    unit_type = models.CharField(
        max_length=64, help_text="Tỉnh, Thành phố trực thuộc trung ương, Xã, Phường…"
    )
    province = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="communes"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True, help_text="Empty while the unit exists.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "code", "valid_from"], name="unique_unit_per_era"),
        ]
        indexes = [models.Index(fields=["level", "code"], name="unit_level_code_idx")]
        ordering = ["level", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class UnitSuccession(models.Model):
    """An old unit merged (wholly or partly) into a new one on the 2025 reorganisation."""

    class Kind(models.TextChoices):
        FULL = "full", "Toàn bộ / whole"
        PARTIAL = "partial", "Một phần / part"

    predecessor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="predecessions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    effective_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_succession"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.kind})"


class AgencyKind(models.TextChoices):
    NATION = "nation", "Quốc gia / Nation"
    MINISTRY = "ministry", "Bộ, ngành / Ministry"
    PROVINCE = "province", "UBND tỉnh / Provincial People's Committee"
    DEPARTMENT = "department", "Sở, ban, ngành / Provincial department"
    DISTRICT = "district", "UBND huyện (đến 30/6/2025) / District People's Committee (until 30 June 2025)"
    COMMUNE = "commune", "UBND xã / Commune People's Committee"
    SERVICE_CENTRE = (
        "service_centre",
        "Trung tâm Phục vụ hành chính công / Public administration service centre",
    )
    OTHER = "other", "Khác / Other"


class AgencyQuerySet(models.QuerySet["Agency"]):
    def subtree_of(self, agency: Agency) -> AgencyQuerySet:
        """The agency and every agency below it (one indexed prefix query)."""
        return self.filter(path__startswith=agency.path)

    def current(self) -> AgencyQuerySet:
        return self.filter(valid_to__isnull=True)


class Agency(models.Model):
    """An agency that receives or resolves dossiers.

    ``code`` is the electronic identifier code (mã định danh điện tử, Decision 20/2020/QĐ-TTg as amended
    by Decision 09/2025/QĐ-TTg). Its segment structure is UNVERIFIED, so the code is treated as an
    opaque string and the hierarchy is never derived from it.
    """

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=255)
    short_name = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    admin_unit = models.ForeignKey(
        AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="agencies"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="agency_code_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_within(self, ancestor: Agency) -> bool:
        """True when this agency is ``ancestor`` or below it."""
        return bool(ancestor.path) and self.path.startswith(ancestor.path)

    def ancestors(self) -> QuerySet[Agency]:
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return Agency.objects.filter(id__in=ids).order_by("depth")
