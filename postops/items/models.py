"""Postal items, their S10 numbers and their append-only tracking history.

Any physical thing the post carries (parcel, letter, EMS, an administrative dossier) is an
:class:`Item` with an S10 number; what happened to it is a list of :class:`TrackingEvent`
rows, never updated. ``Item.status`` is a cache of that history, moved only through the
transition table in :mod:`postops.items.rules`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from postops.core import s10
from postops.core.models import AppendOnlyModel
from postops.network.models import address_mixin

from . import rules

MAX_SERIAL = 99_999_999


def validate_s10(value: str) -> None:
    """Model/form validator: a valid S10 number, check digit included (UPU S10)."""
    try:
        s10.validate(value)
    except s10.S10Error as exc:
        raise ValidationError(gettext(exc.message) % exc.params, code=exc.code) from None


def validate_service_indicator(value: str) -> None:
    """Two capital letters whose first is not reserved by the UPU (J, K, S, T, W)."""
    if len(value) != 2 or not value.isascii() or not value.isalpha() or not value.isupper():
        raise ValidationError(_("Mã dịch vụ gồm đúng 2 chữ cái in hoa."), code="format")
    if value[0] in s10.RESERVED_FIRST_LETTERS:
        raise ValidationError(
            _("Mã dịch vụ bắt đầu bằng chữ %(letter)s được UPU dành riêng, không được cấp."),
            code="reserved_prefix",
            params={"letter": value[0]},
        )


class Service(models.TextChoices):
    """Postal services an item can travel on (domain.md §3). The S10 prefix of each is
    configuration (:class:`ServiceIndicator`), because Vietnam Post's mapping is not public."""

    EMS = "ems", _("Chuyển phát nhanh EMS")
    PARCEL = "parcel", _("Bưu kiện")
    REGISTERED = "registered", _("Bưu phẩm bảo đảm")
    INSURED = "insured", _("Bưu gửi khai giá")
    LETTER_EXPRESS = "letter_express", _("Thư nhanh")
    LETTER_GOODS = "letter_goods", _("Bưu phẩm có hàng hóa")
    DOSSIER = "dossier", _("Hồ sơ, kết quả thủ tục hành chính")


class ItemStatus(models.TextChoices):
    ACCEPTED = rules.Status.ACCEPTED, _("Đã nhận gửi")
    IN_TRANSIT = rules.Status.IN_TRANSIT, _("Đang vận chuyển")
    AT_DELIVERY_OFFICE = rules.Status.AT_DELIVERY_OFFICE, _("Đã đến bưu cục phát")
    OUT_FOR_DELIVERY = rules.Status.OUT_FOR_DELIVERY, _("Đang phát")
    DELIVERY_FAILED = rules.Status.DELIVERY_FAILED, _("Phát không thành công")
    HELD = rules.Status.HELD, _("Lưu giữ tại bưu cục phát")
    AWAITING_PICKUP = rules.Status.AWAITING_PICKUP, _("Chờ nhận tại điểm nhận hàng")
    DELIVERED = rules.Status.DELIVERED, _("Phát thành công")
    RETURNING = rules.Status.RETURNING, _("Đang chuyển hoàn")
    RETURNED = rules.Status.RETURNED, _("Đã chuyển hoàn cho người gửi")
    WITHDRAWN = rules.Status.WITHDRAWN, _("Người gửi đã rút lại")
    UNCLAIMED = rules.Status.UNCLAIMED, _("Bưu gửi vô thừa nhận")


