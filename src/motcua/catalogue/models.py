"""The procedure catalogue (danh mục thủ tục hành chính) and who offers each procedure online.

A procedure is published nationally (national code such as ``1.001193``) with its channels, time
limits, fees, required documents, legal basis and results. An agency *offers* a procedure with its
own local code and an online mode (full or partial online, Decree 224/2026 Art 14; the historical
level 1–4 of Decree 43/2011 is kept for old data) and a boundary-free reception scope (Decree
118/2025 as amended by Decree 309/2026, Art 14(4)).
"""

from __future__ import annotations

from django.db import models

from motcua.accounts.models import Role
from motcua.agencies.models import Agency
from motcua.calendar.constants import TimeUnit


class Field(models.Model):
    """Field of administration (lĩnh vực), e.g. "Hộ tịch"."""

    name = models.CharField(max_length=255, unique=True)

    def __str__(self) -> str:
        return self.name


class ImplementingLevel(models.TextChoices):
    MINISTRY = "ministry", "Cấp bộ"
    PROVINCE = "province", "Cấp tỉnh"
    COMMUNE = "commune", "Cấp xã"
    OTHER = "other", "Cơ quan khác"


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính, TTHC) as published on the national portal."""

    national_code = models.CharField(max_length=40, unique=True)
    name = models.TextField()
    search_text = models.TextField(
        default="",
        help_text="Folded name (no case, no diacritics, đ→d) used by search; written by the loader.",
    )
    issuing_body = models.CharField(max_length=255, blank=True, help_text="Bộ, ngành công bố")
    field = models.ForeignKey(
        Field, null=True, blank=True, on_delete=models.PROTECT, related_name="procedures"
    )
    decision_number = models.CharField(max_length=100, blank=True, help_text="Quyết định công bố")
    implementing_levels = models.JSONField(default=list, help_text="ImplementingLevel values")
    procedure_type = models.CharField(max_length=255, blank=True)
    applicant_types = models.TextField(blank=True, help_text="Đối tượng thực hiện")
    competent_agency_text = models.TextField(blank=True, help_text="Cơ quan có thẩm quyền")
    implementing_agency_text = models.TextField(blank=True, help_text="Cơ quan thực hiện")
    reception_address = models.TextField(blank=True)
    authorised_agency_text = models.TextField(blank=True)
    coordinating_agency_text = models.TextField(blank=True)
    related_procedures = models.TextField(blank=True)
    steps = models.TextField(blank=True, help_text="Trình tự thực hiện")
    conditions = models.TextField(blank=True, help_text="Yêu cầu, điều kiện")
    legal_basis_numbers = models.JSONField(default=list, help_text="Số hiệu văn bản (căn cứ pháp lý)")
    legal_basis_text = models.TextField(blank=True, help_text="Căn cứ pháp lý as published (raw)")
    channels_text = models.TextField(blank=True, help_text="Cách thức thực hiện as published (raw)")
    documents_text = models.TextField(blank=True, help_text="Thành phần hồ sơ as published (raw)")
    results_text = models.TextField(blank=True)
    online_submission_published = models.BooleanField(
        default=False, help_text="The national record lists an online channel (Trực tuyến)."
    )
    eligible_full_online = models.BooleanField(
        null=True,
        blank=True,
        help_text="Đủ điều kiện DVCTT toàn trình (national TTHC DB flag; unknown if empty).",
    )
    source_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["national_code"]

    def __str__(self) -> str:
        return f"{self.national_code} {self.name}"


class Channel(models.TextChoices):
    """Submission channel (Decree 61/2018 Art 16 → Decree 118/2025; kiosk: Decree 309/2026 Art 17(2a))."""

    IN_PERSON = "in_person", "Trực tiếp / in person"
    ONLINE = "online", "Trực tuyến / online"
    POSTAL = "postal", "Dịch vụ bưu chính công ích / postal"
    KIOSK = "kiosk", "Ki-ốt thông minh / kiosk"


class ProcedureChannel(models.Model):
    """How a procedure can be filed through one channel: time limit with its unit, fee."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    time_limit = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    time_unit = models.CharField(
        max_length=16,
        choices=TimeUnit.choices,
        blank=True,
        help_text="Empty when the portal publishes a bare number (see the unspecified-unit policy).",
    )
    fee_text = models.CharField(max_length=500, blank=True)
    fee_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=8, blank=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["procedure", "position"]

    def __str__(self) -> str:
        return f"{self.procedure.national_code} {self.channel} {self.time_limit} {self.time_unit}"


