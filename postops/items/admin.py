"""Admin pages: configuration is editable; items and their history are read-only here.

Number blocks are created through ``services.number_block_create`` (overlap and 12-month
rules, audit); items and events only through their services.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services, webhooks
from .models import (
    CodeListEntry,
    DeliveryStandard,
    Item,
    NumberBlock,
    PartnerKeyAccess,
    ServiceIndicator,
    TariffRate,
    TariffStep,
    TariffVersion,
    TrackingEvent,
    WebhookDelivery,
    WebhookEndpoint,
)


@admin.register(ServiceIndicator)
class ServiceIndicatorAdmin(admin.ModelAdmin):
    list_display = ("prefix", "service", "name", "is_active")
    list_filter = ("service", "is_active")

    def get_readonly_fields(self, request, obj=None):
        # Numbers already issued carry the prefix: it cannot be renamed.
        return ("prefix",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CodeListEntry)
class CodeListEntryAdmin(admin.ModelAdmin):
    list_display = ("list", "code", "label", "label_en", "is_active")
    list_filter = ("list", "is_active")
    search_fields = ("code", "label", "label_en")

    def get_readonly_fields(self, request, obj=None):
        # Stored events refer to the code: deactivate it rather than rename it.
        return ("list", "code") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeliveryStandard)
class DeliveryStandardAdmin(admin.ModelAdmin):
    """J+n per service and zone: the promised date of newly accepted items. A change
    applies to items accepted afterwards; stored promised dates stay as promised."""

    list_display = ("service", "zone", "working_days")
    list_filter = ("zone",)


class NumberBlockForm(forms.ModelForm):
    class Meta:
        model = NumberBlock
        fields = ("office", "indicator", "first_serial", "last_serial")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.created = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.created = services.number_block_create(
                actor=self.request.user,
                office=data["office"],
                prefix=data["indicator"].prefix,
                first_serial=data["first_serial"],
                last_serial=data["last_serial"],
                request=self.request,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(NumberBlock)
class NumberBlockAdmin(admin.ModelAdmin):
    list_display = (
        "indicator",
        "first_serial",
        "last_serial",
        "next_serial",
        "office",
        "last_used_at",
        "closed_at",
    )
    list_filter = ("indicator",)
    search_fields = ("office__code", "office__name")
    form = NumberBlockForm
    actions = None

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class WithRequest(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return WithRequest

    def save_model(self, request, obj, form, change):
        # The service stored the block in clean(); show that row.
        obj.pk = form.created.pk
        obj.__dict__.update(form.created.__dict__)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    actions = None
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("number", "service", "status_display", "origin_office", "accepted_at")
    list_filter = ("state__status", "service")
    list_select_related = ("state", "origin_office")
    search_fields = ("=number",)
    date_hierarchy = "accepted_at"

    @admin.display(description=_("trạng thái"), ordering="state__status")
    def status_display(self, obj):
        return obj.get_status_display()


@admin.register(TrackingEvent)
class TrackingEventAdmin(ReadOnlyAdmin):
    list_display = ("item", "code", "office", "occurred_at", "recorded_at", "actor_label")
    list_filter = ("code",)
    search_fields = ("=item__number", "=event_id")
    list_select_related = ("item", "office")


class TariffRateInline(admin.TabularInline):
    model = TariffRate
    extra = 0


class TariffStepInline(admin.TabularInline):
    model = TariffStep
    extra = 0


@admin.register(TariffVersion)
class TariffVersionAdmin(admin.ModelAdmin):
    """Tariff versions by effective date. A version that has priced an item is frozen: a
    change of prices is a new version from a new date (the history stays true)."""

    list_display = ("name", "effective_from", "vat_percent", "source")
    date_hierarchy = "effective_from"
    inlines = (TariffRateInline, TariffStepInline)

    def _used(self, obj) -> bool:
        return (
            obj is not None
            and obj.pk is not None
            and Item.objects.filter(tariff_version=obj).exists()
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._used(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._used(obj)


# --- Partner webhooks -----------------------------------------------------------------------


class WebhookEndpointForm(forms.ModelForm):
    new_secret = forms.CharField(
        label=_("Khóa ký mới"),
        required=False,
        max_length=100,
        help_text=_("Để trống: giữ khóa hiện tại (hoặc tự tạo khóa khi thêm mới)."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("api_key", "url", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "api_key" in self.fields:
            from postops.accounts.models import ApiKey

            self.fields["api_key"].queryset = ApiKey.objects.filter(
                role="partner", revoked_at__isnull=True
            )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Where each partner key's status webhooks go. Saved through
    ``webhooks.webhook_endpoint_save`` (audited; the secret is never written to the log)."""

    form = WebhookEndpointForm
    list_display = ("api_key", "url", "is_active", "created_at")
    list_filter = ("is_active",)
    readonly_fields = ("secret", "created_at")
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return ("api_key", "secret", "created_at") if obj is not None else ("created_at",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("api_key", "url", "is_active", "new_secret")
        return ("api_key", "url", "is_active", "secret", "new_secret", "created_at")

    def save_model(self, request, obj, form, change):
        saved = webhooks.webhook_endpoint_save(
            actor=request.user,
            api_key=obj.api_key,
            url=form.cleaned_data["url"],
            secret=form.cleaned_data.get("new_secret", ""),
            is_active=form.cleaned_data["is_active"],
            request=request,
        )
        obj.pk = saved.pk
        obj.__dict__.update(saved.__dict__)

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: the delivery log refers to the endpoint.
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: every status webhook, its attempts and the receiver's last answer.
    "Gửi lại" sends the chosen ones again from now with a fresh set of attempts."""

    list_display = (
        "created_at",
        "item",
        "event_type",
        "state",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("state", "event_type", "endpoint")
    search_fields = ("=item__number", "=id")
    list_select_related = ("item", "endpoint")
    date_hierarchy = "created_at"
    actions = ["resend"]

    @admin.action(description=_("Gửi lại các webhook đã chọn"))
    def resend(self, request, queryset):
        count = 0
        for delivery in queryset.select_related("item"):
            webhooks.webhook_retry(actor=request.user, delivery=delivery, request=request)
            count += 1
        self.message_user(request, _("Đã xếp %(count)d webhook để gửi lại.") % {"count": count})


@admin.register(PartnerKeyAccess)
class PartnerKeyAccessAdmin(admin.ModelAdmin):
    """Which partner staff accounts manage which key's webhook on ``/items/webhooks/``."""

    list_display = ("user", "api_key")
    autocomplete_fields = ()
    raw_id_fields = ("user",)
