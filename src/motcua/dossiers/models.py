"""Dossiers (hồ sơ), their append-only events, inter-agency legs and the daily code sequence."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from motcua.agencies.models import Agency
from motcua.catalogue.models import Channel, Procedure
from motcua.dossiers.constants import NATIONAL_CODE, DeliveryMethod, LegMode, Status, StopRequester


class Dossier(models.Model):
    """One application for one procedure. Its ``status`` is written only by ``workflow.transition``.

    Timestamps kept for the legal and the Decision 766 on-time views (spec §2.9, addendum §A2.2):
    submitted (legal filing time; for postal dossiers the signing of the handover record), received by
    the system, accepted complete and valid, received by the competent agency (boundary-free
    reception), the clock start, each supplement and pause (as events), the original, current and
    extended due dates, resolved and returned.
    """

    code = models.CharField(max_length=64, unique=True, null=True, blank=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    receiving_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="received_dossiers")
    competent_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="competent_dossiers")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.DRAFT, db_index=True)
    version = models.PositiveIntegerField(default=0)
    boundary_free = models.BooleanField(default=False)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="dossiers"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    applicant_name = models.CharField(max_length=200)
    applicant_id_number = models.CharField(max_length=12, blank=True)
    applicant_phone = models.CharField(max_length=20, blank=True)
    applicant_email = models.EmailField(blank=True)
    applicant_address = models.CharField(max_length=500, blank=True)
    form_data = models.JSONField(default=dict, blank=True)
    delivery_method = models.CharField(
        max_length=8, choices=DeliveryMethod.choices, default=DeliveryMethod.COUNTER
    )
    delivery_address = models.CharField(max_length=500, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    system_received_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    competent_received_at = models.DateTimeField(null=True, blank=True)
    clock_started_at = models.DateTimeField(null=True, blank=True)
    original_due_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    extended_due_at = models.DateTimeField(null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(default=0)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    stop_requested_by = models.CharField(max_length=10, choices=StopRequester.choices, blank=True)
    result_code = models.CharField(max_length=80, blank=True)
    result_note = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["competent_agency", "status"], name="dossier_agency_status_idx"),
            models.Index(fields=["receiving_agency", "status"], name="dossier_recv_status_idx"),
        ]

    def __str__(self) -> str:
        return self.code or f"dossier #{self.pk} ({self.status})"

    @property
    def national_status_code(self) -> int | None:
        if self.status == Status.SUPPLEMENT_RECEIVED and self.accepted_at is not None:
            return 4
        return NATIONAL_CODE[self.status]


class AppendOnlyQuerySet(models.QuerySet["DossierEvent"]):
    """Bulk ``update``/``delete`` are refused too: the event log is the legal record."""

    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("DossierEvent is append-only: events are never updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("DossierEvent is append-only: events are never deleted")


class DossierEvent(models.Model):
    """An append-only record of one transition: who, when, from, to, why.

    It is at once the citizen's timeline, the legal audit trail, the input of monitoring and the feed
    of the national portal sync. Rows are never updated or deleted.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=24)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_roles = models.JSONField(default=list)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["dossier", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "sequence"], name="unique_event_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.sequence} {self.action} {self.from_status}→{self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("DossierEvent is append-only: events are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("DossierEvent is append-only: events are never deleted")


class DossierLeg(models.Model):
    """A part of an inter-agency dossier handled by another agency, with its own deadline (spec §2.6)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="legs")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="dossier_legs")
    mode = models.CharField(max_length=10, choices=LegMode.choices)
    position = models.PositiveSmallIntegerField(default=0)
    task = models.CharField(max_length=500, blank=True)
    time_limit_working_days = models.DecimalField(max_digits=6, decimal_places=2)
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "position"]

    def __str__(self) -> str:
        return f"{self.dossier} leg {self.position} @ {self.agency.code}"


class DossierCodeSequence(models.Model):
    """The last sequence number issued per receiving agency and day (for ``<agency>-YYMMDD-XXXX``)."""

    agency_code = models.CharField(max_length=32)
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_code", "day"], name="unique_code_sequence")]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.day}: {self.last_value}"


class DossierDraft(models.Model):
    """A dossier being filled in online (hồ sơ nháp): answers saved at every step and by autosave, so a
    person can stop and resume later, on another device too. Submitting it files a ``Dossier``."""

    token = models.UUIDField(unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    schema_version = models.PositiveIntegerField(default=1)
    answers = models.JSONField(default=dict, blank=True)
    receiving_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_step = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    dossier = models.OneToOneField(
        Dossier, null=True, blank=True, on_delete=models.SET_NULL, related_name="draft"
    )

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"draft {self.token} of {self.procedure_id}"


class AttachmentPurpose(models.TextChoices):
    SUBMISSION = "submission", "Nộp kèm hồ sơ / filed with the dossier"
    SUPPLEMENT = "supplement", "Bổ sung / supplement"
    RESULT = "result", "Kết quả / result"


class DossierAttachment(models.Model):
    """A file of a dossier: a component filed or supplemented by the applicant, a paper scanned at the
    counter (digitized), or the result. ``reused`` marks a component taken from the applicant's data store
    instead of being uploaded again (Decision 766 reuse indicator, spec §3.5)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    stored_file = models.ForeignKey("documents.StoredFile", on_delete=models.PROTECT, related_name="+")
    requirement = models.ForeignKey(
        "catalogue.RequiredDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(max_length=500)
    purpose = models.CharField(
        max_length=12, choices=AttachmentPurpose.choices, default=AttachmentPurpose.SUBMISSION
    )
    digitized = models.BooleanField(default=False)
    reused = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier", "added_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.label[:60]}"


class EvaluationQuestionnaire(models.Model):
    """The questions a citizen answers to rate a returned dossier (Decree 61/2018 Art 31(1), spec §2.12),
    as a form schema (``catalogue.forms``). The newest active version is asked; answers keep theirs."""

    version = models.PositiveIntegerField(unique=True)
    definition = models.JSONField()
    active = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"questionnaire v{self.version}"


class Evaluation(models.Model):
    """A citizen's rating of how their dossier was handled; one per dossier. Feeds monitoring
    (satisfaction, Decree 224/2026 Art 19) through the outbox and this table."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="evaluation")
    questionnaire_version = models.PositiveIntegerField()
    answers = models.JSONField(default=dict)
    satisfaction = models.CharField(max_length=24)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"evaluation of {self.dossier_id}: {self.satisfaction}"
