from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from motcua.accounts.models import ApiToken, ExternalIdentity, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class MotcuaUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "kind", "is_active", "is_staff")
    list_filter = ("kind", "is_active", "is_staff", "memberships__role")
    search_fields = ("username", "full_name", "email", "phone", "citizen_id_number")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("motcua", {"fields": ("kind", "full_name", "phone", "citizen_id_number")}),
    )
    add_fieldsets = (
        *(UserAdmin.add_fieldsets or ()),
        ("motcua", {"fields": ("kind", "full_name", "email", "phone")}),
    )
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Who holds which role in which agency (and so over every agency below it)."""

    list_display = ("user", "role", "agency")
    list_filter = ("role", "agency__kind")
    search_fields = ("user__username", "user__full_name", "agency__code", "agency__name")
    autocomplete_fields = ["user", "agency"]
    list_select_related = ("user", "agency")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "expires_at")
    readonly_fields = ("key_hash",)


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Read-only: identities come only from signing in through the national SSO (``accounts.oidc``)."""

    list_display = ("user", "issuer", "assurance_level", "account_type", "last_seen_at")
    list_filter = ("issuer", "assurance_level", "account_type")
    search_fields = ("user__username", "id_number")
    raw_id_fields = ("user",)
    readonly_fields = (
        "user",
        "issuer",
        "id_number",
        "subject",
        "assurance_level",
        "account_type",
        "first_seen_at",
        "last_seen_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
