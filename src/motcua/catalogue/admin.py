from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.catalogue.models import (
    Field,
    Procedure,
    ProcedureChannel,
    ProcedureOffering,
    ProcedureResult,
    ProcessStep,
    RequiredDocument,
)
from motcua.catalogue.services import check_total_share
from motcua.core.errors import DomainError


class ChannelInline(admin.TabularInline):
    model = ProcedureChannel
    extra = 0


class DocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class ResultInline(admin.TabularInline):
    model = ProcedureResult
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("national_code", "name", "issuing_body", "field")
    list_filter = ("issuing_body",)
    search_fields = ("national_code", "name", "search_text")
    inlines = [ChannelInline, DocumentInline, ResultInline]
    readonly_fields = ("search_text",)


class ProcessStepFormSet(forms.BaseInlineFormSet):
    """The shares of the steps kept on the page sum to at most 100 % (``services.check_total_share``)."""

    def clean(self) -> None:
        super().clean()
        shares = [
            form.cleaned_data["share_percent"]
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("share_percent") is not None
        ]
        try:
            check_total_share(shares)
        except DomainError as error:
            raise ValidationError(f"{error.message_vi} / {error.message_en}") from error


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    formset = ProcessStepFormSet
    extra = 0
    fields = ("position", "name", "role", "share_percent")
    ordering = ("position",)


@admin.register(ProcedureOffering)
class ProcedureOfferingAdmin(admin.ModelAdmin):
    list_display = ("procedure", "agency", "online_mode", "boundary_free", "local_code", "step_count")
    list_filter = ("online_mode", "boundary_free", "agency__kind", "level_scheme")
    search_fields = (
        "procedure__national_code",
        "procedure__name",
        "agency__code",
        "agency__name",
        "local_code",
    )
    list_select_related = ("procedure", "agency")
    raw_id_fields = ("procedure", "agency")
    inlines = [ProcessStepInline]

    @admin.display(description="Bước xử lý / steps")
    def step_count(self, obj: ProcedureOffering) -> int:
        return len(obj.process_steps.all())

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProcedureOffering]:
        return super().get_queryset(request).prefetch_related("process_steps")


admin.site.register(Field)
