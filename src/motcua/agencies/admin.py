from django.contrib import admin

from motcua.agencies.models import AdministrativeUnit, Agency, UnitSuccession


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    readonly_fields = ("path", "depth")
    autocomplete_fields = ["parent"]


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "unit_type", "valid_from", "valid_to")
    list_filter = ("level", "unit_type")
    search_fields = ("code", "name")


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ("predecessor", "successor", "kind", "effective_on")
    raw_id_fields = ("predecessor", "successor")