class RequiredDocument(models.Model):
    """A component of the dossier (thành phần hồ sơ) with how many originals and copies."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    group = models.CharField(max_length=500, blank=True)
    name = models.TextField()
    form_name = models.CharField(max_length=500, blank=True, help_text="Mẫu đơn, tờ khai (file name)")
    originals = models.PositiveIntegerField(default=0)
    copies = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["procedure", "position"]

    def __str__(self) -> str:
        return self.name[:80]


class ProcedureResult(models.Model):
    """A result document of the procedure with its national result code (e.g. ``KQ.G15.000031``)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="results")
    name = models.TextField()
    code = models.CharField(max_length=64, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["procedure", "position"]

    def __str__(self) -> str:
        return f"{self.code} {self.name[:60]}"


class OnlineMode(models.TextChoices):
    """Online service mode (Law 148/2025, Decree 224/2026 Art 14; previously Decree 42/2022 Art 11)."""

    FULL = "full", "Toàn trình / full online"
    PARTIAL = "partial", "Một phần / partial online"
    NONE = "none", "Không trực tuyến / not online"


class LevelScheme(models.TextChoices):
    ND43_2011 = "nd43_2011", "Decree 43/2011 (levels 1–4)"
    ND42_2022 = "nd42_2022", "Decree 42/2022 (full / partial)"
    LCDS_2025 = "lcds_2025", "Law 148/2025 + Decree 224/2026 (full / partial, proactive)"


class BoundaryFreeScope(models.TextChoices):
    """Reception regardless of administrative boundary (tiếp nhận phi địa giới hành chính)."""

    NONE = "none", "Không / none"
    PROVINCE = "province", "Trong tỉnh / within the province"
    NATION = "nation", "Toàn quốc / nationwide"


class ProcedureOffering(models.Model):
    """An agency offers a procedure: its local code, online mode and boundary-free reception scope."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="offerings")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="offerings")
    local_code = models.CharField(max_length=64, blank=True, help_text="e.g. 1.000948.H38")
    online_mode = models.CharField(max_length=8, choices=OnlineMode.choices, default=OnlineMode.NONE)
    level_scheme = models.CharField(max_length=12, choices=LevelScheme.choices, default=LevelScheme.LCDS_2025)
    historical_level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Mức độ 1–4 (Decree 43/2011), kept on old data only."
    )
    partial_reason = models.TextField(
        blank=True, help_text="Published reason when partial (Decree 224/2026 Art 14)"
    )
    partial_legal_basis = models.CharField(max_length=500, blank=True)
    boundary_free = models.CharField(
        max_length=10, choices=BoundaryFreeScope.choices, default=BoundaryFreeScope.NONE
    )
    boundary_free_decision = models.CharField(max_length=255, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "procedure"], name="unique_offering_per_agency"),
            models.CheckConstraint(
                condition=~models.Q(online_mode="partial") | ~models.Q(partial_reason=""),
                name="partial_online_needs_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(historical_level__isnull=True) | models.Q(historical_level__range=(1, 4)),
                name="historical_level_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code} offers {self.procedure.national_code} ({self.online_mode})"

    @property
    def is_online(self) -> bool:
        return self.online_mode in (OnlineMode.FULL, OnlineMode.PARTIAL)


class FormSchemaRecord(models.Model):
    """The questions of a procedure's online declaration (see ``catalogue.forms``), one row per version.

    Loaded from ``catalogue/data/forms/<code>.json``; an administrator may add a newer version in the admin.
    The newest version is used for new drafts; a dossier keeps the version it was filed with.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="form_schemas")
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="unique_form_schema_version")
        ]
        ordering = ["procedure", "-version"]

    def __str__(self) -> str:
        return f"{self.procedure.national_code} v{self.version}"


class ProcessStep(models.Model):
    """One step of an agency's internal process for a procedure it offers (quy trình nội bộ): which role does
    it and what share of the procedure's time limit it may use, in percent. The shares of an offering sum to
    at most 100; that rule lives in ``catalogue.services.set_process_steps`` (and the admin uses it too).
    ``role`` is an ``accounts.Role`` value.
    """

    offering = models.ForeignKey(ProcedureOffering, on_delete=models.CASCADE, related_name="process_steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255, help_text="Tên bước (tiếng Việt), e.g. Thẩm định hồ sơ")
    role = models.CharField(max_length=20, choices=Role.choices)
    share_percent = models.DecimalField(
        max_digits=5, decimal_places=2, help_text="Phần trăm thời hạn giải quyết dành cho bước này (0–100)."
    )

    class Meta:
        ordering = ["offering", "position"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "position"], name="unique_process_step_position"),
            models.CheckConstraint(
                condition=models.Q(share_percent__gte=0) & models.Q(share_percent__lte=100),
                name="process_step_share_0_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name} ({self.role}, {self.share_percent}%)"
