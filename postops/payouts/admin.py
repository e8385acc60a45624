"""Admin: programme rules are data edited here; payroll, payouts and imports are read-only
(they change only through the services, which audit every write)."""

from django.contrib import admin

from . import services
from .models import (
    Beneficiary,
    CashDay,
    CashMovement,
    CashVarianceSignoff,
    ImportJob,
    Payout,
    PayoutReversal,
    PayoutSchedule,
    PayrollLine,
    PayrollPeriod,
    Programme,
    Proxy,
)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "suspend_after_months",
        "home_payout_age",
        "max_authorisation_months",
        "is_active",
    )
    readonly_fields = ("code",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service, so that the change of a legal number is audited.
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        services.programme_update_rules(request.user, obj, **values)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PayrollPeriod)
class PayrollPeriodAdmin(ReadOnlyAdmin):
    list_display = ("programme", "month", "status", "imported_by", "approved_by", "approved_total")
    list_filter = ("programme", "status")


@admin.register(Beneficiary)
class BeneficiaryAdmin(ReadOnlyAdmin):
    list_display = ("code", "full_name", "programme", "commune", "is_suspended")
    list_filter = ("programme", "is_suspended")
    search_fields = ("code", "search_name")


@admin.register(Proxy)
class ProxyAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "beneficiary", "authorisation_number", "valid_from", "valid_to")


@admin.register(PayrollLine)
class PayrollLineAdmin(ReadOnlyAdmin):
    list_display = ("period", "beneficiary", "payout_point", "amount", "arrears", "months")
    list_filter = ("period__programme",)
    raw_id_fields = ("beneficiary",)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("period", "file_name", "status", "total", "valid", "invalid", "created_at")
    list_filter = ("status",)


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("receipt_number", "line", "amount", "receiver", "office", "paid_at")
    search_fields = ("receipt_number",)


@admin.register(PayoutReversal)
class PayoutReversalAdmin(ReadOnlyAdmin):
    list_display = ("payout", "supervisor", "reversed_at")


@admin.register(PayoutSchedule)
class PayoutScheduleAdmin(ReadOnlyAdmin):
    # Set on the period's schedule page (payout_schedule_set audits every change).
    list_display = ("period", "point", "first_day", "last_day", "note", "updated_by")
    list_filter = ("period__programme",)


@admin.register(CashDay)
class CashDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "office", "teller", "status", "closed_counted", "closed_variance")
    list_filter = ("status",)


@admin.register(CashMovement)
class CashMovementAdmin(ReadOnlyAdmin):
    list_display = ("cash_day", "kind", "amount", "actor", "recorded_at")


@admin.register(CashVarianceSignoff)
class CashVarianceSignoffAdmin(ReadOnlyAdmin):
    list_display = ("cash_day", "variance", "supervisor", "signed_at")
