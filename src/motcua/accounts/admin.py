from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from motcua.accounts.models import ApiToken, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class MotcuaUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "kind", "is_staff")
    list_filter = ("kind", "is_staff")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("motcua", {"fields": ("kind", "full_name", "phone", "citizen_id_number")}),
    )
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "expires_at")
    readonly_fields = ("key_hash",)