class EventCode(models.TextChoices):
    ACCEPTED = rules.Event.ACCEPTED, _("Nhận gửi")
    OUTWARD_ARRIVAL = rules.Event.OUTWARD_ARRIVAL, _("Đến bưu cục ngoại dịch đi")
    OUTWARD_DEPARTURE = rules.Event.OUTWARD_DEPARTURE, _("Rời bưu cục ngoại dịch đi")
    INWARD_ARRIVAL = rules.Event.INWARD_ARRIVAL, _("Đến bưu cục ngoại dịch đến")
    INWARD_DEPARTURE = rules.Event.INWARD_DEPARTURE, _("Rời bưu cục ngoại dịch đến")
    TRANSIT_ARRIVAL = rules.Event.TRANSIT_ARRIVAL, _("Đến bưu cục trung chuyển")
    TRANSIT_DEPARTURE = rules.Event.TRANSIT_DEPARTURE, _("Rời bưu cục trung chuyển")
    SORTING_IN = rules.Event.SORTING_IN, _("Đến trung tâm khai thác")
    SORTING_OUT = rules.Event.SORTING_OUT, _("Rời trung tâm khai thác")
    DELIVERY_OFFICE_ARRIVAL = rules.Event.DELIVERY_OFFICE_ARRIVAL, _("Đến bưu cục phát")
    OUT_FOR_DELIVERY = rules.Event.OUT_FOR_DELIVERY, _("Bưu tá đang đi phát")
    DELIVERY_FAILED = rules.Event.DELIVERY_FAILED, _("Phát không thành công")
    DELIVERED = rules.Event.DELIVERED, _("Phát thành công")
    HELD = rules.Event.HELD, _("Lưu giữ tại bưu cục phát")
    PICKUP_POINT_ARRIVAL = rules.Event.PICKUP_POINT_ARRIVAL, _("Đến điểm nhận hàng")
    REDIRECTED = rules.Event.REDIRECTED, _("Thay đổi người nhận/địa chỉ theo yêu cầu người gửi")
    RETURN_STARTED = rules.Event.RETURN_STARTED, _("Chuyển hoàn cho người gửi")
    WITHDRAWN = rules.Event.WITHDRAWN, _("Người gửi rút lại bưu gửi")
    UNCLAIMED = rules.Event.UNCLAIMED, _("Chuyển thành bưu gửi vô thừa nhận")


def upu_code(code: str) -> str | None:
    """The UPU EMSEVT code reported for canonical event ``code``, with the configured
    overrides (``POSTOPS_UPU_EVENT_CODES``, a dict canonical code → UPU code or ``None``):
    the UPU mapping of domestic events is not public (domain.md §3)."""
    return rules.upu_code(code, getattr(settings, "POSTOPS_UPU_EVENT_CODES", None))


