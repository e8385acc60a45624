"""Django admin for the network: offices (edited through the services) and read-only units."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Commune,
    CommuneConversion,
    LegacyCommune,
    LegacyDistrict,
    LegacyProvince,
    Office,
    Province,
)
from .selectors import office_can_create_under, office_can_edit, office_scope_ids


class ReadOnlyAdmin(admin.ModelAdmin):
    """Administrative units come from the official tables (``load_admin_units``) only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "division_type"]
    search_fields = ["code", "name", "search_name"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "division_type", "province"]
    list_filter = ["division_type", "province"]
    search_fields = ["code", "name", "search_name"]
    list_select_related = ["province"]


@admin.register(LegacyProvince)
class LegacyProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "division_type"]
    search_fields = ["code", "name", "search_name"]


@admin.register(LegacyDistrict)
class LegacyDistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "division_type", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name", "search_name"]
    list_select_related = ["province"]


@admin.register(LegacyCommune)
class LegacyCommuneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "division_type", "district"]
    search_fields = ["code", "name", "search_name"]
    list_select_related = ["district"]


@admin.register(CommuneConversion)
class CommuneConversionAdmin(ReadOnlyAdmin):
    list_display = ["legacy_commune", "commune", "is_partial"]
    list_filter = ["is_partial"]
    search_fields = [
        "legacy_commune__code",
        "legacy_commune__name",
        "commune__code",
        "commune__name",
    ]
    list_select_related = ["legacy_commune", "commune"]


class OfficeAdminForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = [
            "code",
            "name",
            "kind",
            "parent",
            "commune",
            "postal_code",
            "street",
            "phone",
            "opening_hours",
        ]

    def clean(self):
        data = super().clean()
        # The services' tree rules, on an unsaved copy, so that errors show on the form (the
        # field validators run in the ModelForm's own model validation).
        probe = Office(
            pk=self.instance.pk, path=self.instance.path, is_active=self.instance.is_active
        )
        for name in self.Meta.fields:
            if name in data:
                setattr(probe, name, data[name])
        for field, msgs in services.office_tree_errors(probe).items():
            self.add_error(field if field in self.fields else None, msgs)
        return data


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    """Offices in the admin go through the services: tree rules, ``path`` and audit apply."""

    form = OfficeAdminForm
    list_display = ["code", "name", "kind", "parent", "commune", "postal_code", "is_active"]
    list_filter = ["kind", "is_active", "commune__province"]
    search_fields = ["code", "name", "search_name", "postal_code"]
    list_select_related = ["parent", "commune"]
    autocomplete_fields = ["commune", "parent"]
    readonly_fields = ["path", "is_active"]
    ordering = ["path"]
    actions = ["deactivate_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(id__in=office_scope_ids(request.user))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or office_can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        # Offices are deactivated, never deleted: history (items, payouts) points at them.
        return False

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in OfficeAdminForm.Meta.fields}
        if change:
            saved = services.office_update(actor=request.user, office=obj, request=request, **data)
        else:
            if not office_can_create_under(request.user, data.get("parent")):
                raise PermissionDenied
            saved = services.office_create(actor=request.user, request=request, **data)
        obj.pk = saved.pk
        obj.path = saved.path
        obj.search_name = saved.search_name

    @admin.action(description=_("Ngừng hoạt động các đơn vị đã chọn"))
    def deactivate_selected(self, request, queryset):
        done = 0
        for office in queryset.order_by("-path"):  # leaves first
            try:
                services.office_deactivate(actor=request.user, office=office, request=request)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{office.code}: {exc}", level="error")
        if done:
            self.message_user(
                request,
                gettext_now("Đã ngừng hoạt động %(n)d đơn vị.") % {"n": done},
                level="success",
            )
