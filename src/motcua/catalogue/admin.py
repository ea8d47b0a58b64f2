from django.contrib import admin

from motcua.catalogue.models import (
    Field,
    Procedure,
    ProcedureChannel,
    ProcedureOffering,
    ProcedureResult,
    RequiredDocument,
)


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


@admin.register(ProcedureOffering)
class ProcedureOfferingAdmin(admin.ModelAdmin):
    list_display = ("procedure", "agency", "online_mode", "boundary_free", "local_code")
    list_filter = ("online_mode", "boundary_free")
    raw_id_fields = ("procedure", "agency")


admin.site.register(Field)