class ServiceIndicator(models.Model):
    """One S10 service indicator (the two-letter prefix) and the service it stands for.

    Configuration, not code: Vietnam Post's prefix-per-service mapping is not public
    (domain.md §3). UPU S10 reserves first letters J, K, S, T, W.
    """

    prefix = models.CharField(
        _("mã dịch vụ S10"),
        max_length=2,
        primary_key=True,
        validators=[validate_service_indicator],
    )
    service = models.CharField(_("dịch vụ"), max_length=20, choices=Service.choices)
    name = models.CharField(_("tên"), max_length=120, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("mã dịch vụ S10")
        verbose_name_plural = _("mã dịch vụ S10")
        ordering = ["prefix"]

    def __str__(self) -> str:
        return f"{self.prefix} {self.get_service_display()}"


class NumberBlock(models.Model):
    """A range of S10 serial numbers one office may hand out for one service indicator.

    ``next_serial`` is the next serial to hand out; the block is used up when it passes
    ``last_serial``. Allocation is a compare-and-set on ``next_serial`` (see
    ``services.number_allocate``). A new block may not overlap a block of the same prefix
    that handed out a number within the last 12 months (UPU S10: a number must not be reused
    within 12 months, 24 recommended; ``POSTOPS_S10_REUSE_MONTHS``).
    """

    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="number_blocks",
        verbose_name=_("bưu cục"),
    )
    indicator = models.ForeignKey(
        ServiceIndicator,
        on_delete=models.PROTECT,
        related_name="blocks",
        verbose_name=_("mã dịch vụ S10"),
    )
    first_serial = models.PositiveIntegerField(
        _("số đầu"), validators=[MaxValueValidator(MAX_SERIAL)]
    )
    last_serial = models.PositiveIntegerField(
        _("số cuối"), validators=[MaxValueValidator(MAX_SERIAL)]
    )
    next_serial = models.PositiveIntegerField(_("số tiếp theo"))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("cấp số gần nhất"), null=True, blank=True)
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("dải số hiệu")
        verbose_name_plural = _("dải số hiệu")
        ordering = ["indicator_id", "first_serial"]
        indexes = [
            models.Index(fields=["office", "indicator", "closed_at"], name="numberblock_open_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_serial__lte=F("last_serial")),
                name="numberblock_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(last_serial__lte=MAX_SERIAL), name="numberblock_serial_max"
            ),
            models.CheckConstraint(
                condition=Q(next_serial__gte=F("first_serial"))
                & Q(next_serial__lte=F("last_serial") + 1),
                name="numberblock_next_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.first_serial:08d}–{self.last_serial:08d}"

    @property
    def remaining(self) -> int:
        return self.last_serial + 1 - self.next_serial


SenderAddress = address_mixin("sender", _("người gửi"), blank=True)
ReceiverAddress = address_mixin("receiver", _("người nhận"))


class Item(SenderAddress, ReceiverAddress, models.Model):
    """A postal item: anything the post carries, known by its S10 number.

    What the item is (sender, receiver, service, money) is written at acceptance and seldom
    changed; where it is lives in its :class:`ItemState` (``item.state``), which every
    tracking event rewrites: ``item.status``, ``item.last_event_at``, ``item.last_event_code``
    and ``item.last_office`` read it. Money is integer đồng. ``idempotency_scope`` +
    ``idempotency_key`` make a retried acceptance return the first item (Stripe's rule).
    """

    number = models.CharField(_("số hiệu"), max_length=13, unique=True, validators=[validate_s10])
    service = models.CharField(_("dịch vụ"), max_length=20, choices=Service.choices)
    sender_name = models.CharField(_("tên người gửi"), max_length=150)
    sender_phone = models.CharField(_("điện thoại người gửi"), max_length=20, blank=True)
    receiver_name = models.CharField(_("tên người nhận"), max_length=150)
    receiver_phone = models.CharField(_("điện thoại người nhận"), max_length=20, blank=True)
    contents = models.CharField(_("nội dung"), max_length=255, blank=True)
    weight_g = models.PositiveIntegerField(_("khối lượng (g)"))
    cod_amount = models.PositiveBigIntegerField(_("tiền thu hộ (đồng)"), default=0)
    declared_value = models.PositiveBigIntegerField(_("giá trị khai (đồng)"), default=0)
    advice_of_delivery = models.BooleanField(_("báo phát"), default=False)
    fee = models.PositiveBigIntegerField(_("cước (đồng, gồm VAT)"), default=0)
    # The tariff that priced ``fee`` (none for items priced outside PostOps).
    # No index: only deleting a tariff version looks items up by it (PROTECT), a rare admin
    # act that may scan; every status write of an item paid for the index
    # (docs/benchmarks.md, "Items").
    tariff_version = models.ForeignKey(
        "TariffVersion",
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("bảng cước"),
    )
    promised_date = models.DateField(_("ngày phát dự kiến"), null=True, blank=True)
    # ``item_origin_idx`` (origin_office, -accepted_at) serves lookups by office: no second,
    # single-column index.
    origin_office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        db_index=False,
        related_name="items_accepted",
        verbose_name=_("bưu cục nhận gửi"),
    )
    destination_office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items_to_deliver",
        verbose_name=_("bưu cục phát"),
    )
    accepted_at = models.DateTimeField(_("nhận gửi lúc"))
    # No index: nothing looks items up by clerk (only the rare deletion of a user checks it),
    # and each index costs an insert per status write (docs/benchmarks.md, "Items").
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhận gửi"),
    )
    # The partner API key the item came through: whose status webhooks it triggers and
    # who may read it through the API.
    # Indexed only where set (``item_sender_key_idx``): items accepted at a counter have no
    # key, and a full index took an entry for each of them at every status write.
    sender_key = models.ForeignKey(
        "accounts.ApiKey",
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("khóa API gửi"),
    )
    # The partner's own reference (order number), echoed in the API and the webhooks.
    sender_reference = models.CharField(_("mã đơn của người gửi"), max_length=64, blank=True)
    idempotency_scope = models.CharField(max_length=40, blank=True, editable=False)
    idempotency_key = models.CharField(max_length=255, blank=True, editable=False)
    request_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bưu gửi")
        verbose_name_plural = _("bưu gửi")
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="item_idempotency_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["origin_office", "-accepted_at"], name="item_origin_idx"),
            models.Index(
                fields=["sender_key"],
                condition=Q(sender_key__isnull=False),
                name="item_sender_key_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def prefix(self) -> str:
        return self.number[:2]

    # Where the item is, read from its state (``select_related("state")`` for a list). Read
    # only: the event services write the state, in the transaction that stores the event.
    @property
    def status(self) -> str:
        return self.state.status

    def get_status_display(self) -> str:
        return self.state.get_status_display()

    @property
    def last_event_at(self):
        return self.state.last_event_at

    @property
    def last_event_code(self) -> str:
        return self.state.last_event_code

    @property
    def last_office(self):
        return self.state.last_office

    @property
    def last_office_id(self) -> int | None:
        return self.state.last_office_id


class ItemState(models.Model):
    """Where an item is: its status and the latest tracking event (by the time it happened),
    one row per item. Only the event services change it, in the same transaction as the
    event (issue #3 item 5), the item's row locked.

    Kept apart from :class:`Item` because every event rewrites it: PostgreSQL writes a new
    version of a row at each update, with an entry in each of the table's indexes unless no
    indexed column changes (a HOT update). The status and office are indexed for the
    worklists, so the item's 370-byte row was copied, and four of its indexes written, at every
    scan; this row is about 60 bytes, with two indexes (docs/benchmarks.md, "Fifth session").
    """

    item = models.OneToOneField(
        Item, on_delete=models.CASCADE, primary_key=True, related_name="state"
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ItemStatus.choices,
        default=ItemStatus.ACCEPTED,
        # No index of its own: lists filter it together with the office.
    )
    last_office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        db_index=False,  # covered by ``itemstate_office_idx`` (last_office, status)
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bưu cục gần nhất"),
    )
    last_event_at = models.DateTimeField(_("sự kiện gần nhất lúc"), null=True, blank=True)
    last_event_code = models.CharField(
        _("sự kiện gần nhất"), max_length=30, choices=EventCode.choices, blank=True
    )

    class Meta:
        verbose_name = _("vị trí bưu gửi")
        verbose_name_plural = _("vị trí bưu gửi")
        indexes = [
            models.Index(fields=["last_office", "status"], name="itemstate_office_idx"),
            # The supervisors' "failed attempts" worklist, in its keyset order: only the
            # items whose latest event is a failed delivery have an entry (no scan of
            # ``itemstate_office_idx`` whole); a status write that leaves or does not reach
            # that status adds nothing to it.
            models.Index(
                fields=["last_event_at", "item"],
                condition=Q(status="delivery_failed"),
                name="itemstate_failed_idx",
            ),
            # The "no movement for N days" worklist, in its keyset order: only the items not
            # finished (about 3 % of them) have an entry. A status write of such an item
            # pays one more index entry (about 5 ms per 5,000-event batch); the list went
            # from 106 ms (a scan of every state) to 2.5 ms at 1 M items.
            models.Index(
                fields=["last_event_at", "item"],
                condition=Q(status__in=rules.OPEN_STATUSES),
                name="itemstate_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.status}"


class CodeList(models.TextChoices):
    REASON = "reason", _("Lý do phát không thành công")
    ACTION = "action", _("Biện pháp xử lý")


class CodeListEntry(models.Model):
    """One value of a loadable code list: non-delivery reasons and the action taken.

    UPU EMSEVT EMH events carry a reason and an action code; their official values are
    unknown here (domain.md §3), so the lists are data, loaded with ``manage.py
    load_item_codes`` and editable in the admin.
    """

    list = models.CharField(_("danh mục"), max_length=10, choices=CodeList.choices)
    code = models.CharField(_("mã"), max_length=10)
    label = models.CharField(_("tên (tiếng Việt)"), max_length=200)
    label_en = models.CharField(_("tên (tiếng Anh)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("mã danh mục")
        verbose_name_plural = _("mã danh mục")
        ordering = ["list", "code"]
        constraints = [
            models.UniqueConstraint(fields=["list", "code"], name="codelist_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.list}:{self.code} {self.label}"


class TrackingEvent(AppendOnlyModel):
    """One thing that happened to an item. Append-only: inserted, never changed.

    ``occurred_at`` is the device time (when it happened); ``recorded_at`` the server time
    (when it arrived). ``event_id`` is the client's UUID: a resent event is a duplicate,
    never a second row. ``reason_code``/``action_code`` come from :class:`CodeListEntry`
    (EMH, failed delivery). The UPU EMSEVT code is derived from ``code``.
    """

    event_id = models.UUIDField(_("mã sự kiện"), unique=True)
    # Covered by ``event_item_time_idx`` (item, -occurred_at): no single-column index.
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="events",
        verbose_name=_("bưu gửi"),
    )
    code = models.CharField(_("sự kiện"), max_length=30, choices=EventCode.choices)
    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("bưu cục"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    # Who sent it when not a staff user (an API key: "api-key:<prefix>").
    actor_label = models.CharField(_("định danh"), max_length=150, blank=True)
    occurred_at = models.DateTimeField(_("xảy ra lúc"))
    recorded_at = models.DateTimeField(_("ghi nhận lúc"))
    reason_code = models.CharField(_("mã lý do"), max_length=10, blank=True)
    action_code = models.CharField(_("mã biện pháp"), max_length=10, blank=True)
    latitude = models.DecimalField(
        _("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("sự kiện hành trình")
        verbose_name_plural = _("sự kiện hành trình")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # An item's history, newest first, with what public tracking shows: the lookup
            # reads the index alone (an index-only scan), not ten scattered table pages
            # (docs/benchmarks.md, "Items"). Serves every read of one item's events.
            models.Index(
                fields=["item", "-occurred_at", "-id"],
                include=["code", "reason_code", "office"],
                name="event_item_track_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="event_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="event_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.code} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def upu_code(self) -> str | None:
        return upu_code(self.code)


# --- Tariffs -------------------------------------------------------------------------------


class TariffZone(models.TextChoices):
    SAME_COMMUNE = "same_commune", _("Nội xã/phường")
    SAME_PROVINCE = "same_province", _("Nội tỉnh")
    OTHER_PROVINCE = "other_province", _("Liên tỉnh")


class TariffVersion(models.Model):
    """A tariff table in force from ``effective_from`` until the next version starts.

    Prices include VAT (``vat_percent`` says how much of them is VAT, for receipts). The
    figures are configuration: Vietnam Post's published tariffs go here, not into code.
    A version that has priced items is never edited: add a new version instead.
    """

    name = models.CharField(_("tên"), max_length=120)
    effective_from = models.DateField(_("áp dụng từ ngày"), unique=True)
    vat_percent = models.PositiveSmallIntegerField(
        _("thuế GTGT (%)"), validators=[MaxValueValidator(100)]
    )
    cod_per_mille = models.PositiveIntegerField(
        _("phí thu hộ (‰ tiền thu hộ)"), null=True, blank=True
    )
    cod_minimum = models.PositiveBigIntegerField(_("phí thu hộ tối thiểu (đồng)"), default=0)
    insured_per_mille = models.PositiveIntegerField(
        _("phí khai giá (‰ giá trị khai)"), null=True, blank=True
    )
    insured_minimum = models.PositiveBigIntegerField(_("phí khai giá tối thiểu (đồng)"), default=0)
    advice_of_delivery_fee = models.PositiveBigIntegerField(
        _("phí báo phát (đồng)"), null=True, blank=True
    )
    source = models.CharField(_("căn cứ"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bảng cước")
        verbose_name_plural = _("bảng cước")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%d/%m/%Y})"


class TariffRate(models.Model):
    """The price (VAT included, đồng) of one weight band of a service in a zone."""

    version = models.ForeignKey(TariffVersion, on_delete=models.CASCADE, related_name="rates")
    service = models.CharField(_("dịch vụ"), max_length=20, choices=Service.choices)
    zone = models.CharField(_("vùng"), max_length=20, choices=TariffZone.choices)
    max_weight_g = models.PositiveIntegerField(_("đến khối lượng (g)"))
    price = models.PositiveBigIntegerField(_("cước (đồng)"))

    class Meta:
        verbose_name = _("mức cước")
        verbose_name_plural = _("mức cước")
        ordering = ["version", "service", "zone", "max_weight_g"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "service", "zone", "max_weight_g"], name="tariffrate_unique"
            ),
            models.CheckConstraint(condition=Q(max_weight_g__gt=0), name="tariffrate_weight_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.zone} ≤{self.max_weight_g} g: {self.price}"


class TariffStep(models.Model):
    """Above the last band of a service in a zone: ``price`` per started ``step_g`` grams."""

    version = models.ForeignKey(TariffVersion, on_delete=models.CASCADE, related_name="steps")
    service = models.CharField(_("dịch vụ"), max_length=20, choices=Service.choices)
    zone = models.CharField(_("vùng"), max_length=20, choices=TariffZone.choices)
    step_g = models.PositiveIntegerField(_("mỗi nấc (g)"))
    price = models.PositiveBigIntegerField(_("cước mỗi nấc (đồng)"))

    class Meta:
        verbose_name = _("cước nấc vượt")
        verbose_name_plural = _("cước nấc vượt")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "service", "zone"], name="tariffstep_unique"
            ),
            models.CheckConstraint(condition=Q(step_g__gt=0), name="tariffstep_step_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.zone} +{self.price}/{self.step_g} g"


class DeliveryStandard(models.Model):
    """The promised end-to-end time of a service in a zone: J+n in working days.

    J is the day the item is accepted; n counts working days (Mon–Fri minus public holidays
    and the stored overrides, ``postops.core.calendar.add_working_days``). A row with an
    empty ``service`` applies to every service without its own row. Configuration, not code:
    Vietnam Post's published end-to-end times per service are not available here
    (domain.md §1 gives Circular 17/2017's J+n for dossiers; districts were abolished in
    2025, so zones are commune/province/other province). Loaded by ``load_item_config``.
    """

    service = models.CharField(
        _("dịch vụ"),
        max_length=20,
        choices=Service.choices,
        blank=True,
        help_text=_("Để trống: áp dụng cho mọi dịch vụ chưa có dòng riêng."),
    )
    zone = models.CharField(_("vùng"), max_length=20, choices=TariffZone.choices)
    working_days = models.PositiveSmallIntegerField(
        _("số ngày làm việc (J+n)"), validators=[MaxValueValidator(60)]
    )

    class Meta:
        verbose_name = _("chỉ tiêu thời gian toàn trình")
        verbose_name_plural = _("chỉ tiêu thời gian toàn trình")
        ordering = ["service", "zone"]
        constraints = [
            models.UniqueConstraint(fields=["service", "zone"], name="deliverystandard_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service or '*'} {self.zone}: J+{self.working_days}"


# --- Partner API: idempotent answers, status webhooks ------------------------------------


class ApiIdempotencyRecord(models.Model):
    """The first answer to a write API request, kept by (caller, ``Idempotency-Key``).

    Stripe's rules: a replay of the same request returns this answer (status and body); the
    same key with another body or on another endpoint is refused. Only answers of requests
    that ran are kept: a request refused by validation leaves no record, so the caller may
    fix it and retry with the same key. The record is written in the same transaction as
    what the request changed.
    """

    scope = models.CharField(max_length=40)  # "key:<pk>" or "user:<pk>"
    key = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phản hồi lưu theo khóa chống lặp")
        verbose_name_plural = _("phản hồi lưu theo khóa chống lặp")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="apiidempotency_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} {self.endpoint} → {self.status_code}"


class WebhookEndpoint(models.Model):
    """Where a partner key's status webhooks go: one URL and the secret that signs them.

    The signature (``X-PostOps-Signature: t=<unix time>,v1=<hex>``) is HMAC-SHA256 of
    ``"<t>.<body>"`` with ``secret``, as Stripe signs its webhooks; the receiver recomputes
    it and refuses old timestamps. The secret must be kept readable to sign, so it is shown
    to administrators only.
    """

    api_key = models.OneToOneField(
        "accounts.ApiKey",
        on_delete=models.CASCADE,
        related_name="webhook",
        verbose_name=_("khóa API"),
    )
    url = models.URLField(_("địa chỉ nhận (URL)"), max_length=500)
    secret = models.CharField(
        _("khóa ký"),
        max_length=100,
        blank=True,
        help_text=_("Để trống để hệ thống tự tạo."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("địa chỉ webhook")
        verbose_name_plural = _("địa chỉ webhook")

    def __str__(self) -> str:
        return f"{self.api_key} → {self.url}"


class WebhookState(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    DELIVERED = "delivered", _("Đã gửi")
    FAILED = "failed", _("Gửi thất bại, đã dừng")


class WebhookDelivery(models.Model):
    """One webhook to send (the outbox): written in the transaction that changed the item's
    status, sent afterwards by a task, retried with exponential backoff until the receiver
    answers 2xx or the attempts run out. ``id`` is sent as ``X-PostOps-Delivery`` so that
    the receiver can drop a repeat."""

    id = models.UUIDField(primary_key=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("địa chỉ webhook"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="+", verbose_name=_("bưu gửi")
    )
    event_type = models.CharField(_("loại"), max_length=40)
    payload = models.JSONField(_("nội dung"))
    state = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=WebhookState.choices,
        default=WebhookState.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lần tới lúc"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("gửi lần cuối lúc"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("mã HTTP lần cuối"), null=True, blank=True
    )
    last_error = models.CharField(_("lỗi lần cuối"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("gửi được lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("lần gửi webhook")
        verbose_name_plural = _("nhật ký gửi webhook")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_due_idx"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_endpoint_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.item_id} → {self.state}"


# --- Bags between offices ------------------------------------------------------------------


class BagState(models.TextChoices):
    CLOSED = "closed", _("Đã đóng, đang chuyển")
    RECEIVED = "received", _("Đã nhận")


class Bag(models.Model):
    """A closed bag (túi thư) sent from one office to another with its list of items.

    Closing it records a "left the sorting office" event (EDE) for each item; one scan of
    its ``code`` at the destination records their arrival (EMG at the items' delivery
    office, EDD elsewhere). Items listed but not found are ``missing``, items found but not
    listed ``extra`` (:class:`BagItem`). The code is printed on the bag label as Code 128.
    """

    code = models.CharField(_("mã túi"), max_length=30, unique=True)
    origin_office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="bags_sent",
        verbose_name=_("bưu cục đóng túi"),
    )
    destination_office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="bags_received",
        verbose_name=_("bưu cục nhận túi"),
    )
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=BagState.choices, default=BagState.CLOSED
    )
    closed_at = models.DateTimeField(_("đóng lúc"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người đóng túi"),
    )
    closed_by_label = models.CharField(max_length=150, blank=True)
    received_at = models.DateTimeField(_("nhận lúc"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhận túi"),
    )
    received_by_label = models.CharField(max_length=150, blank=True)
    item_count = models.PositiveIntegerField(_("số bưu gửi"), default=0)
    seal_number = models.CharField(_("số niêm phong"), max_length=40, blank=True)
    idempotency_scope = models.CharField(max_length=40, blank=True, editable=False)
    idempotency_key = models.CharField(max_length=255, blank=True, editable=False)
    request_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("túi thư")
        verbose_name_plural = _("túi thư")
        ordering = ["-closed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="bag_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=~Q(origin_office=F("destination_office")),
                name="bag_offices_differ",
            ),
        ]
        indexes = [
            models.Index(fields=["destination_office", "state"], name="bag_destination_idx"),
            models.Index(fields=["origin_office", "-closed_at"], name="bag_origin_idx"),
        ]

    def __str__(self) -> str:
        return self.code


class BagItemState(models.TextChoices):
    LISTED = "listed", _("Trong danh sách")
    ARRIVED = "arrived", _("Đã đến")
    MISSING = "missing", _("Thiếu")
    EXTRA = "extra", _("Thừa (không có trong danh sách)")
    REJECTED = "rejected", _("Không ghi nhận được")


class BagItem(models.Model):
    """One item of a bag: listed at closing (``listed``), and what the receipt found."""

    bag = models.ForeignKey(Bag, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="bag_lines")
    listed = models.BooleanField(_("có trong danh sách"), default=True)
    state = models.CharField(
        _("kết quả"), max_length=10, choices=BagItemState.choices, default=BagItemState.LISTED
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("bưu gửi trong túi")
        verbose_name_plural = _("bưu gửi trong túi")
        ordering = ["bag", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bag", "item"], name="bagitem_unique"),
        ]
        indexes = [models.Index(fields=["item", "state"], name="bagitem_item_idx")]

    def __str__(self) -> str:
        return f"{self.bag_id}:{self.item_id} {self.state}"


class PartnerKeyAccess(models.Model):
    """A partner's staff account that may manage the webhook of one partner API key on the
    web page (``/items/webhooks/``). Set by an administrator: an API key itself has no web
    login, and a key is its system's credential, not a person's."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partner_key_accesses",
        verbose_name=_("người dùng"),
    )
    api_key = models.ForeignKey(
        "accounts.ApiKey",
        on_delete=models.CASCADE,
        related_name="web_managers",
        verbose_name=_("khóa API"),
    )

    class Meta:
        verbose_name = _("quyền quản lý webhook của khóa API")
        verbose_name_plural = _("quyền quản lý webhook của khóa API")
        constraints = [
            models.UniqueConstraint(fields=["user", "api_key"], name="partnerkeyaccess_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.api_key}"
