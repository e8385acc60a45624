"""Admin: COD senders' details are edited on the staff pages (audited through the services);
here every COD record is read-only, for looking things up."""

from django.contrib import admin

from .models import (
    CodCollection,
    CodHandover,
    CodMovement,
    CodSender,
    Reconciliation,
    RemittanceBatch,
    RemittanceLine,
    ReturnCharge,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CodSender)
class CodSenderAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "phone", "office", "deduct_fees", "is_active")
    search_fields = ("code", "name", "phone")
    list_filter = ("deduct_fees", "is_active")


@admin.register(CodCollection)
class CodCollectionAdmin(ReadOnlyAdmin):
    list_display = ("item", "sender", "amount", "state", "office", "postman", "collected_at")
    list_filter = ("state",)
    search_fields = ("item__number", "sender__code")


@admin.register(CodHandover)
class CodHandoverAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "office",
        "postman",
        "expected_amount",
        "counted_amount",
        "variance",
    )


@admin.register(CodMovement)
class CodMovementAdmin(ReadOnlyAdmin):
    list_display = ("collection", "kind", "amount", "office", "actor_label", "occurred_at")
    list_filter = ("kind",)


@admin.register(RemittanceBatch)
class RemittanceBatchAdmin(ReadOnlyAdmin):
    list_display = ("number", "sender", "state", "net_amount", "bank_reference", "created_at")
    list_filter = ("state",)
    search_fields = ("number", "sender__code", "bank_reference")


@admin.register(RemittanceLine)
class RemittanceLineAdmin(ReadOnlyAdmin):
    list_display = ("batch", "kind", "item", "cod_amount", "fee", "charge", "net")


@admin.register(Reconciliation)
class ReconciliationAdmin(ReadOnlyAdmin):
    list_display = ("batch", "bank_amount", "difference", "matched", "reconciled_at")


@admin.register(ReturnCharge)
class ReturnChargeAdmin(ReadOnlyAdmin):
    list_display = ("item", "sender", "cause", "amount", "free_reason", "created_at")
    list_filter = ("cause",)
