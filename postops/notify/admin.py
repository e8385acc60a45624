"""Read-only admin of the outbox: what was sent, when, through which channel.

Recipients are masked here too; the outbox page (``/notify/``) is where a dead message is
sent again, through the audited service."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Message, MessageAttempt


class MessageAttemptInline(admin.TabularInline):
    model = MessageAttempt
    fields = ("number", "attempted_at", "ok", "error", "provider_id")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "source_label",
        "template_key",
        "channel",
        "masked_recipient",
        "status",
        "attempts",
    )
    list_filter = ("status", "channel", "template_key")
    search_fields = ("source_label",)
    fields = (
        "source_label",
        "template_key",
        "channel",
        "masked_recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "provider_id",
        "last_error",
        "created_at",
    )
    readonly_fields = fields
    inlines = [MessageAttemptInline]

    @admin.display(description=_("người nhận"))
    def masked_recipient(self, obj):
        return rules.mask_recipient(obj.recipient)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
