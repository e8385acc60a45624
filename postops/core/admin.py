from django.contrib import admin

from . import services
from .models import AuditEntry, HolidayOverride


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only (no add, change or delete, not even for
    superusers). Auditors use the scoped page at /audit/; this is for administrators."""

    list_display = (
        "occurred_at",
        "actor_label",
        "role",
        "office_code",
        "action",
        "target_type",
        "target_id",
    )
    list_filter = ("role",)
    search_fields = ("actor_label", "action", "target_id", "office_code", "request_id")
    date_hierarchy = "occurred_at"
    show_full_result_count = False  # COUNT(*) over a large history on every page is waste
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    """Overrides go through the services, so that each change is audited and the working-day
    calendar of every process is refreshed."""

    list_display = ("date", "is_holiday", "name", "source")
    list_filter = ("is_holiday",)
    search_fields = ("name", "source")
    date_hierarchy = "date"

    def get_readonly_fields(self, request, obj=None):
        # One row per date: to move an override, delete it and add one on the new date.
        return ("date",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        saved = services.holiday_override_set(
            request.user,
            obj.date,
            is_holiday=obj.is_holiday,
            name=obj.name,
            source=obj.source,
            request=request,
        )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.holiday_override_delete(request.user, obj.date, request=request)

    def delete_queryset(self, request, queryset):
        for day in list(queryset.values_list("date", flat=True)):
            services.holiday_override_delete(request.user, day, request=request)
