from django.contrib import admin

from motcua.agencies.models import AdministrativeUnit, Agency, UnitSuccession


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "depth", "valid_to")
    list_filter = ("kind", "depth", ("valid_to", admin.EmptyFieldListFilter))
    search_fields = ("code", "name", "short_name")
    readonly_fields = ("path", "depth")
    autocomplete_fields = ["parent", "admin_unit"]
    list_select_related = ("parent",)


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "unit_type", "valid_from", "valid_to")
    list_filter = ("level", "unit_type")
    search_fields = ("code", "name")
    raw_id_fields = ("province",)


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ("predecessor", "successor", "kind", "effective_on")
    raw_id_fields = ("predecessor", "successor")
