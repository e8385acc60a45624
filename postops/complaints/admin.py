"""Admin: complaints and incidents are read-only here; they change only through the services
(status moves, compensation, audit) on the staff pages."""

from django.contrib import admin

from .models import Complaint, Incident


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "subject_number",
        "kind",
        "channel",
        "status",
        "received_on",
        "answer_due",
        "office",
    )
    list_filter = ("status", "kind", "channel", "subject")
    search_fields = ("code", "subject_number")
    date_hierarchy = "received_on"
    # The complainant's name and phone are personal data: not listed, not searchable.
    exclude = ("complainant_name", "complainant_phone", "submit_token")


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("found_on", "kind", "office", "item", "dossier", "complaint")
    list_filter = ("kind",)
    raw_id_fields = ("item", "dossier", "complaint", "office")
