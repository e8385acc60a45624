"""Admin: pickup requests are read-only here (they change only through their services)."""

from django.contrib import admin

from .models import PickupRequest


@admin.register(PickupRequest)
class PickupRequestAdmin(admin.ModelAdmin):
    list_display = ("code", "status", "source", "office", "preferred_date", "time_window")
    list_filter = ("status", "source", "time_window")
    search_fields = ("code",)
    date_hierarchy = "preferred_date"
    list_select_related = ("office",)
    # Personal data stays on the audited staff pages, not in the admin.
    exclude = ("name", "phone", "address_street", "address_raw", "note", "idempotency_key")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
