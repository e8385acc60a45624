from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiKey, LoginFailure, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Staff accounts: roles are the groups, offices decide what each user sees."""

    list_display = ("username", "full_name", "roles", "office_codes", "is_active", "last_login")
    list_filter = ("groups", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email", "offices__code", "offices__name")
    filter_horizontal = ("groups", "offices", "user_permissions")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin"), {"fields": ("full_name", "email", "phone")}),
        (_("Vai trò và đơn vị"), {"fields": ("groups", "offices")}),
        (
            _("Quyền quản trị Django"),
            {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")},
        ),
        (_("Mốc thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "password1", "password2", "groups", "offices"),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "offices")

    @admin.display(description=_("vai trò"))
    def roles(self, obj):
        return ", ".join(g.name for g in obj.groups.all())

    @admin.display(description=_("đơn vị"))
    def office_codes(self, obj):
        return ", ".join(o.code for o in obj.offices.all())


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created with ``manage.py create_api_key`` or the staff page (shown once)."""

    list_display = (
        "name",
        "prefix",
        "role",
        "agency",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("role",)
    search_fields = ("name", "prefix", "agency__code")
    readonly_fields = (
        "prefix",
        "key_hash",
        "agency",
        "created_by",
        "created_at",
        "last_used_at",
    )
    filter_horizontal = ("offices",)

    def has_add_permission(self, request):
        return False


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ("username", "ip_address", "occurred_at")
    search_fields = ("username",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
