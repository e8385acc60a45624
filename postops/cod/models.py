"""Cash on delivery (phát hàng thu tiền): from the receiver's cash to the sender's account.

The money of one COD item moves through four places, each step one append-only
:class:`CodMovement` row (issue #3, item 12; domain.md §3):

1. ``collected``   — the postman took the amount from the receiver at delivery;
2. ``handed_over`` — the supervisor confirmed the postman's cash at the office (end of day);
3. ``batched``     — the amount is on a :class:`RemittanceBatch` (the sender's statement);
4. ``paid``        — the batch was transferred to the sender (bank reference).

A batch is then reconciled against the bank statement (:class:`Reconciliation`, amounts must
match; a difference is flagged). :attr:`CodCollection.state` and the batch's ``state`` are
caches of that history, moved only by compare-and-set updates in ``services``. Money is
integer đồng everywhere.

The sender's cost of a return to sender (chuyển hoàn, Postal Law 49/2010) is a
:class:`ReturnCharge`; for a sender with a COD account it is deducted from the next
remittance.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from postops.core.models import AppendOnlyModel


class CodSender(models.Model):
    """A sender whose COD money PostOps remits: usually a business (an e-commerce shop).

    Items belong to a sender by the sender's phone number (``Item.sender_phone``, digits
    only), the one identifier both the counter and the items API record. ``office`` holds
    the agreement and pays the remittances (office scoping). ``deduct_fees``: the contract
    lets the post deduct each item's postage (``Item.fee``) from the COD money, instead of
    the sender paying it at acceptance. Partner API keys linked in ``api_keys`` see this
    sender's statements.
    """

    code = models.CharField(_("mã khách hàng"), max_length=20, unique=True)
    name = models.CharField(_("tên người gửi"), max_length=150)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True, db_index=True)
    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="cod_senders",
        verbose_name=_("bưu cục quản lý"),
    )
    bank_name = models.CharField(_("ngân hàng"), max_length=100, blank=True)
    bank_account = models.CharField(_("số tài khoản"), max_length=40, blank=True)
    account_holder = models.CharField(_("chủ tài khoản"), max_length=150, blank=True)
    deduct_fees = models.BooleanField(
        _("trừ cước vào tiền thu hộ"),
        default=False,
        help_text=_("Theo hợp đồng: cước của từng bưu gửi được trừ khi trả tiền thu hộ."),
    )
    api_keys = models.ManyToManyField(
        "accounts.ApiKey",
        blank=True,
        related_name="cod_senders",
        verbose_name=_("khóa API của khách hàng"),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khách hàng thu hộ")
        verbose_name_plural = _("khách hàng thu hộ")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="codsender_phone_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CollectionState(models.TextChoices):
    COLLECTED = "collected", _("Bưu tá đang giữ")
    AT_OFFICE = "at_office", _("Đã nộp bưu cục")
    BATCHED = "batched", _("Đã lập bảng kê")
    PAID = "paid", _("Đã trả người gửi")


class CodCollection(models.Model):
    """The COD amount of one item, collected from the receiver at delivery.

    One per item. ``event_id`` is the client's id of the delivery (the postman app's
    UUID): recording the same collection again returns this row. ``state`` caches the
    latest :class:`CodMovement`; ``office`` is the delivery office that holds the cash.
    """

    item = models.OneToOneField(
        "items.Item",
        on_delete=models.PROTECT,
        related_name="cod_collection",
        verbose_name=_("bưu gửi"),
    )
    sender = models.ForeignKey(
        CodSender, on_delete=models.PROTECT, related_name="collections", verbose_name=_("người gửi")
    )
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    postman = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bưu tá"),
    )
    office = models.ForeignKey(
        "network.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("bưu cục phát")
    )
    collected_at = models.DateTimeField(_("thu lúc"))
    recorded_at = models.DateTimeField(_("ghi nhận lúc"))
    event_id = models.UUIDField(_("mã thao tác"), unique=True)
    state = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=CollectionState.choices,
        default=CollectionState.COLLECTED,
    )
    handover = models.ForeignKey(
        "CodHandover",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collections",
        verbose_name=_("lần nộp tiền"),
    )
    batch = models.ForeignKey(
        "RemittanceBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collections",
        verbose_name=_("bảng kê"),
    )

    class Meta:
        verbose_name = _("khoản thu hộ")
        verbose_name_plural = _("khoản thu hộ")
        ordering = ["-collected_at", "-id"]
        indexes = [
            # Worklist "COD not handed over" and the handover: per office, oldest first.
            models.Index(
                fields=["office", "state", "collected_at", "id"], name="codcoll_office_idx"
            ),
            # What a sender has at the office, waiting for a remittance batch.
            models.Index(fields=["sender", "state"], name="codcoll_sender_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="codcollection_amount_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.amount}"


class CodHandover(AppendOnlyModel):
    """A supervisor's confirmation of the COD cash a postman handed over (end of day).

    ``reference`` identifies the handover in the caller's system (the delivery app's
    end-of-day handover): confirming it again returns this row. ``variance`` is
    ``counted_amount − expected_amount`` (negative: cash short); a non-zero variance needs
    a reason. The sender is owed the full collected amounts either way.
    """

    reference = models.CharField(_("mã biên bản"), max_length=64, unique=True)
    office = models.ForeignKey(
        "network.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("bưu cục")
    )
    postman = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bưu tá"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )
    confirmed_at = models.DateTimeField(_("xác nhận lúc"))
    items_count = models.PositiveIntegerField(_("số bưu gửi"))
    expected_amount = models.PositiveBigIntegerField(_("số tiền phải nộp (đồng)"))
    counted_amount = models.PositiveBigIntegerField(_("số tiền thực nộp (đồng)"))
    variance = models.BigIntegerField(_("chênh lệch (đồng)"))
    variance_reason = models.CharField(_("lý do chênh lệch"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("lần nộp tiền thu hộ")
        verbose_name_plural = _("lần nộp tiền thu hộ")
        ordering = ["-confirmed_at", "-id"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return self.reference


class BatchState(models.TextChoices):
    ISSUED = "issued", _("Đã lập bảng kê")
    PAID = "paid", _("Đã chuyển tiền")
    RECONCILED = "reconciled", _("Đã đối soát khớp")
    MISMATCH = "mismatch", _("Đối soát lệch")


class RemittanceBatch(models.Model):
    """One remittance to one sender, with its statement (bảng kê): items, amounts, fees, net.

    Totals are fixed when the batch is made (``lines`` hold the detail); ``net_amount`` =
    ``cod_total − fee_total − charges_total`` and is never negative. ``state`` moves
    issued → paid → reconciled (or mismatch, flagged, until a later reconciliation
    matches) by compare-and-set updates.
    """

    number = models.CharField(_("số bảng kê"), max_length=32, unique=True)
    sender = models.ForeignKey(
        CodSender, on_delete=models.PROTECT, related_name="batches", verbose_name=_("người gửi")
    )
    office = models.ForeignKey(
        "network.Office",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("bưu cục trả tiền"),
    )
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=BatchState.choices, default=BatchState.ISSUED
    )
    items_count = models.PositiveIntegerField(_("số bưu gửi"))
    cod_total = models.PositiveBigIntegerField(_("tổng tiền thu hộ (đồng)"))
    fee_total = models.PositiveBigIntegerField(_("tổng cước trừ (đồng)"))
    charges_total = models.PositiveBigIntegerField(_("tổng cước chuyển hoàn (đồng)"))
    net_amount = models.PositiveBigIntegerField(_("số tiền trả (đồng)"))
    created_at = models.DateTimeField(_("lập lúc"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người lập"),
    )
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)
    paid_at = models.DateTimeField(_("chuyển tiền lúc"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người chuyển tiền"),
    )
    bank_reference = models.CharField(_("mã giao dịch ngân hàng"), max_length=64, blank=True)
    reconciled_at = models.DateTimeField(_("đối soát lúc"), null=True, blank=True)
    difference = models.BigIntegerField(_("chênh lệch đối soát (đồng)"), null=True, blank=True)

    class Meta:
        verbose_name = _("bảng kê trả tiền thu hộ")
        verbose_name_plural = _("bảng kê trả tiền thu hộ")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["office", "created_at", "id"], name="codbatch_office_time_idx"),
            models.Index(fields=["sender", "created_at", "id"], name="codbatch_sender_time_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="codbatch_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    net_amount=models.F("cod_total")
                    - models.F("fee_total")
                    - models.F("charges_total")
                ),
                name="codbatch_net_is_cod_minus_deductions",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class LineKind(models.TextChoices):
    COLLECTION = "collection", _("Tiền thu hộ")
    RETURN_CHARGE = "return_charge", _("Cước chuyển hoàn")


class RemittanceLine(AppendOnlyModel):
    """One line of a statement: an item's COD amount less its fee, or a return charge.

    A collection or a charge is on at most one line ever (unique), so no money is remitted
    or deducted twice. ``net`` = ``cod_amount − fee − charge`` (may be negative on a line).
    """

    batch = models.ForeignKey(RemittanceBatch, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("loại"), max_length=16, choices=LineKind.choices)
    item = models.ForeignKey(
        "items.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("bưu gửi")
    )
    collection = models.OneToOneField(
        CodCollection, on_delete=models.PROTECT, null=True, blank=True, related_name="line"
    )
    return_charge = models.OneToOneField(
        "ReturnCharge", on_delete=models.PROTECT, null=True, blank=True, related_name="line"
    )
    cod_amount = models.PositiveBigIntegerField(_("tiền thu hộ (đồng)"))
    fee = models.PositiveBigIntegerField(_("cước (đồng)"))
    charge = models.PositiveBigIntegerField(_("cước chuyển hoàn (đồng)"))
    net = models.BigIntegerField(_("còn lại (đồng)"))

    class Meta:
        verbose_name = _("dòng bảng kê")
        verbose_name_plural = _("dòng bảng kê")
        ordering = ["batch", "id"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="collection", collection__isnull=False, return_charge__isnull=True)
                    | Q(kind="return_charge", collection__isnull=True, return_charge__isnull=False)
                ),
                name="remittanceline_one_source",
            ),
            models.CheckConstraint(
                condition=Q(net=models.F("cod_amount") - models.F("fee") - models.F("charge")),
                name="remittanceline_net",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.item_id} {self.net}"


class MovementKind(models.TextChoices):
    COLLECTED = "collected", _("Bưu tá thu tiền")
    HANDED_OVER = "handed_over", _("Nộp tiền về bưu cục")
    BATCHED = "batched", _("Lập bảng kê")
    PAID = "paid", _("Chuyển tiền cho người gửi")


class CodMovement(AppendOnlyModel):
    """One step of a COD amount (append-only). Each kind happens at most once per
    collection (unique), which makes every step idempotent in the database itself."""

    collection = models.ForeignKey(
        CodCollection, on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("bước"), max_length=12, choices=MovementKind.choices)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    office = models.ForeignKey("network.Office", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    occurred_at = models.DateTimeField(_("lúc"))
    recorded_at = models.DateTimeField(_("ghi nhận lúc"))
    handover = models.ForeignKey(
        CodHandover, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    batch = models.ForeignKey(
        RemittanceBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bước tiền thu hộ")
        verbose_name_plural = _("bước tiền thu hộ")
        ordering = ["collection", "occurred_at", "id"]
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["collection", "kind"], name="codmovement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.collection_id} {self.kind}"


class Reconciliation(AppendOnlyModel):
    """A check of a paid batch against the bank statement. ``difference`` = bank amount −
    the batch's net; zero matches. Every attempt is kept (append-only)."""

    batch = models.ForeignKey(
        RemittanceBatch, on_delete=models.PROTECT, related_name="reconciliations"
    )
    bank_amount = models.BigIntegerField(_("số tiền theo ngân hàng (đồng)"))
    bank_reference = models.CharField(_("mã giao dịch ngân hàng"), max_length=64)
    difference = models.BigIntegerField(_("chênh lệch (đồng)"))
    matched = models.BooleanField(_("khớp"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reconciled_at = models.DateTimeField(_("đối soát lúc"))

    class Meta:
        verbose_name = _("đối soát")
        verbose_name_plural = _("đối soát")
        ordering = ["batch", "reconciled_at", "id"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.batch_id} {self.difference}"


class ReturnCause(models.TextChoices):
    SENDER_REQUEST = "sender_request", _("Người gửi yêu cầu chuyển hoàn")
    WITHDRAWAL = "withdrawal", _("Người gửi rút lại khi bưu gửi đã rời bưu cục nhận")
    UNDELIVERABLE = "undeliverable", _("Không phát được")


class ReturnCharge(AppendOnlyModel):
    """The sender's cost of returning one item (chuyển hoàn; Postal Law 49/2010).

    ``amount`` comes from the tariff in force (``tariff_version``); it is 0 for a basic
    letter up to 500 g returned because it could not be delivered (``free_reason``).
    ``sender`` is the sender's COD account when there is one: the charge is then deducted
    from its next remittance (a :class:`RemittanceLine`). One return per item.
    """

    item = models.OneToOneField(
        "items.Item", on_delete=models.PROTECT, related_name="return_charge"
    )
    sender = models.ForeignKey(
        CodSender,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_charges",
        verbose_name=_("người gửi"),
    )
    cause = models.CharField(_("lý do"), max_length=16, choices=ReturnCause.choices)
    amount = models.PositiveBigIntegerField(_("cước chuyển hoàn (đồng)"))
    free_reason = models.CharField(_("lý do miễn cước"), max_length=32, blank=True)
    tariff_version = models.ForeignKey(
        "items.TariffVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    event_id = models.UUIDField(_("mã sự kiện chuyển hoàn"), unique=True)
    office = models.ForeignKey("network.Office", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("cước chuyển hoàn")
        verbose_name_plural = _("cước chuyển hoàn")
        ordering = ["-created_at", "-id"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.item_id} {self.amount}"
