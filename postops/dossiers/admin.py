"""Admin pages: agencies, officers, the procedure catalogue and end-to-end time configuration
are editable (through the services, so that the rules and the audit apply); dossiers,
handover records and the dossier history are read-only here (they change only through their
services)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from postops.core.audit import audit_record
from postops.core.text import fold

from . import services
from .models import (
    Agency,
    AgencyOfficer,
    Dossier,
    DossierDocument,
    DossierEvent,
    Handover,
    LegStandard,
    Procedure,
    ProcedureDocument,
    ResultCollection,
    ResultReturn,
)


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "kind",
            "commune",
            "street",
            "phone",
            "email",
            "parent",
            "is_active",
        ]

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()

    def clean(self):
        data = super().clean()
        if services.agency_parent_loops(self.instance.pk, data.get("parent")):
            self.add_error("parent", _("Cơ quan cấp trên tạo thành vòng lặp."))
        return data


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    list_display = ["code", "name", "kind", "commune", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "search_name"]
    list_select_related = ["commune", "parent"]
    autocomplete_fields = ["commune", "parent"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if change:
            fresh = Agency.objects.get(pk=obj.pk)
            services.agency_update(request.user, fresh, request=request, **fields)
            obj.pk = fresh.pk
        else:
            created = services.agency_create(request.user, request=request, **fields)
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        # Procedures, dossiers and keys refer to agencies: deactivate instead.
        return False


class AgencyOfficerForm(forms.ModelForm):
    class Meta:
        model = AgencyOfficer
        fields = ["user", "agency"]

    def clean(self):
        data = super().clean()
        user, agency = data.get("user"), data.get("agency")
        if user is not None and agency is not None:
            from postops.accounts.models import Role
            from postops.accounts.roles import has_role

            if not has_role(user, Role.AGENCY):
                self.add_error(
                    "user", _("Chỉ người dùng có vai trò cán bộ cơ quan mới gắn với cơ quan.")
                )
        return data


@admin.register(AgencyOfficer)
class AgencyOfficerAdmin(admin.ModelAdmin):
    form = AgencyOfficerForm
    list_display = ["user", "agency", "created_at"]
    list_select_related = ["user", "agency"]
    search_fields = ["user__username", "user__full_name", "agency__code", "agency__name"]
    autocomplete_fields = ["user", "agency"]

    def save_model(self, request, obj, form, change):
        if change:
            previous = AgencyOfficer.objects.get(pk=obj.pk)
            if previous.user_id != obj.user_id:
                services.agency_officer_set(request.user, previous.user, None, request=request)
        services.agency_officer_set(
            request.user, form.cleaned_data["user"], form.cleaned_data["agency"], request=request
        )
        obj.pk = AgencyOfficer.objects.get(user=form.cleaned_data["user"]).pk

    def delete_model(self, request, obj):
        services.agency_officer_set(request.user, obj.user, None, request=request)

    def delete_queryset(self, request, queryset):
        for link in queryset.select_related("user"):
            services.agency_officer_set(request.user, link.user, None, request=request)


class ProcedureDocumentInline(admin.TabularInline):
    model = ProcedureDocument
    extra = 0
    fields = ["position", "name", "kind", "count"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    """Edits here are audited; bulk changes come from the catalogue import
    (``manage.py import_procedures`` or the staff import page)."""

    list_display = [
        "code",
        "name",
        "agency",
        "level",
        "postal_allowed",
        "agency_fee",
        "processing_days",
        "same_day",
        "is_active",
    ]
    list_filter = ["level", "postal_allowed", "same_day", "is_active", "agency"]
    search_fields = ["code", "name", "search_name"]
    list_select_related = ["agency"]
    inlines = [ProcedureDocumentInline]
    readonly_fields = ["updated_at"]

    def save_model(self, request, obj, form, change):
        obj.search_name = fold(f"{obj.code} {obj.name}")
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        audit_record(
            request.user,
            "dossiers.procedure_update" if change else "dossiers.procedure_create",
            obj,
            after={
                "code": obj.code,
                "changed": sorted(form.changed_data),
                "documents": [
                    [d.name, d.kind, d.count] for d in obj.documents.order_by("position")
                ],
            },
            request=request,
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegStandard)
class LegStandardAdmin(admin.ModelAdmin):
    list_display = ["zone", "destination_province", "days", "days_with_slip", "note"]
    list_filter = ["zone"]


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DossierDocumentInline(admin.TabularInline):
    model = DossierDocument
    extra = 0
    fields = ["position", "name", "kind", "count"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(_ReadOnlyAdmin):
    list_display = [
        "code",
        "procedure",
        "agency",
        "service_form",
        "status",
        "office",
        "received_at",
        "filed_at",
    ]
    list_filter = ["status", "service_form", "channel", "agency"]
    # No search on the applicant's name or ID number: personal data is read on the staff
    # pages, which log the read (Law 91/2025/QH15).
    search_fields = ["code", "agency_number", "outbound_item__number", "return_item__number"]
    list_select_related = ["procedure", "agency", "office"]
    exclude = ["applicant_id_number", "idempotency_scope", "idempotency_key", "request_hash"]
    inlines = [DossierDocumentInline]


@admin.register(Handover)
class HandoverAdmin(_ReadOnlyAdmin):
    list_display = [
        "code",
        "office",
        "agency",
        "status",
        "dossier_count",
        "created_at",
        "signed_at",
    ]
    list_filter = ["status", "agency"]
    search_fields = ["code"]
    list_select_related = ["office", "agency"]


@admin.register(DossierEvent)
class DossierEventAdmin(_ReadOnlyAdmin):
    list_display = ["dossier", "previous_status", "status", "occurred_at", "actor_label"]
    list_filter = ["status"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]


@admin.register(ResultCollection)
class ResultCollectionAdmin(_ReadOnlyAdmin):
    list_display = ["code", "office", "agency", "created_at", "created_by"]
    list_filter = ["agency"]
    search_fields = ["code"]
    list_select_related = ["office", "agency", "created_by"]


@admin.register(ResultReturn)
class ResultReturnAdmin(_ReadOnlyAdmin):
    list_display = ["code", "office", "agency", "receiver_name", "created_at"]
    list_filter = ["agency"]
    search_fields = ["code"]
    list_select_related = ["office", "agency"]
