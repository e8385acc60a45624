"""Admin pages of delivery: routes are edited through ``services.route_save`` (scope, audit);
run sheets, attempts and handovers are read-only here (their services own every change)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import services
from .models import DeliveryAttempt, Handover, Route, RunSheet, RunSheetEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RouteForm(forms.ModelForm):
    commune_codes = forms.CharField(
        label="Mã xã/phường",
        help_text="Các mã 5 chữ số, cách nhau bởi dấu phẩy.",
        required=False,
    )

    class Meta:
        model = Route
        fields = ("office", "code", "name", "commune_codes", "default_postman", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["commune_codes"] = ", ".join(self.instance.commune_codes)

    def clean_commune_codes(self):
        codes = [c.strip() for c in self.cleaned_data["commune_codes"].split(",") if c.strip()]
        if any(not (len(c) == 5 and c.isdigit()) for c in codes):
            raise ValidationError("Mã xã/phường gồm 5 chữ số.")
        return codes

    def clean(self):
        data = super().clean()
        postman, office = data.get("default_postman"), data.get("office")
        if postman and office and not services.postman_works_at(postman, office):
            self.add_error("default_postman", "Người này không phải bưu tá của bưu cục.")
        return data


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    form = RouteForm
    list_display = ("office", "code", "name", "default_postman", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "office__code")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.route_save(
            actor=request.user,
            office=data["office"],
            code=data["code"],
            name=data["name"],
            commune_codes=data["commune_codes"],
            default_postman=data.get("default_postman"),
            route=Route.objects.get(pk=obj.pk) if change else None,
            request=request,
        )
        obj.pk = saved.pk


class EntryInline(admin.TabularInline):
    model = RunSheetEntry
    fields = ("position", "item", "assigned_at", "outcome")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RunSheet)
class RunSheetAdmin(ReadOnlyAdmin):
    list_display = ("day", "office", "postman", "status", "declared_cash")
    list_filter = ("status", "day")
    search_fields = ("office__code", "postman__username", "postman__full_name")
    inlines = [EntryInline]


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ("item", "kind", "occurred_at", "postman", "outcome", "cod_collected")
    list_filter = ("kind", "outcome")
    search_fields = ("item__number",)
    exclude = ("id_number_digest", "signature", "photo")


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = (
        "run_sheet",
        "confirmed_at",
        "confirmed_by",
        "items_variance",
        "cash_variance",
    )
